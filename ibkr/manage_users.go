package ibkr

import (
	"fmt"
	"time"
)

// Users of existing accounts: new users, access rights, security
// questions, market data subscriptions.

// NewUserDetails describes the individual a new user belongs to.
type NewUserDetails struct {
	// ExternalID is the caller's id of the individual (optional).
	ExternalID string
	Name       PersonName
	Email      string
	// DateOfBirth is yyyy-MM-dd; the individual must be an adult.
	DateOfBirth string
	// CountryOfBirth is ISO alpha-3 (optional).
	CountryOfBirth   string
	Phones           []Phone
	ResidenceAddress *Address
	Identification   *Identification
	// AuthorizedTrader lets the user trade the account.
	AuthorizedTrader bool
}

// AddNewUser adds a user, and the individual behind it, to an existing
// account (addNewUser). Prefix (3 to 6 lower-case letters, IBKR appends
// digits) or UserName (an exact user name) chooses the login; without
// either IBKR picks one.
type AddNewUser struct {
	AccountID        string
	Prefix, UserName string
	Details          NewUserDetails
	// InputLanguage is the language of the data; Translation says the
	// data is a translation.
	InputLanguage string
	Translation   *bool
}

// Kind implements AccountChange.
func (AddNewUser) Kind() string { return "addNewUser" }

// Validate implements AccountChange.
func (r AddNewUser) Validate(now time.Time) error {
	const f = "addNewUser"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if err := checkUserChoice(f, r.Prefix, r.UserName); err != nil {
		return err
	}
	d := r.Details
	if d.ExternalID != "" {
		if err := ValidateExternalID(f+".userDetails.externalId", d.ExternalID); err != nil {
			return err
		}
	}
	if err := d.Name.check(f + ".userDetails.name"); err != nil {
		return err
	}
	if err := ValidateEmail(f+".userDetails.email", d.Email); err != nil {
		return err
	}
	if err := ValidateDateOfBirth(f+".userDetails.dateOfBirth", d.DateOfBirth, now); err != nil {
		return err
	}
	if d.CountryOfBirth != "" {
		if err := ValidateCountryCode(f+".userDetails.countryOfBirth", d.CountryOfBirth); err != nil {
			return err
		}
	}
	if err := checkPhones(f+".userDetails.phones", d.Phones); err != nil {
		return err
	}
	if a := d.ResidenceAddress; a != nil {
		if err := checkAddress(f+".userDetails.residenceAddress", a.Country, a.City, a.PostalCode, a.Street1, a.Street2, true, true); err != nil {
			return err
		}
	}
	if d.Identification != nil {
		if err := d.Identification.check(f+".userDetails.identification", now); err != nil {
			return err
		}
	}
	return checkLanguage(f+".inputLanguage", r.InputLanguage)
}

func (r AddNewUser) payload() any {
	d := r.Details
	type details struct {
		ExternalID       string              `json:"externalId,omitempty"`
		Name             *personNameWire     `json:"name"`
		Email            string              `json:"email"`
		DateOfBirth      string              `json:"dateOfBirth"`
		CountryOfBirth   string              `json:"countryOfBirth,omitempty"`
		Phones           []phoneWire         `json:"phones,omitempty"`
		ResidenceAddress *addressWire        `json:"residenceAddress,omitempty"`
		Identification   *identificationWire `json:"identification,omitempty"`
		AuthorizedTrader bool                `json:"authorizedTrader"`
	}
	return struct {
		AccountID     string  `json:"accountId"`
		Prefix        string  `json:"prefix,omitempty"`
		UserName      string  `json:"userName,omitempty"`
		Details       details `json:"userDetails"`
		InputLanguage string  `json:"inputLanguage,omitempty"`
		Translation   *bool   `json:"translation,omitempty"`
	}{r.AccountID, r.Prefix, r.UserName, details{d.ExternalID, d.Name.wire(), d.Email, d.DateOfBirth, d.CountryOfBirth,
		phonesWire(d.Phones), d.ResidenceAddress.wire(), d.Identification.wire(), d.AuthorizedTrader}, r.InputLanguage, r.Translation}
}

