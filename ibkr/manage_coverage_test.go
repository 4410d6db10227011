package ibkr

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/gen/genserver"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// newKindChanges returns a valid request of each kind typed after the
// first 27, for account acct (with user demouser1), and what the sandbox
// must record of it.
func newKindChanges(t *testing.T, acct string, now time.Time) map[string]struct {
	change AccountChange
	want   string
} {
	t.Helper()
	taxSpec := goodDocSpec()
	taxSpec.FormNumber, taxSpec.FileName, taxSpec.ProofOfIdentityType, taxSpec.ExpirationDate = FormW8BEN, "Form5001.pdf", "", time.Time{}
	taxDoc, err := NewDocument(taxSpec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	docSpec := goodDocSpec()
	docSpec.ExternalAccountID = "ext-demo"
	doc, err := NewDocument(docSpec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	passport := Identification{Citizenship: "Liechtenstein", Passport: NewSecret("LI4711A11111"), ExpirationDate: now.AddDate(3, 0, 0)}
	rel := gen.AddRelationshipNameOwner
	first, last := "Max", "Mustermann"
	type entry = struct {
		change AccountChange
		want   string
	}
	return map[string]entry{
		"updateExternalId":      {UpdateExternalID{AccountID: acct, NewExternalID: "ext-demo"}, `"newExternalId":"ext-demo"`},
		"updatePropertyProfile": {SetPropertyProfile{AccountID: acct, Profile: "Standard"}, `"propertyProfile":"Standard"`},
		"addNewUser": {AddNewUser{AccountID: acct, Prefix: "janed", Details: NewUserDetails{ExternalID: "ind-2",
			Name: PersonName{Salutation: "Ms.", First: "Jane", Last: "Roe"}, Email: "jane.roe@example.com", DateOfBirth: "1980-02-03",
			CountryOfBirth: "USA", Phones: []Phone{{Type: "Mobile", Country: "USA", Number: "2125551234"}}, AuthorizedTrader: true},
			InputLanguage: "en"}, `"prefix":"janed"`},
		"addMiFirData": {AddMiFIRData{AccountID: acct, Title: MiFIRAccountHolder, Identifications: []Identification{passport}},
			`"citizenship":"Liechtenstein","passport":"LI4711A11111"`},
		"completeLoginMessage": {CompleteLoginMessages{AccountID: acct, MessageIDs: []int{1}}, `"loginMessageIds":[1]`},
		"updateW8Ben": {UpdateW8BEN{AccountID: acct, UserName: "demouser1", Documents: []Document{taxDoc},
			Form: W8BEN{Name: "Jane Doe", Explanation: "TIN_NOT_REQUIRED", TreatyCountry: "CAN", Certified: true, TaxFormFile: "Form5001.pdf"}},
			`"taxPayerDetails":{"w8Ben":{"name":"Jane Doe"`},
		"enableAccountInBrokerage":  {EnableInBrokerage{AccountID: acct}, acct},
		"disableAccountInBrokerage": {DisableInBrokerage{AccountID: acct}, acct},
		"linkDuplicateAccount":      {LinkDuplicateAccount{AccountID: acct, ExternalAccountID: "orig-1", ClientActiveTrading: true}, `"externalAccountId":"orig-1"`},
		"duplicateAccount":          {DuplicateAccount{AccountID: acct, Count: 2}, `"numberOfDuplicates":2`},
		"processDocuments":          {ProcessDocuments{Batch: DocumentBatch{Documents: []Document{doc}, InputLanguage: "en"}}, `"externalAccountId":"ext-demo"`},
		"changeAccountHolderDetail": {ChangeHolderDetails{AccountID: acct, Holders: []HolderDetails{{EntityID: "172032379",
			Name: &PersonName{Salutation: "Ms.", First: "Jane", Last: "Smith"}, Email: "jane.smith@example.com",
			ResidenceAddress: &Address{Street1: "1 Main St", City: "Greenwich", State: "CT", PostalCode: "06830", Country: "USA"}}},
			InputLanguage: "en"}, `"name":{"salutation":"Ms.","first":"Jane","last":"Smith"}`},
		"updateUserAccessRights": {UpdateUserAccessRights{RepID: "rep0001", SubAccounts: []string{acct}, Action: AccessAdd}, `"repId":"rep0001"`},
		"informationChange": {ChangeEntities{AccountID: acct,
			Add: []gen.AddEntity{{Individual: &gen.Individual{Name: &gen.IndividualName{First: &first, Last: &last}},
				AddRelationships: &[]gen.AddRelationship{{Name: &rel, OwnershipPercentage: i32(30)}}}},
			Delete: []int{4711}}, `"deleteEntities":[{"ibEntityId":4711}]`},
		"addAdditionalAccount": {AddAdditionalAccount{AccountID: acct, Account: NewAccount{ExternalID: "acct-2", BaseCurrency: EUR, Margin: "Cash"},
			Users: []NewAccountUser{{ExternalIndividualID: "ind-1", Prefix: "janed"}}}, `"baseCurrency":"EUR"`},
		"allocateVan": {AllocateVAN{AccountID: acct, Currency: USD, Country: "USA"}, `"currency":"USD","countryCode":"USA"`},
		"createUser":  {CreateUser{AccountID: acct, UserName: "janedoe2", ExternalID: "ind-1", AuthorizedTrader: true}, `"userName":"janedoe2"`},
		"securityQuestions": {SetSecurityQuestions{UserName: "demouser1", Answers: []SecurityAnswer{
			{Question: "What was the name of your first pet?", Answer: NewSecret("Rex the terrier")}}}, `"question":"What was the name of your first pet?"`},
		"manageMarketDataSubscriptions": {ManageMarketData{UserName: "demouser1", Changes: []MarketDataChange{{Service: 10}, {Service: 11, Remove: true}}},
			`{"value":11,"action":"REMOVE"}`},
		"quizQuestionnaires": {AnswerQuizzes{AccountID: acct, Quizzes: []Quiz{{Form: 3089, Answers: []QuestionnaireAnswer{{QuestionID: 1, AnswerID: 2}}}},
			Tasks: []QuizTask{{Form: 3089, Done: true}}}, `"task":[{"formNumber":3089,"status":true}]`},
	}
}

// everyKindChange returns a valid change of every kind, by kind.
func everyKindChange(t *testing.T, acct string, now time.Time) map[string]AccountChange {
	out := map[string]AccountChange{
		"accountClose":          CloseAccount{AccountID: acct, Reason: "moving", Withdrawal: &CloseWithdrawal{InstructionName: "Checking", Method: "ACH"}},
		"abandonAccount":        AbandonApplication{AccountID: acct},
		"resetAbandonedAccount": ResetApplication{AccountID: acct},
		"reopenAccount":         ReopenAccount{AccountID: acct},
	}
	doc, err := NewDocument(goodDocSpec(), testPDF)
	if err != nil {
		t.Fatal(err)
	}
	out["documentSubmission"] = SubmitDocuments{AccountID: acct, Batch: DocumentBatch{Documents: []Document{doc}}}
	for k, x := range validChanges(t, acct, now) {
		out[k] = x.change
	}
	for k, x := range newKindChanges(t, acct, now) {
		out[k] = x.change
	}
	return out
}

// TestAccountChangeKindsCoverSpec lists the kinds of the spec's
// AccountManagementRequests and fails on any without a typed change, or
// whose typed change sends a body the kind's schema refuses or a field
// the schema does not name.
func TestAccountChangeKindsCoverSpec(t *testing.T) {
	doc, err := genserver.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["AccountManagementRequests"].Value
	now := time.Now()
	typed := everyKindChange(t, ibkrtest.DemoAccountID, now)
	kinds := make([]string, 0, len(schema.Properties))
	for k := range schema.Properties {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	if len(kinds) != 47 {
		t.Errorf("the spec lists %d maintenance kinds, the issue counted 47", len(kinds))
	}
	for _, k := range kinds {
		ch, ok := typed[k]
		if !ok {
			t.Errorf("maintenance kind %s has no typed AccountChange", k)
			continue
		}
		if ch.Kind() != k {
			t.Errorf("%T.Kind() = %q, want %q", ch, ch.Kind(), k)
		}
		if err := ch.Validate(now); err != nil {
			t.Errorf("%s: valid example refused: %v", k, err)
			continue
		}
		b, err := json.Marshal(ch.payload())
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		ks := schema.Properties[k].Value
		if err := ks.VisitJSON(v, openapi3.MultiErrors()); err != nil {
			t.Errorf("%s: the spec refuses %s: %v", k, b, err)
		}
		for _, f := range unknownFields(ks, v, k) {
			t.Errorf("%s sends %s, which the spec's schema does not name", k, f)
		}
	}
	// The field check itself finds a misspelt field.
	if got := unknownFields(schema.Properties["updateBcan"].Value, map[string]any{"referenceAccountId": "U1", "bcan": "1125"}, "updateBcan"); len(got) != 1 {
		t.Errorf("unknownFields = %v, want the one unknown field", got)
	}
	for k := range typed {
		if _, ok := schema.Properties[k]; !ok {
			t.Errorf("typed kind %s is not in the spec", k)
		}
	}
}

// unknownFields lists the object keys of v (at any depth) that the
// schema does not declare, where it declares properties.
func unknownFields(s *openapi3.Schema, v any, path string) []string {
	if s == nil {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if len(s.Properties) == 0 {
			return nil
		}
		for k, e := range x {
			p, ok := s.Properties[k]
			if !ok {
				out = append(out, path+"."+k)
				continue
			}
			out = append(out, unknownFields(p.Value, e, path+"."+k)...)
		}
	case []any:
		if s.Items == nil {
			return nil
		}
		for _, e := range x {
			out = append(out, unknownFields(s.Items.Value, e, path+"[]")...)
		}
	}
	return out
}

// TestAccountChangeSecretsStayOut: the secrets of the new kinds reach the
// signed body only, never the %v of the change or an error.
func TestAccountChangeSecretsStayOut(t *testing.T) {
	secrets := []string{"LI4711A11111", "Rex the terrier"}
	for _, s := range secrets {
		noteSecret(s)
	}
	for k, x := range newKindChanges(t, ibkrtest.DemoAccountID, time.Now()) {
		j, err := json.Marshal(x.change)
		if err != nil {
			t.Fatal(err)
		}
		shown := fmt.Sprintf("%v %+v %#v %s", x.change, x.change, x.change, j)
		for _, s := range secrets {
			if strings.Contains(shown, s) {
				t.Errorf("%s: printing or marshalling the change shows a secret", k)
			}
		}
	}
}
