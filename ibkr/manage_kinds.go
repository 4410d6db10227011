package ibkr

import (
	"time"
)

// Account lifecycle requests: close, abandon, reset, reopen.

// CloseAccount closes an open account (status O, or Q, which then becomes
// R) (accountClose). IBKR processes closures between 08:00 and 11:00 US
// Eastern; later requests wait for the next day. An account still holding
// cash needs Withdrawal: IBKR sends the remaining cash there once the
// account is closed.
type CloseAccount struct {
	AccountID string
	// Reason says why the account is closed (optional, printable ASCII).
	Reason string
	// Withdrawal names a saved bank instruction of the account for the
	// remaining cash.
	Withdrawal *CloseWithdrawal
}

// CloseWithdrawal is where a closed account's remaining cash goes: a
// saved bank instruction, by name and method.
type CloseWithdrawal struct {
	// InstructionName is the saved instruction's name, exactly.
	InstructionName string
	// Method is the instruction's method, such as "WIRE" or "ACH".
	Method string
}

// Kind implements AccountChange.
func (CloseAccount) Kind() string { return "accountClose" }

// Validate implements AccountChange.
func (r CloseAccount) Validate(time.Time) error {
	if err := ValidateAccountID("accountClose.accountId", r.AccountID); err != nil {
		return err
	}
	if err := checkFreeText("accountClose.closeReason", r.Reason, 0, false); err != nil {
		return err
	}
	if w := r.Withdrawal; w != nil {
		if err := ValidateInstructionName("accountClose.withdrawalInfo.bankInstructionName", w.InstructionName, MaxTransferInstructionNameLen); err != nil {
			return err
		}
		if !upperWord(w.Method) {
			return changeErr("accountClose.withdrawalInfo.bankInstructionMethod", "must be the instruction's method in upper case, such as WIRE or ACH")
		}
	}
	return nil
}

func (r CloseAccount) payload() any {
	type wd struct {
		BankInstructionName   string `json:"bankInstructionName"`
		BankInstructionMethod string `json:"bankInstructionMethod"`
	}
	p := struct {
		AccountID   string `json:"accountId"`
		CloseReason string `json:"closeReason,omitempty"`
		Withdrawal  *wd    `json:"withdrawalInfo,omitempty"`
	}{AccountID: r.AccountID, CloseReason: r.Reason}
	if w := r.Withdrawal; w != nil {
		p.Withdrawal = &wd{w.InstructionName, w.Method}
	}
	return p
}

// AbandonApplication deletes a pending application (status N or P)
// (abandonAccount); it no longer shows as pending. IBKR also abandons
// applications left inactive for 135 days.
type AbandonApplication struct{ AccountID string }

// Kind implements AccountChange.
func (AbandonApplication) Kind() string { return "abandonAccount" }

// Validate implements AccountChange.
func (r AbandonApplication) Validate(time.Time) error {
	return ValidateAccountID("abandonAccount.accountId", r.AccountID)
}

func (r AbandonApplication) payload() any { return accountOnly(r) }

// ResetApplication brings an abandoned application (status A) less than
// six months old back (resetAbandonedAccount); the user can then continue
// the registration.
type ResetApplication struct{ AccountID string }

// Kind implements AccountChange.
func (ResetApplication) Kind() string { return "resetAbandonedAccount" }

// Validate implements AccountChange.
func (r ResetApplication) Validate(time.Time) error {
	return ValidateAccountID("resetAbandonedAccount.accountId", r.AccountID)
}

func (r ResetApplication) payload() any { return accountOnly(r) }

// ReopenAccount asks IBKR to reopen a closed account (status C, then E
// while pending) (reopenAccount).
type ReopenAccount struct{ AccountID string }

// Kind implements AccountChange.
func (ReopenAccount) Kind() string { return "reopenAccount" }

// Validate implements AccountChange.
func (r ReopenAccount) Validate(time.Time) error {
	return ValidateAccountID("reopenAccount.accountId", r.AccountID)
}

func (r ReopenAccount) payload() any { return accountOnly(r) }

type accountOnly struct {
	AccountID string `json:"accountId"`
}

// Capabilities and programs without parameters.

// AddLeveragedFX adds leveraged FX trading to an account
// (addLevFxCapability); currency conversion needs no capability.
type AddLeveragedFX struct{ AccountID string }

// Kind implements AccountChange.
func (AddLeveragedFX) Kind() string { return "addLevFxCapability" }

