package ibkr

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func bptr(b bool) *bool { return &b }

func decPtr(s string) *Decimal { d := MustDecimal(s); return &d }

// validChanges returns one valid request of every kind (except the
// lifecycle ones) for account acct, with what the sandbox must record.
func validChanges(t *testing.T, acct string, now time.Time) map[string]struct {
	change AccountChange
	want   string // a fragment of the body sent
} {
	t.Helper()
	holder := "Jane Doe"
	spec := goodDocSpec()
	doc, err := NewDocument(spec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	taxSpec := spec
	taxSpec.FormNumber, taxSpec.FileName, taxSpec.ProofOfIdentityType, taxSpec.ExpirationDate = FormW8BEN, "Form5001.pdf", "", time.Time{}
	taxDoc, err := NewDocument(taxSpec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	type entry = struct {
		change AccountChange
		want   string
	}
	return map[string]entry{
		"updateCredentials": {UpdateEmail{UserName: "demouser1", Email: "new@example.com", Token: NewSecret("12345"), HasAccess: true}, `"email":"new@example.com"`},
		"updateTaxForm": {UpdateTaxForm{AccountID: acct, ExternalID: "ext-1", Documents: []Document{taxDoc},
			W8BEN: &W8BEN{Name: holder, Explanation: "TIN_NOT_REQUIRED", TreatyCountry: "CAN", Certified: true, BlankForm: true, TaxFormFile: "Form5001.pdf", ProprietaryFormNumber: 5001}},
			`"part29ACountry":"CAN"`},
		"updateWithholdingStatement": {UpdateWithholdingStatement{AccountID: acct, EffectiveDate: now.In(eastern()), CertifyW8IMY: true,
			FATCA: FATCACompliant, TreatyCountry: "CHN", USIncomeTaxResident: true}, `"fatcaCompliantType":"FATCA_COMPLIANT"`},
		"accountConfiguration": {SetPricingPlan{AccountID: acct, Lite: true}, `"type":"LiteExecution","value":true`},
		"accreditedInvestor": {DeclareAccreditedInvestor{AccountID: acct, SignedBy: holder, HolderNames: []string{holder}, Accredited: true,
			QualifiedPurchaser: &QualifiedPurchaser{Qualified: true, InvestmentCompanyAct: bptr(true), DiscretionaryBasis: bptr(true)},
			ECP:                &EligibleContractParticipant{Eligible: true, DiscretionaryBasis: bptr(false), HighRisk: bptr(true)}},
			`{"code":"HighRisk","status":true}`},
		"addCLPCapability":   {AddCLPCapability{AccountID: acct}, `"accountId":"` + acct + `"`},
		"addLevFxCapability": {AddLeveragedFX{AccountID: acct}, `"accountId":"` + acct + `"`},
		"addTradingPermissions": {AddTradingPermissions{AccountID: acct, Permissions: []TradingPermission{
			{AssetClass: "STK", ExchangeGroup: "EU-IBET", Country: "BELGIUM", Product: "STOCKS"}},
			Documents: &DocumentBatch{Documents: []Document{doc}, InputLanguage: "en"}}, `"exchangeGroup":"EU-IBET"`},
		"removeTradingPermissions": {RemoveTradingPermissions{AccountID: acct, Permissions: []TradingPermission{{ExchangeGroup: "AUS-OPT"}}}, `"exchangeGroup":"AUS-OPT"`},
		"changeBaseCurrency":       {ChangeBaseCurrency{AccountID: acct, Currency: EUR}, `"newBaseCurrency":"EUR"`},
		"changeFinancialInformation": {ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{
			NetWorth: decPtr("1700000"), LiquidNetWorth: decPtr("120000"), AnnualNetIncome: decPtr("210000"),
			InvestmentExperience: []InvestmentExperience{{AssetClass: "STK", YearsTrading: 2, TradesPerYear: 5, KnowledgeLevel: "Extensive"}},
			InvestmentObjectives: []string{"Growth", "Hedging"},
			SourcesOfWealth: []SourceOfWealth{{Type: "SOW-IND-Income", Percentage: 75, UsedForFunds: true},
				{Type: "SOW-IND-Other", Percentage: 25, Description: "lottery"}},
			AdditionalSourcesOfIncome: []SourceOfIncome{{Type: "CONSULTING", Percentage: 4, Description: "from Spouse"}}}},
			`"netWorth":1700000`},
		"changeMarginType":             {ChangeMarginType{AccountID: acct, Margin: MarginPortfolio}, `"newMargin":"PortfolioMargin"`},
		"enrollInDrip":                 {EnrollDRIP{AccountID: acct}, acct},
		"leaveDrip":                    {LeaveDRIP{AccountID: acct}, acct},
		"enrollInSyep":                 {EnrollSYEP{AccountID: acct}, acct},
		"leaveSyep":                    {LeaveSYEP{AccountID: acct}, acct},
		"updateAccountAlias":           {UpdateAccountAlias{AccountID: acct, Alias: "Jane's trading"}, `"accountAlias":"Jane's trading"`},
		"updateAccountRepresentatives": {UpdateRepresentatives{AccountID: acct, Representatives: []Representative{{"ajd0318a", 60}, {"bkr0001", 40}}}, `"representativeId":"ajd0318a","percentage":60`},
		"updateBcan":                   {UpdateBCAN{AccountID: acct, BCAN: "1125", CENumber: "BNO808"}, `"bcan":"1125"`},
		"applyFeeTemplate":             {ApplyFeeTemplate{AccountID: acct, TemplateName: "Test template"}, `"templateName":"Test template"`},
		"questionnaires": {AnswerQuestionnaire{AccountID: acct, Form: 8540, Answers: []QuestionnaireAnswer{{QuestionID: 1, AnswerID: 3}, {QuestionID: 2, Detail: "salary"}}},
			`"formNumber":8540`},
		"prohibitedCountryQuestionnaire": {AnswerProhibitedCountryQuestionnaire{AccountID: acct, ExternalID: "ext-1", Answers: []ProhibitedCountryAnswer{
			{Question: ProhibitedBirth, Yes: true, Details: "born there, left as a child"}, {Question: ProhibitedPassport}}}, `"code":"BIRTH","status":true`},
	}
}

func TestUpdateAccountEveryKind(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	sendKinds(t, c, srv, acct, nil, validChanges(t, acct, srv.Now()))
	// The callback request types IBKR documents.
	res, err := c.UpdateAccount(ctx, AddLeveragedFX{AccountID: acct}, ChangeMarginType{AccountID: acct, Margin: MarginRegT})
	if err != nil || len(res.Results) != 2 || res.Results[0].Type != "ADD_LEVFX" || res.Results[1].Type != "CHANGE_MARGIN" {
		t.Fatalf("%+v %v", res, err)
	}
	// Secrets in signed bodies never reach errors or logs.
	noteSecret("12345-secret-token")
	_, err = c.UpdateAccount(ctx, UpdateEmail{UserName: "demouser1", Email: "new@example.com", Token: NewSecret("12345-secret-token")})
	wantErr(t, err, ErrAccountChange)
}

func TestUpdateAccountLifecycle(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	reg, err := c.Register(ctx, hybridJane())
	if err != nil {
		t.Fatal(err)
	}
	// Abandon, reset.
	if _, err := c.UpdateAccount(ctx, AbandonApplication{AccountID: reg.AccountID}); err != nil {
		t.Fatal(err)
	}
	st, err := c.AccountStatus(ctx, reg.AccountID)
	if err != nil || st.Status != StatusAbandoned {
		t.Fatalf("after abandon: %+v %v", st, err)
	}
	if _, err := c.UpdateAccount(ctx, ResetApplication{AccountID: reg.AccountID}); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.AccountStatus(ctx, reg.AccountID); st.Status != StatusNew {
		t.Fatalf("after reset: %+v", st)
	}
	// Documented refusals: only pending applications can be abandoned,
	// only abandoned ones reset, only open accounts updated.
	_, err = c.UpdateAccount(ctx, AbandonApplication{AccountID: ibkrtest.DemoAccountID})
	wantErr(t, err, ErrBadRequest)
	_, err = c.UpdateAccount(ctx, ResetApplication{AccountID: ibkrtest.DemoAccountID})
	wantErr(t, err, ErrBadRequest)
	_, err = c.UpdateAccount(ctx, EnrollDRIP{AccountID: reg.AccountID})
	wantErr(t, err, ErrBadRequest)

	// Close (the sandbox's morning is inside IBKR's 08:00-11:00 window),
	// then reopen.
	res, err := c.UpdateAccount(ctx, CloseAccount{AccountID: ibkrtest.DemoAccountID, Reason: "not required",
		Withdrawal: &CloseWithdrawal{InstructionName: "test instruction", Method: "WIRE"}})
	if err != nil || res.Results[0].Type != "CLOSE_ACCOUNT" {
		t.Fatalf("close: %+v %v", res, err)
	}
	if st, _ := c.AccountStatus(ctx, ibkrtest.DemoAccountID); st.Status != StatusClosed || st.Closed.IsZero() {
		t.Fatalf("after close: %+v", st)
	}
	rec := srv.RequestsFor("updateAccounts")
	last := rec[len(rec)-1].Claims["accountManagementRequests"].(map[string]any)["accountClose"].(map[string]any)
	if last["withdrawalInfo"].(map[string]any)["bankInstructionMethod"] != "WIRE" || last["closeReason"] != "not required" {
		t.Fatalf("close sent %v", last)
	}
	if _, err := c.UpdateAccount(ctx, ReopenAccount{AccountID: ibkrtest.DemoAccountID}); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.AccountStatus(ctx, ibkrtest.DemoAccountID); st.Status != StatusReopenPending {
		t.Fatalf("after reopen: %+v", st)
	}

	// Documents for the registration tasks start IBKR's review.
	poi, _ := NewDocument(goodDocSpec(), testPDF)
	poaSpec := goodDocSpec()
	poaSpec.FormNumber, poaSpec.FileName, poaSpec.ProofOfIdentityType, poaSpec.ProofOfAddressType = FormProofOfAddress, "ProofOfAddr.pdf", "", "Utility Bill"
	poa, err := NewDocument(poaSpec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAccount(ctx, SubmitDocuments{AccountID: reg.AccountID, Batch: DocumentBatch{Documents: []Document{poi, poa}, InputLanguage: "en"}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.AccountStatus(ctx, reg.AccountID); st.State != StateUnderReview {
		t.Fatalf("after documents: %+v", st)
	}
}

func TestUpdateAccountRefusals(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	now := srv.Now()
	doc, _ := NewDocument(goodDocSpec(), testPDF)
	bad := map[string]AccountChange{
		"bad account":             EnrollDRIP{AccountID: "12345"},
		"close reason control":    CloseAccount{AccountID: acct, Reason: "bye\n"},
		"close method":            CloseAccount{AccountID: acct, Withdrawal: &CloseWithdrawal{InstructionName: "x", Method: "wire"}},
		"close name":              CloseAccount{AccountID: acct, Withdrawal: &CloseWithdrawal{InstructionName: " x", Method: "WIRE"}},
		"email no access":         UpdateEmail{UserName: "demouser1", Email: "new@example.com"},
		"email bad":               UpdateEmail{UserName: "demouser1", Email: "new@", HasAccess: true},
		"email user":              UpdateEmail{UserName: "Demo User", Email: "new@example.com", HasAccess: true},
		"password missing":        UpdatePassword{UserName: "demouser1", EncryptedKeyName: NewSecret("k")},
		"password key":            UpdatePassword{UserName: "demouser1", EncryptedPassword: NewSecret("abc")},
		"tax form none":           UpdateTaxForm{AccountID: acct, Documents: []Document{doc}},
		"tax form both":           UpdateTaxForm{AccountID: acct, Documents: []Document{doc}, W8BEN: &W8BEN{}, W9: &W9{}},
		"tax form no documents":   UpdateTaxForm{AccountID: acct, W8BEN: &W8BEN{Name: "Jane Doe", Explanation: "TIN_NOT_ISSUED", TreatyCountry: "N/A", Certified: true}},
		"w8 uncertified":          UpdateTaxForm{AccountID: acct, Documents: []Document{doc}, W8BEN: &W8BEN{Name: "Jane Doe", Explanation: "TIN_NOT_ISSUED", TreatyCountry: "N/A"}},
		"w8 no tin reason":        UpdateTaxForm{AccountID: acct, Documents: []Document{doc}, W8BEN: &W8BEN{Name: "Jane Doe", TreatyCountry: "N/A", Certified: true}},
		"w8 treaty":               UpdateTaxForm{AccountID: acct, Documents: []Document{doc}, W8BEN: &W8BEN{Name: "Jane Doe", Explanation: "TIN_NOT_ISSUED", TreatyCountry: "Canada", Certified: true}},
		"w8 name not signer":      UpdateTaxForm{AccountID: acct, Documents: []Document{doc}, W8BEN: &W8BEN{Name: "Jane Q Doe", Explanation: "TIN_NOT_ISSUED", TreatyCountry: "N/A", Certified: true}},
		"w8 file not attached":    UpdateTaxForm{AccountID: acct, Documents: []Document{doc}, W8BEN: &W8BEN{Name: "Jane Doe", Explanation: "TIN_NOT_ISSUED", TreatyCountry: "N/A", Certified: true, TaxFormFile: "W8.pdf"}},
		"w9 ssn":                  UpdateTaxForm{AccountID: acct, Documents: []Document{doc}, W9: &W9{Name: "Jane Doe", TIN: NewSecret("12345"), Cert1: true, Cert3: true}},
		"w9 uncertified":          UpdateTaxForm{AccountID: acct, Documents: []Document{doc}, W9: &W9{Name: "Jane Doe", TIN: NewSecret(secretTaxID), Cert1: true}},
		"withholding yesterday":   UpdateWithholdingStatement{AccountID: acct, EffectiveDate: now.In(eastern()).AddDate(0, 0, -1), FATCA: FATCACompliant, TreatyCountry: "N/A"},
		"withholding tomorrow":    UpdateWithholdingStatement{AccountID: acct, EffectiveDate: now.In(eastern()).AddDate(0, 0, 1), FATCA: FATCACompliant, TreatyCountry: "N/A"},
		"withholding fatca":       UpdateWithholdingStatement{AccountID: acct, EffectiveDate: now, FATCA: "YES", TreatyCountry: "N/A"},
		"accredited signer":       DeclareAccreditedInvestor{AccountID: acct, SignedBy: "jane doe", HolderNames: []string{"Jane Doe"}, Accredited: true},
		"accredited qp answers":   DeclareAccreditedInvestor{AccountID: acct, SignedBy: "Jane Doe", HolderNames: []string{"Jane Doe"}, Accredited: true, QualifiedPurchaser: &QualifiedPurchaser{Qualified: true, InvestmentCompanyAct: bptr(true)}},
		"accredited ecp highrisk": DeclareAccreditedInvestor{AccountID: acct, SignedBy: "Jane Doe", HolderNames: []string{"Jane Doe"}, Accredited: true, ECP: &EligibleContractParticipant{Eligible: true, DiscretionaryBasis: bptr(false)}},
		"accredited not":          DeclareAccreditedInvestor{AccountID: acct, SignedBy: "Jane Doe", HolderNames: []string{"Jane Doe"}, ECP: &EligibleContractParticipant{Eligible: true, DiscretionaryBasis: bptr(true)}},
		"permissions none":        AddTradingPermissions{AccountID: acct},
		"permission empty":        AddTradingPermissions{AccountID: acct, Permissions: []TradingPermission{{AssetClass: "STK"}}},
		"permission country":      AddTradingPermissions{AccountID: acct, Permissions: []TradingPermission{{Country: "MARS", Product: "STOCKS"}}},
		"permission product":      RemoveTradingPermissions{AccountID: acct, Permissions: []TradingPermission{{Country: "ALL", Product: "CRYPTO"}}},
		"permission half":         RemoveTradingPermissions{AccountID: acct, Permissions: []TradingPermission{{Country: "ALL"}}},
		"permission class":        RemoveTradingPermissions{AccountID: acct, Permissions: []TradingPermission{{AssetClass: "ETF", ExchangeGroup: "X"}}},
		"permission repeated":     RemoveTradingPermissions{AccountID: acct, Permissions: []TradingPermission{{ExchangeGroup: "X"}, {ExchangeGroup: "X"}}},
		"base currency":           ChangeBaseCurrency{AccountID: acct, Currency: "usd"},
		"fin nothing":             ChangeFinancialInformation{AccountID: acct},
		"fin net < liquid":        ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{NetWorth: decPtr("200000"), LiquidNetWorth: decPtr("300000")}},
		"fin net too big":         ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{NetWorth: decPtr("50000002")}},
		"fin net between":         ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{NetWorth: decPtr("100.5")}},
		"fin liquid too big":      ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{LiquidNetWorth: decPtr("5000002")}},
		"fin income negative":     ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{AnnualNetIncome: decPtr("-1")}},
		"fin experience level":    ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{InvestmentExperience: []InvestmentExperience{{AssetClass: "STK", KnowledgeLevel: "Expert"}}}},
		"fin experience twice":    ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{InvestmentExperience: []InvestmentExperience{{AssetClass: "STK", KnowledgeLevel: "Good"}, {AssetClass: "STK", KnowledgeLevel: "Good"}}}},
		"fin experience years":    ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{InvestmentExperience: []InvestmentExperience{{AssetClass: "OPT", YearsTrading: -1, KnowledgeLevel: "Good"}}}},
		"fin objective":           ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{InvestmentObjectives: []string{"Gambling"}}},
		"fin sow percent":         ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{SourcesOfWealth: []SourceOfWealth{{Type: "SOW-IND-Income", Percentage: 25}, {Type: "SOW-IND-Pension", Percentage: 50}}}},
		"fin sow twice":           ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{SourcesOfWealth: []SourceOfWealth{{Type: "SOW-IND-Income"}, {Type: "SOW-IND-Income"}}}},
		"fin sow other":           ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{SourcesOfWealth: []SourceOfWealth{{Type: "SOW-IND-Other"}}}},
		"fin sow long":            ChangeFinancialInformation{AccountID: acct, Info: FinancialInformation{SourcesOfWealth: []SourceOfWealth{{Type: "SOW-IND-Other", Description: strings.Repeat("x", 351)}}}},
		"margin cash":             ChangeMarginType{AccountID: acct, Margin: "Cash"},
		"margin unknown":          ChangeMarginType{AccountID: acct, Margin: "xMargin"},
		"alias long":              UpdateAccountAlias{AccountID: acct, Alias: strings.Repeat("a", 81)},
		"alias empty":             UpdateAccountAlias{AccountID: acct},
		"reps none":               UpdateRepresentatives{AccountID: acct},
		"reps sum":                UpdateRepresentatives{AccountID: acct, Representatives: []Representative{{"a1", 50}, {"b1", 40}}},
		"reps twice":              UpdateRepresentatives{AccountID: acct, Representatives: []Representative{{"a1", 50}, {"a1", 50}}},
		"bcan leading zero":       UpdateBCAN{AccountID: acct, BCAN: "0125", CENumber: "BNO808"},
		"bcan small":              UpdateBCAN{AccountID: acct, BCAN: "99", CENumber: "BNO808"},
		"bcan long":               UpdateBCAN{AccountID: acct, BCAN: "12345678901", CENumber: "BNO808"},
		"bcan letters":            UpdateBCAN{AccountID: acct, BCAN: "12a4", CENumber: "BNO808"},
		"ce number":               UpdateBCAN{AccountID: acct, BCAN: "1125", CENumber: "BNO80"},
		"fee template":            ApplyFeeTemplate{AccountID: acct, TemplateName: "Test template "},
		"documents none":          SubmitDocuments{AccountID: acct},
		"documents same form":     SubmitDocuments{AccountID: acct, Batch: DocumentBatch{Documents: []Document{doc, doc}}},
		"questionnaire form":      AnswerQuestionnaire{AccountID: acct, Form: 12, Answers: []QuestionnaireAnswer{{QuestionID: 1, AnswerID: 1}}},
		"questionnaire none":      AnswerQuestionnaire{AccountID: acct, Form: 8540},
		"questionnaire twice":     AnswerQuestionnaire{AccountID: acct, Form: 8540, Answers: []QuestionnaireAnswer{{QuestionID: 1, AnswerID: 1}, {QuestionID: 1, AnswerID: 2}}},
		"questionnaire long":      AnswerQuestionnaire{AccountID: acct, Form: 8540, Answers: []QuestionnaireAnswer{{QuestionID: 1, Detail: strings.Repeat("é", 351)}}},
		"questionnaire empty":     AnswerQuestionnaire{AccountID: acct, Form: 8540, Answers: []QuestionnaireAnswer{{QuestionID: 1}}},
		"prohibited who":          AnswerProhibitedCountryQuestionnaire{AccountID: acct, Answers: []ProhibitedCountryAnswer{{Question: ProhibitedBirth}}},
		"prohibited code":         AnswerProhibitedCountryQuestionnaire{AccountID: acct, ExternalID: "e", Answers: []ProhibitedCountryAnswer{{Question: "VISITED"}}},
		"prohibited yes details":  AnswerProhibitedCountryQuestionnaire{AccountID: acct, ExternalID: "e", Answers: []ProhibitedCountryAnswer{{Question: ProhibitedResident, Yes: true}}},
		"prohibited twice":        AnswerProhibitedCountryQuestionnaire{AccountID: acct, ExternalID: "e", Answers: []ProhibitedCountryAnswer{{Question: ProhibitedBirth}, {Question: ProhibitedBirth}}},
	}
	noteSecret(secretTaxID)
	for name, ch := range bad {
		_, err := c.UpdateAccount(ctx, ch)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantErr(t, err, ErrInvalidInput)
		if strings.Contains(err.Error(), secretTaxID) || strings.Contains(err.Error(), "123456789") {
			t.Errorf("%s: error echoes a tax id: %v", name, err)
		}
	}
	_, err := c.UpdateAccount(ctx)
	wantErr(t, err, ErrAccountChange)
	_, err = c.UpdateAccount(ctx, EnrollDRIP{AccountID: acct}, EnrollDRIP{AccountID: acct})
	wantErr(t, err, ErrAccountChange)
	_, err = c.UpdateAccount(ctx, UpdateEmail{UserName: "demouser1", Email: "a@example.com", HasAccess: true}, UpdatePassword{UserName: "demouser1", EncryptedPassword: NewSecret("x"), EncryptedKeyName: NewSecret("k")})
	wantErr(t, err, ErrAccountChange)
	_, err = c.UpdateAccount(ctx, nil)
	wantErr(t, err, ErrAccountChange)
	if n := len(srv.RequestsFor("updateAccounts")); n != 0 {
		t.Fatalf("%d refused requests reached the server", n)
	}
}

func TestUploadDocumentsSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	spec := goodDocSpec()
	spec.ExternalAccountID, spec.ExternalIndividualID = "acct-1", "ind-1"
	doc, err := NewDocument(spec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.UploadDocuments(ctx, DocumentBatch{Documents: []Document{doc}, InputLanguage: "en"})
	if err != nil || res.RequestID.IsZero() {
		t.Fatalf("%+v %v", res, err)
	}
	rec := srv.RequestsFor("createAccountsDocuments")
	b, _ := json.Marshal(rec[0].Claims["processDocuments"])
	if !strings.Contains(string(b), `"externalAccountId":"acct-1"`) || !strings.Contains(string(b), `"sha1Checksum":"`+doc.AttachedFile.SHA1Checksum+`"`) {
		t.Fatalf("sent %s", b)
	}
	_, err = c.UploadDocuments(ctx, DocumentBatch{})
	wantErr(t, err, ErrDocument)
	srv.FailNext("createAccountsDocuments", 1, http.StatusForbidden)
	_, err = c.UploadDocuments(ctx, DocumentBatch{Documents: []Document{doc}})
	wantErr(t, err, ErrForbidden)
}
