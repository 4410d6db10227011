package optable

import (
	"strings"
	"testing"
)

// Every operation's own path, with its parameters filled in, matches that
// operation and no other; literal segments beat parameters.
func TestMatchEveryOperation(t *testing.T) {
	for _, op := range Operations {
		segs := strings.Split(op.Path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, "{") {
				segs[i] = "X123"
			}
		}
		path := strings.Join(segs, "/")
		got, ok := Match(op.Method, path)
		if !ok || got.ID != op.ID {
			t.Errorf("Match(%s, %s) = %q, %v; want %q", op.Method, path, got.ID, ok, op.ID)
		}
		if _, ok := Match("TRACE", path); ok {
			t.Errorf("TRACE %s matched", path)
		}
	}
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/gw/api/v1/accounts/status", "listAccountsStatus"},
		{"GET", "/gw/api/v1/accounts/U1/status", "getAccountsStatus"},
		{"GET", "/gw/api/v1/accounts/login-messages/", "listAccountsLoginMessages"},
		{"GET", "/gw/api/v1/accounts//status", ""},
		{"GET", "/gw/api/v1/nothing", ""},
		{"GET", "", ""},
	} {
		got, ok := Match(tc.method, tc.path)
		if got.ID != tc.want || ok != (tc.want != "") {
			t.Errorf("Match(%s, %q) = %q, %v; want %q", tc.method, tc.path, got.ID, ok, tc.want)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if op, ok := Match("GET", "/gw/api/v1/client-instructions/1741705200000001"); !ok || op.ID != "getClientInstructions" {
			b.Fatal(op.ID)
		}
	}
}
