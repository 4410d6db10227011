package ibkr

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// FuzzValidateApplication feeds arbitrary applications (seeded with one
// of every account type) to ValidateApplication: it must answer, never
// panic, and refuse only with an *InputError naming a field.
func FuzzValidateApplication(f *testing.F) {
	for _, r := range registrations() {
		b, err := json.Marshal(r.Application)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"customer":{"type":"JOINT","email":"a@b.co","jointHolders":{"type":"tenants_common","firstHolderDetails":[],"secondHolderDetails":[{}]}}}`))
	f.Add([]byte(`{"customer":{"type":"TRUST","email":"a@b.co","trust":{"trustees":{"entities":[{"employees":[{}]}]}}}}`))
	today := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var app gen.Application
		if json.Unmarshal(data, &app) != nil {
			return
		}
		_, err := ValidateApplication(&app, today)
		if err == nil {
			return
		}
		ie, ok := err.(*InputError)
		if !ok || ie.Field == "" {
			t.Fatalf("error %T %v does not name a field", err, err)
		}
	})
}