// Validate implements AccountChange.
func (r AddLeveragedFX) Validate(time.Time) error {
	return ValidateAccountID("addLevFxCapability.accountId", r.AccountID)
}

func (r AddLeveragedFX) payload() any { return accountOnly(r) }

// EnrollDRIP enrolls an account in dividend reinvestment (enrollInDrip),
// available to accounts of IB LLC, AU, CAN, HK, IE, JP, SG and UK. For
// fully-disclosed and advisor clients the holder must first sign the
// form IBKR presents.
type EnrollDRIP struct{ AccountID string }

// Kind implements AccountChange.
func (EnrollDRIP) Kind() string { return "enrollInDrip" }

// Validate implements AccountChange.
func (r EnrollDRIP) Validate(time.Time) error {
	return ValidateAccountID("enrollInDrip.accountId", r.AccountID)
}

func (r EnrollDRIP) payload() any { return accountOnly(r) }

// LeaveDRIP ends an account's dividend reinvestment (leaveDrip).
type LeaveDRIP struct{ AccountID string }

// Kind implements AccountChange.
func (LeaveDRIP) Kind() string { return "leaveDrip" }

// Validate implements AccountChange.
func (r LeaveDRIP) Validate(time.Time) error {
	return ValidateAccountID("leaveDrip.accountId", r.AccountID)
}

func (r LeaveDRIP) payload() any { return accountOnly(r) }

// EnrollSYEP enrolls an account in the Stock Yield Enhancement Program
// (enrollInSyep), with the signed program documents if IBKR requires
// them. Requests before 17:00 US Eastern are processed the same day.
type EnrollSYEP struct {
	AccountID string
	// Documents are the signed program agreements, if any.
	Documents []Document
}

// Kind implements AccountChange.
func (EnrollSYEP) Kind() string { return "enrollInSyep" }

// Validate implements AccountChange.
func (r EnrollSYEP) Validate(time.Time) error {
	if err := ValidateAccountID("enrollInSyep.accountId", r.AccountID); err != nil {
		return err
	}
	return checkOptionalDocuments("enrollInSyep.documents", r.Documents)
}

func (r EnrollSYEP) payload() any {
	return struct {
		AccountID string     `json:"accountId"`
		Documents []Document `json:"documents,omitempty"`
	}{r.AccountID, r.Documents}
}

// LeaveSYEP ends an account's Stock Yield Enhancement Program (leaveSyep).
// Requests before 17:00 US Eastern are processed the same day.
type LeaveSYEP struct{ AccountID string }

// Kind implements AccountChange.
func (LeaveSYEP) Kind() string { return "leaveSyep" }

// Validate implements AccountChange.
func (r LeaveSYEP) Validate(time.Time) error {
	return ValidateAccountID("leaveSyep.accountId", r.AccountID)
}

func (r LeaveSYEP) payload() any { return accountOnly(r) }

// AddCLPCapability adds the complex leveraged products capability
// (addCLPCapability). Fully-disclosed and advisor clients must first sign
// form 4155 (FormComplexProductsRiskDisclosure), attached here; IBKR
// checks age, experience (two years of stocks and of options or futures)
// and financial information.
type AddCLPCapability struct {
	AccountID string
	Documents []Document
}

// Kind implements AccountChange.
func (AddCLPCapability) Kind() string { return "addCLPCapability" }

// Validate implements AccountChange.
func (r AddCLPCapability) Validate(time.Time) error {
	if err := ValidateAccountID("addCLPCapability.accountId", r.AccountID); err != nil {
		return err
	}
	return checkOptionalDocuments("addCLPCapability.documents", r.Documents)
}

func (r AddCLPCapability) payload() any {
	return struct {
		AccountID string     `json:"accountId"`
		Documents []Document `json:"documents,omitempty"`
	}{r.AccountID, r.Documents}
}

// Settings.

// SetPricingPlan switches an account between IBKR Lite and Pro
// (accountConfiguration, type LiteExecution). Requests before 15:00 US
// Eastern are processed around 17:00 the same business day, later ones
// the next business day.
type SetPricingPlan struct {
	AccountID string
	// Lite selects IBKR Lite (true) or Pro (false).
	Lite bool
}

// Kind implements AccountChange.
func (SetPricingPlan) Kind() string { return "accountConfiguration" }

// Validate implements AccountChange.
func (r SetPricingPlan) Validate(time.Time) error {
	return ValidateAccountID("accountConfiguration.accountId", r.AccountID)
}

func (r SetPricingPlan) payload() any {
	return struct {
		AccountID string `json:"accountId"`
		Type      string `json:"type"`
		Value     bool   `json:"value"`
	}{r.AccountID, "LiteExecution", r.Lite}
}

