package ibkrtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func person(first, last string) map[string]any {
	return map[string]any{"name": map[string]any{"first": first, "last": last}, "email": strings.ToLower(first) + "@example.com",
		"residenceAddress": map[string]any{"country": "USA"}}
}

// Applications of every customer type, as raw requests: the sandbox
// accepts each complete one, titles and types the account after it, and
// refuses one missing what IBKR needs of its type, naming the field.
func TestCreateAccountsEveryType(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithMaintenance(false), ibkrtest.WithTokenLifetime(365*24*time.Hour), ibkrtest.WithRateLimit(0, 0))
	c := newClient(t, srv)
	app := func(customer map[string]any, accounts ...any) map[string]any {
		a := map[string]any{"customer": customer}
		if len(accounts) > 0 {
			a["accounts"] = accounts
		}
		return map[string]any{"application": a}
	}
	for _, tc := range []struct {
		name       string
		body       map[string]any
		typ, title string
		missing    string // the field refused, or "" when accepted
	}{
		{"joint", app(map[string]any{"type": "JOINT", "email": "jane@example.com", "jointHolders": map[string]any{
			"type": "joint_tenants", "firstHolderDetails": []any{person("Jane", "Doe")}, "secondHolderDetails": []any{person("John", "Doe")}}}),
			"JOINT", "Jane Doe and John Doe", ""},
		{"joint, one holder", app(map[string]any{"type": "JOINT", "email": "jane@example.com", "jointHolders": map[string]any{
			"type": "joint_tenants", "firstHolderDetails": []any{person("Jane", "Doe")}}}),
			"", "", "application.customer.jointHolders.secondHolderDetails[0].name"},
		{"IRA", app(map[string]any{"type": "IRA", "email": "jane@example.com", "accountHolder": map[string]any{
			"accountHolderDetails": []any{person("Jane", "Doe")}}}, map[string]any{"ira": true, "iraType": "RO", "baseCurrency": "USD"}),
			"IRA", "Jane Doe", ""},
		{"IRA without its kind", app(map[string]any{"type": "IRA", "email": "jane@example.com", "accountHolder": map[string]any{
			"accountHolderDetails": []any{person("Jane", "Doe")}}}, map[string]any{"baseCurrency": "USD"}),
			"", "", "application.accounts[0].iraType"},
		{"trust", app(map[string]any{"type": "TRUST", "email": "trust@example.com", "trust": map[string]any{
			"identification": []any{map[string]any{"name": "Doe Family Trust", "formationCountry": "USA"}},
			"trustees":       map[string]any{"individuals": []any{person("Jane", "Doe")}}}}),
			"TRUST", "Doe Family Trust", ""},
		{"trust without trustees", app(map[string]any{"type": "TRUST", "email": "trust@example.com", "trust": map[string]any{
			"identification": []any{map[string]any{"name": "Doe Family Trust", "formationCountry": "USA"}}}}),
			"", "", "application.customer.trust.trustees.individuals[0].name"},
		{"organization", app(map[string]any{"type": "ORG", "email": "office@example.com", "organization": map[string]any{
			"identifications":    []any{map[string]any{"name": "Acme Trading LLC", "formationCountry": "USA"}},
			"associatedEntities": map[string]any{"associatedIndividuals": []any{person("John", "Roe")}}}}),
			"ORG", "Acme Trading LLC", ""},
		{"organization without a name", app(map[string]any{"type": "ORG", "email": "office@example.com", "organization": map[string]any{
			"identifications":    []any{map[string]any{"formationCountry": "USA"}},
			"associatedEntities": map[string]any{"associatedIndividuals": []any{person("John", "Roe")}}}}),
			"", "", "application.customer.organization.identifications[0].name"},
	} {
		a := c.post("/gw/api/v1/accounts", tc.body)
		if tc.missing != "" {
			wantStatus(t, a, http.StatusBadRequest)
			if !strings.Contains(string(a.Body), tc.missing) {
				t.Fatalf("%s: %s", tc.name, a.Body)
			}
			continue
		}
		wantStatus(t, a, http.StatusOK)
		acct := a.json(t)["fileData"].(map[string]any)["data"].(map[string]any)["accountId"].(string)
		d := c.get("/gw/api/v1/accounts/" + acct + "/details")
		wantStatus(t, d, http.StatusOK)
		details := d.json(t)["account"].(map[string]any)
		if details["applicantType"] != tc.typ || details["accountTitle"] != tc.title {
			t.Fatalf("%s: %v", tc.name, details)
		}
		if err := srv.CompleteTasks(acct); err != nil {
			t.Fatal(err)
		}
		srv.Advance(ibkrtest.DefaultTimings.AccountReview)
		if st, _ := srv.AccountStatus(acct); st != ibkrtest.AccountOpen {
			t.Fatalf("%s: status %s", tc.name, st)
		}
	}
}
