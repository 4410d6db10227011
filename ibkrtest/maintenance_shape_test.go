package ibkrtest

import (
	"encoding/json"
	"strings"
	"testing"
)

// The keys IBKR's documentation examples write, and the document's kind
// each stands for.
var documentationKeys = map[string]string{
	"abandonAccount": "abandonAccount", "resetAbandonedAccount": "resetAbandonedAccount",
	"documentSubmission": "documentSubmission", "changeAccountHolderDetails": "changeAccountHolderDetail",
	"addMiFirData": "addMiFirData", "updateCredentials": "updateCredentials",
	"updateWithholdingStatements": "updateWithholdingStatement", "updateTaxForms": "updateTaxForm",
	"accountConfiguration": "accountConfiguration", "accreditedInvestors": "accreditedInvestor",
	"addCLPCapabilities": "addCLPCapability", "addLevFxCapabilities": "addLevFxCapability",
	"addTradingPermissions": "addTradingPermissions", "changeBaseCurrencies": "changeBaseCurrency",
	"changeFinancialInformation": "changeFinancialInformation", "changeMarginTypes": "changeMarginType",
	"enrollInDRIP": "enrollInDrip", "leaveDRIP": "leaveDrip", "leaveSYEP": "leaveSyep",
	"removeTradingPermissions": "removeTradingPermissions", "updateAccountAliases": "updateAccountAlias",
	"updateAccountRepresentatives": "updateAccountRepresentatives", "updateBcan": "updateBcan",
}

func TestCanonicalKind(t *testing.T) {
	kinds := maintenanceKinds()
	if len(kinds) != 47 {
		t.Fatalf("%d kinds in the spec", len(kinds))
	}
	for key, want := range documentationKeys {
		if got, ok := canonicalKind(kinds, key); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", key, got, ok, want)
		}
	}
	for k := range kinds {
		if got, ok := canonicalKind(kinds, k); !ok || got != k {
			t.Errorf("%s maps to %q", k, got)
		}
	}
	for _, key := range []string{"frobnicate", "accounts", "s", ""} {
		if got, ok := canonicalKind(kinds, key); ok {
			t.Errorf("%q maps to %q", key, got)
		}
	}
	if kinds["informationChange"] != "ibAccountId" || kinds["updateBcan"] != "accountId" || kinds["processDocuments"] != "" {
		t.Errorf("account fields: informationChange %q, updateBcan %q, processDocuments %q",
			kinds["informationChange"], kinds["updateBcan"], kinds["processDocuments"])
	}
}

func TestAccountRequestRounds(t *testing.T) {
	doc := `{"accountManagementRequests":{"updateAccountAliases":[{"referenceAccountId":"U1","accountAlias":"a"},{"referenceAccountId":"U2","accountAlias":"b"}],` +
		`"informationChange":[{"referenceAccountId":"U3","deleteEntities":[{"ibEntityId":4}]}],` +
		`"addTradingPermissions":{"referenceAccountId":"U1","documentSubmission":{"referenceAccountId":"U1","documents":[]}}},"extra":1}`
	rounds, why := accountRequestRounds([]byte(doc))
	if why != "" || len(rounds) != 2 {
		t.Fatalf("%d rounds, %q", len(rounds), why)
	}
	type round struct {
		M map[string]map[string]any `json:"accountManagementRequests"`
	}
	var r0, r1 round
	if json.Unmarshal(rounds[0], &r0) != nil || json.Unmarshal(rounds[1], &r1) != nil {
		t.Fatalf("rounds %s %s", rounds[0], rounds[1])
	}
	m0, m1 := r0.M, r1.M
	if m0["updateAccountAlias"]["accountId"] != "U1" || m1["updateAccountAlias"]["accountId"] != "U2" ||
		m0["informationChange"]["ibAccountId"] != "U3" || len(m1) != 1 ||
		m0["addTradingPermissions"]["documentSubmission"].(map[string]any)["accountId"] != "U1" {
		t.Fatalf("rounds %s %s", rounds[0], rounds[1])
	}
	for _, r := range rounds {
		if strings.Contains(string(r), "referenceAccountId") || !strings.Contains(string(r), `"extra":1`) {
			t.Fatalf("round %s", r)
		}
	}
	// The document's shape passes through untouched.
	same := `{"accountManagementRequests":{"updateBcan":{"accountId":"U1","bcan":"1125"}}}`
	if rounds, why := accountRequestRounds([]byte(same)); why != "" || len(rounds) != 1 || string(rounds[0]) != same {
		t.Fatalf("%s %q", rounds, why)
	}
	// referenceAccountId for a kind that names no account.
	if _, why := accountRequestRounds([]byte(`{"accountManagementRequests":{"processDocuments":[{"referenceAccountId":"U1"}]}}`)); why == "" {
		t.Fatal("referenceAccountId accepted for processDocuments")
	}
}

// FuzzAccountRequestRounds: any body either yields rounds that are JSON
// objects without referenceAccountId at the kind level, or a reason.
func FuzzAccountRequestRounds(f *testing.F) {
	for _, s := range []string{
		`{"accountManagementRequests":{"changeBaseCurrencies":[{"referenceAccountId":"U1","newBaseCurrency":"EUR"}]}}`,
		`{"accountManagementRequests":{"enrollInDRIP":{"referenceAccountId":"U1"}}}`,
		`{"accountManagementRequests":{"leaveDrip":[1,"x",null]}}`,
		`{"accountManagementRequests":[]}`, `[]`, `{}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rounds, why := accountRequestRounds(b)
		if why != "" {
			return
		}
		if len(rounds) == 0 {
			t.Fatal("no rounds and no reason")
		}
		if len(rounds) == 1 && string(rounds[0]) == string(b) {
			return
		}
		for _, r := range rounds {
			var x struct {
				M map[string]json.RawMessage `json:"accountManagementRequests"`
			}
			if err := json.Unmarshal(r, &x); err != nil {
				t.Fatalf("round %s: %v", r, err)
			}
			for k, v := range x.M {
				var obj map[string]any
				if json.Unmarshal(v, &obj) == nil {
					if _, has := obj["referenceAccountId"]; has {
						t.Fatalf("%s keeps referenceAccountId: %s", k, r)
					}
				}
			}
		}
	})
}