// ChangeBaseCurrency changes an open account's base currency
// (changeBaseCurrency), effective the next business day.
type ChangeBaseCurrency struct {
	AccountID string
	Currency  Currency
}

// Kind implements AccountChange.
func (ChangeBaseCurrency) Kind() string { return "changeBaseCurrency" }

// Validate implements AccountChange.
func (r ChangeBaseCurrency) Validate(time.Time) error {
	if err := ValidateAccountID("changeBaseCurrency.accountId", r.AccountID); err != nil {
		return err
	}
	return checkBaseCurrency("changeBaseCurrency.newBaseCurrency", r.Currency)
}

func (r ChangeBaseCurrency) payload() any {
	return struct {
		AccountID       string `json:"accountId"`
		NewBaseCurrency string `json:"newBaseCurrency"`
	}{r.AccountID, string(r.Currency)}
}

// UpdateAccountAlias sets the alias that replaces the account number on
// statements, the portal and TWS (updateAccountAlias); effective at once.
type UpdateAccountAlias struct {
	AccountID string
	// Alias is 1 to MaxAccountAliasLen printable ASCII characters.
	Alias string
}

// Kind implements AccountChange.
func (UpdateAccountAlias) Kind() string { return "updateAccountAlias" }

// Validate implements AccountChange.
func (r UpdateAccountAlias) Validate(time.Time) error {
	if err := ValidateAccountID("updateAccountAlias.accountId", r.AccountID); err != nil {
		return err
	}
	return checkFreeText("updateAccountAlias.accountAlias", r.Alias, MaxAccountAliasLen, true)
}

func (r UpdateAccountAlias) payload() any {
	return struct {
		AccountID    string `json:"accountId"`
		AccountAlias string `json:"accountAlias"`
	}{r.AccountID, r.Alias}
}

// ApplyFeeTemplate assigns a fee template defined in the portal to an
// account (applyFeeTemplate). The name must match the template's exactly
// (case and spaces). Broker changes before 17:00 ET take effect from the
// next business day; advisor fee increases need the client's
// acknowledgement in the portal.
type ApplyFeeTemplate struct {
	AccountID    string
	TemplateName string
}

// Kind implements AccountChange.
func (ApplyFeeTemplate) Kind() string { return "applyFeeTemplate" }

// Validate implements AccountChange.
func (r ApplyFeeTemplate) Validate(time.Time) error {
	if err := ValidateAccountID("applyFeeTemplate.accountId", r.AccountID); err != nil {
		return err
	}
	return checkFreeText("applyFeeTemplate.templateName", r.TemplateName, 0, true)
}

func (r ApplyFeeTemplate) payload() any {
	return struct {
		AccountID    string `json:"accountId"`
		TemplateName string `json:"templateName"`
	}{r.AccountID, r.TemplateName}
}

// Representatives and BCAN.

// Representative is an account representative and their share.
type Representative struct {
	// UserName is the representative's IBKR user name, listed on the
	// master account.
	UserName string
	// Percentage is the representative's share, 1 to 100; the shares of
	// all representatives add up to 100.
	Percentage int
}

// UpdateRepresentatives sets an account's representatives
// (updateAccountRepresentatives).
type UpdateRepresentatives struct {
	AccountID       string
	Representatives []Representative
}

// Kind implements AccountChange.
func (UpdateRepresentatives) Kind() string { return "updateAccountRepresentatives" }

// Validate implements AccountChange.
func (r UpdateRepresentatives) Validate(time.Time) error {
	const f = "updateAccountRepresentatives"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if len(r.Representatives) == 0 {
		return changeErr(f+".representativeDetails", "at least one representative is required")
	}
	seen, sum := map[string]bool{}, 0
	for _, rep := range r.Representatives {
		if err := checkFreeText(f+".representativeDetails.representativeId", rep.UserName, 64, true); err != nil {
			return err
		}
		if seen[rep.UserName] {
			return changeErr(f+".representativeDetails", "representative %q appears twice", rep.UserName)
		}
		seen[rep.UserName] = true
		if rep.Percentage < 1 || rep.Percentage > 100 {
			return changeErr(f+".representativeDetails.percentage", "must be 1 to 100 (got %d)", rep.Percentage)
		}
		sum += rep.Percentage
	}
	if sum != 100 {
		return changeErr(f+".representativeDetails.percentage", "shares must add up to 100 (got %d)", sum)
	}
	return nil
}

