package ibkrtest_test

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func csvClaims(user string, requestID int, lines ...string) map[string]any {
	file := strings.Join(lines, "\n") + "\n"
	return map[string]any{"userName": user, "requestId": requestID, "payload": base64.StdEncoding.EncodeToString([]byte(file))}
}

// A file that is not a restriction CSV is a 400 naming payload; the claims
// are validated against the spec for both operations.
func TestRestrictionFilesRefused(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithMaintenance(false))
	c := newClient(t, srv)
	user := ibkrtest.DemoUserName
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"empty file", map[string]any{"userName": user, "requestId": 1, "payload": ""}, "payload"},
		{"not base64", map[string]any{"userName": user, "requestId": 1, "payload": "%%%"}, "payload"},
		{"wrong header", csvClaims(user, 1, "account,action,name", "U1234567,ADD,X"), "payload"},
		{"header only", csvClaims(user, 1, ibkrtest.RestrictionCSVHeader), "payload"},
		{"short row", csvClaims(user, 1, ibkrtest.RestrictionCSVHeader, "U1234567,ADD"), "payload"},
		{"bad quoting", csvClaims(user, 1, ibkrtest.RestrictionCSVHeader, `U1234567,ADD,"X`), "payload"},
		{"unknown user", csvClaims("nosuchuser1", 1, ibkrtest.RestrictionCSVHeader, "U1234567,ADD,X"), "userName"},
		{"no request id", map[string]any{"userName": user, "payload": "YQ=="}, "requestId"},
		{"zero request id", csvClaims(user, 0, ibkrtest.RestrictionCSVHeader, "U1234567,ADD,X"), "requestId"},
	} {
		for _, path := range []string{"/gw/api/v1/restrictions/verify", "/gw/api/v1/restrictions"} {
			a := c.signed("POST", path, tc.body)
			if a.Status != 400 || !strings.Contains(string(a.Body), tc.field) {
				t.Errorf("%s %s: HTTP %d %s", tc.name, path, a.Status, a.Body)
			}
		}
	}
	if got := srv.Restrictions(ibkrtest.DemoAccountID); len(got) != 0 {
		t.Fatalf("a refused file applied %v", got)
	}
}

// Rows are checked in order against the state the earlier rows leave;
// applyCSV applies all or none, once per client and requestId; the result
// survives SaveState/LoadState.
func TestRestrictionRowsAndState(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithMaintenance(false))
	c := newClient(t, srv)
	user, acct := ibkrtest.DemoUserName, ibkrtest.DemoAccountID
	h := ibkrtest.RestrictionCSVHeader

	// Add then remove in one file: fine, and verify changes nothing.
	a := c.signed("POST", "/gw/api/v1/restrictions/verify", csvClaims(user, 1, h, acct+",ADD,A", acct+",REMOVE,A", acct+",ADD,B"))
	wantStatus(t, a, 200)
	if m := a.json(t); m["success"] != true || m["message"] != "3 rows verified: 2 to add, 1 to remove" || m["requestId"].(interface{ String() string }).String() != "1" {
		t.Fatalf("verify %v", m)
	}
	// A bad action and a duplicate within one file.
	a = c.signed("POST", "/gw/api/v1/restrictions", csvClaims(user, 2, h, acct+",ADD,C", acct+",ADD,C", acct+",add,D", acct+",ADD,bad/name"))
	wantStatus(t, a, 200)
	m := a.json(t)
	if m["success"] != false || !strings.Contains(m["message"].(string), `row 2: account U1234567 already has restriction "C"`) ||
		!strings.Contains(m["message"].(string), `row 3: action "add" is not ADD or REMOVE`) || !strings.Contains(m["message"].(string), `row 4: invalid restriction name "bad/name"`) {
		t.Fatalf("apply bad %v", m)
	}
	if got := srv.Restrictions(acct); len(got) != 0 {
		t.Fatalf("a refused file applied %v", got)
	}
	// The refused requestId may be used again once the file is fixed.
	a = c.signed("POST", "/gw/api/v1/restrictions", csvClaims(user, 2, h, acct+",ADD,C", acct+",ADD,D"))
	wantStatus(t, a, 200)
	first := a.json(t)
	if first["success"] != true {
		t.Fatalf("apply %v", first)
	}
	// Same requestId, different file: the earlier answer, nothing applied.
	a = c.signed("POST", "/gw/api/v1/restrictions", csvClaims(user, 2, h, acct+",ADD,E"))
	if again := a.json(t); !reflect.DeepEqual(again, first) {
		t.Fatalf("replay %v, first %v", again, first)
	}
	if got := srv.Restrictions(acct); !reflect.DeepEqual(got, []string{"C", "D"}) {
		t.Fatalf("restrictions %v", got)
	}
	// The account's details list them.
	d := c.get("/gw/api/v1/accounts/" + acct + "/details").json(t)
	if list, _ := d["restrictions"].([]any); len(list) != 2 {
		t.Fatalf("details %v", d)
	}

	if err := srv.AddIBRestriction("U9999999", "X"); err == nil {
		t.Fatal("restriction on an unknown account")
	}
	var buf bytes.Buffer
	if err := srv.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	b, err := ibkrtest.NewHandler(ibkrtest.WithoutDemoAccount())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if got := b.Restrictions(acct); !reflect.DeepEqual(got, []string{"C", "D"}) {
		t.Fatalf("after load %v", got)
	}
}