// CreateUser creates a login for an individual already on the account
// (createUser), named by EntityID (IBKR's id) or ExternalID (the
// caller's).
type CreateUser struct {
	AccountID            string
	Prefix, UserName     string
	EntityID, ExternalID string
	// AuthorizedTrader lets the user trade the account.
	AuthorizedTrader bool
}

// Kind implements AccountChange.
func (CreateUser) Kind() string { return "createUser" }

// Validate implements AccountChange.
func (r CreateUser) Validate(time.Time) error {
	const f = "createUser"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if err := checkUserChoice(f, r.Prefix, r.UserName); err != nil {
		return err
	}
	if r.EntityID == "" && r.ExternalID == "" {
		return changeErr(f+".id", "name the individual by id (IBKR's) or externalId")
	}
	if r.EntityID != "" && !allDigits(r.EntityID) {
		return changeErr(f+".id", "must be IBKR's numeric id of the individual")
	}
	if r.ExternalID != "" {
		return ValidateExternalID(f+".externalId", r.ExternalID)
	}
	return nil
}

func (r CreateUser) payload() any {
	return struct {
		AccountID        string `json:"accountId"`
		Prefix           string `json:"prefix,omitempty"`
		UserName         string `json:"userName,omitempty"`
		ID               string `json:"id,omitempty"`
		ExternalID       string `json:"externalId,omitempty"`
		AuthorizedTrader bool   `json:"authorizedTrader"`
	}{r.AccountID, r.Prefix, r.UserName, r.EntityID, r.ExternalID, r.AuthorizedTrader}
}

func checkUserChoice(kind, prefix, userName string) error {
	if prefix != "" && userName != "" {
		return changeErr(kind+".prefix", "give a prefix or a user name, not both")
	}
	if prefix != "" {
		return ValidateUserNamePrefix(kind+".prefix", prefix)
	}
	if userName != "" {
		return ValidateUserNameFormat(kind+".userName", userName)
	}
	return nil
}

// AccessAction is what UpdateUserAccessRights does with the
// sub-accounts. IBKR documents no values; AccessAdd and AccessRemove are
// the actions its other kinds use.
type AccessAction string

// Access actions.
const (
	AccessAdd    AccessAction = "ADD"
	AccessRemove AccessAction = "REMOVE"
)

// UpdateUserAccessRights grants or withdraws a master-level user's
// (RepID's) access to client sub-accounts (updateUserAccessRights).
type UpdateUserAccessRights struct {
	// RepID is the master-level user name.
	RepID       string
	SubAccounts []string
	Action      AccessAction
}

// Kind implements AccountChange.
func (UpdateUserAccessRights) Kind() string { return "updateUserAccessRights" }

// Validate implements AccountChange.
func (r UpdateUserAccessRights) Validate(time.Time) error {
	const f = "updateUserAccessRights"
	if err := ValidateUserNameFormat(f+".repId", r.RepID); err != nil {
		return err
	}
	if len(r.SubAccounts) == 0 {
		return changeErr(f+".subAccounts", "at least one sub-account is required")
	}
	seen := map[string]bool{}
	for i, a := range r.SubAccounts {
		af := fmt.Sprintf("%s.subAccounts[%d]", f, i)
		if err := ValidateAccountID(af, a); err != nil {
			return err
		}
		if seen[a] {
			return changeErr(af, "%s appears twice", a)
		}
		seen[a] = true
	}
	if !upperWord(string(r.Action)) {
		return changeErr(f+".action", "must be an upper-case action such as ADD or REMOVE")
	}
	return nil
}

func (r UpdateUserAccessRights) payload() any {
	return struct {
		SubAccounts []string     `json:"subAccounts"`
		RepID       string       `json:"repId"`
		Action      AccessAction `json:"action"`
	}{r.SubAccounts, r.RepID, r.Action}
}