func (r UpdateRepresentatives) payload() any {
	type rep struct {
		RepresentativeID string `json:"representativeId"`
		Percentage       int    `json:"percentage"`
	}
	reps := make([]rep, 0, len(r.Representatives))
	for _, x := range r.Representatives {
		reps = append(reps, rep{x.UserName, x.Percentage})
	}
	return struct {
		AccountID string `json:"accountId"`
		Reps      []rep  `json:"representativeDetails"`
	}{r.AccountID, reps}
}

// UpdateBCAN sets the Broker-to-Client Assigned Number that Hong Kong's
// SFC requires of IB-HK clients trading SEHK stocks or bonds (updateBcan);
// for non-disclosed brokers only.
type UpdateBCAN struct {
	AccountID string
	// BCAN is 1 to 10 digits without a leading zero, and not 1 to 99.
	BCAN string
	// CENumber is the broker's central entity number: 6 letters or
	// digits.
	CENumber string
}

// Kind implements AccountChange.
func (UpdateBCAN) Kind() string { return "updateBcan" }

// Validate implements AccountChange.
func (r UpdateBCAN) Validate(time.Time) error {
	if err := ValidateAccountID("updateBcan.accountId", r.AccountID); err != nil {
		return err
	}
	b := r.BCAN
	if len(b) < 1 || len(b) > 10 || !allDigits(b) {
		return changeErr("updateBcan.bcan", "must be 1 to 10 digits")
	}
	if b[0] == '0' {
		return changeErr("updateBcan.bcan", "must not start with 0")
	}
	if len(b) <= 2 {
		return changeErr("updateBcan.bcan", "must not be 1 to 99")
	}
	if len(r.CENumber) != 6 {
		return changeErr("updateBcan.ceNumber", "must be 6 letters or digits")
	}
	for i := 0; i < len(r.CENumber); i++ {
		if !isAlnum(r.CENumber[i]) {
			return changeErr("updateBcan.ceNumber", "must be 6 letters or digits")
		}
	}
	return nil
}

func (r UpdateBCAN) payload() any {
	return struct {
		AccountID string `json:"accountId"`
		BCAN      string `json:"bcan"`
		CENumber  string `json:"ceNumber"`
	}{r.AccountID, r.BCAN, r.CENumber}
}

// Documents.

// SubmitDocuments submits documents for an existing account's
// registration tasks (documentSubmission): agreements, proofs of identity
// and address, proofs of source of wealth. IBKR takes one document per
// form number (combine pages and sides into one file) and typically
// reviews them within 24 hours.
type SubmitDocuments struct {
	AccountID string
	Batch     DocumentBatch
}

// Kind implements AccountChange.
func (SubmitDocuments) Kind() string { return "documentSubmission" }

// Validate implements AccountChange.
func (r SubmitDocuments) Validate(time.Time) error {
	if err := ValidateAccountID("documentSubmission.accountId", r.AccountID); err != nil {
		return err
	}
	return r.Batch.Validate()
}

func (r SubmitDocuments) payload() any { return documentSubmission(r.AccountID, r.Batch) }

type documentSubmissionWire struct {
	AccountID     string     `json:"accountId"`
	Documents     []Document `json:"documents"`
	InputLanguage string     `json:"inputLanguage,omitempty"`
	Translation   *bool      `json:"translation,omitempty"`
}

func documentSubmission(accountID string, b DocumentBatch) *documentSubmissionWire {
	return &documentSubmissionWire{accountID, b.Documents, b.InputLanguage, b.Translation}
}

// checkOptionalDocuments validates documents when there are any.
func checkOptionalDocuments(field string, docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	if err := (DocumentBatch{Documents: docs}).Validate(); err != nil {
		if e, ok := err.(*InputError); ok {
			e.Field = field
		}
		return err
	}
	return nil
}

// Text helpers.

// checkFreeText checks a short free text: printable ASCII, no spaces at
// either end, at most maxLen bytes (0: no bound), required or not.
func checkFreeText(field, s string, maxLen int, required bool) error {
	if s == "" {
		if required {
			return changeErr(field, "is required")
		}
		return nil
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return changeErr(field, "must be printable ASCII")
		}
	}
	if maxLen > 0 && len(s) > maxLen {
		return changeErr(field, "must be at most %d characters (got %d)", maxLen, len(s))
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return changeErr(field, "must not start or end with a space (IBKR matches it exactly)")
	}
	return nil
}

// upperWord reports whether s is 1 to 16 upper-case letters, digits or
// underscores.
func upperWord(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