// SecurityAnswer is one security question and its answer; the answer
// is a secret.
type SecurityAnswer struct {
	// Question is the question's text as IBKR lists it (printable
	// ASCII, at most 256 characters).
	Question string
	Answer   Secret
}

// SetSecurityQuestions sets a user's security questions and answers
// (securityQuestions). Answers are never logged or echoed.
type SetSecurityQuestions struct {
	UserName      string
	Answers       []SecurityAnswer
	InputLanguage string
}

// Kind implements AccountChange.
func (SetSecurityQuestions) Kind() string { return "securityQuestions" }

// Validate implements AccountChange.
func (r SetSecurityQuestions) Validate(time.Time) error {
	const f = "securityQuestions"
	if err := ValidateUserNameFormat(f+".referenceUserName", r.UserName); err != nil {
		return err
	}
	if len(r.Answers) == 0 {
		return changeErr(f+".details", "at least one question is required")
	}
	seen := map[string]bool{}
	for i, a := range r.Answers {
		af := fmt.Sprintf("%s.details[%d]", f, i)
		if err := checkFreeText(af+".question", a.Question, 256, true); err != nil {
			return err
		}
		if seen[a.Question] {
			return changeErr(af+".question", "is asked twice")
		}
		seen[a.Question] = true
		if a.Answer.IsZero() {
			return changeErr(af+".answer", "is required")
		}
		if err := checkDetail(af+".answer", a.Answer.Reveal()); err != nil {
			return changeErr(af+".answer", "must be at most %d characters without control characters", MaxDetailLen)
		}
	}
	return checkLanguage(f+".inputLanguage", r.InputLanguage)
}

func (r SetSecurityQuestions) payload() any {
	type detail struct {
		Question string `json:"question"`
		Answer   string `json:"answer"`
	}
	ds := make([]detail, 0, len(r.Answers))
	for _, a := range r.Answers {
		ds = append(ds, detail{a.Question, a.Answer.Reveal()})
	}
	return struct {
		Details       []detail `json:"details"`
		UserName      string   `json:"referenceUserName"`
		InputLanguage string   `json:"inputLanguage,omitempty"`
	}{ds, r.UserName, r.InputLanguage}
}

// MarketDataChange subscribes to (or, with Remove, unsubscribes from)
// one market data service, by IBKR's service id.
type MarketDataChange struct {
	Service int
	Remove  bool
}

// ManageMarketData changes a user's market data subscriptions
// (manageMarketDataSubscriptions).
type ManageMarketData struct {
	UserName string
	Changes  []MarketDataChange
}

// Kind implements AccountChange.
func (ManageMarketData) Kind() string { return "manageMarketDataSubscriptions" }

// Validate implements AccountChange.
func (r ManageMarketData) Validate(time.Time) error {
	const f = "manageMarketDataSubscriptions"
	if err := ValidateUserNameFormat(f+".referenceUserName", r.UserName); err != nil {
		return err
	}
	if len(r.Changes) == 0 {
		return changeErr(f+".service", "at least one service is required")
	}
	seen := map[int]bool{}
	for i, c := range r.Changes {
		cf := fmt.Sprintf("%s.service[%d].value", f, i)
		if err := checkInt32ID(cf, c.Service); err != nil {
			return err
		}
		if seen[c.Service] {
			return changeErr(cf, "service %d appears twice", c.Service)
		}
		seen[c.Service] = true
	}
	return nil
}

func (r ManageMarketData) payload() any {
	type service struct {
		Value  int    `json:"value"`
		Action string `json:"action"`
	}
	ss := make([]service, 0, len(r.Changes))
	for _, c := range r.Changes {
		a := string(AccessAdd)
		if c.Remove {
			a = string(AccessRemove)
		}
		ss = append(ss, service{c.Service, a})
	}
	return struct {
		Services []service `json:"service"`
		UserName string    `json:"referenceUserName"`
	}{ss, r.UserName}
}
