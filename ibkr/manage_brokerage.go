package ibkr

import (
	"fmt"
	"math"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Accounts within a firm: brokerage access, duplicates, additional
// accounts and the entities of an account.

// EnableInBrokerage enables an account in the firm's brokerage
// (enableAccountInBrokerage); DisableInBrokerage disables it. Both are
// IBKR kinds for introducing brokers; IBKR documents no further rules.
type EnableInBrokerage struct{ AccountID string }

// Kind implements AccountChange.
func (EnableInBrokerage) Kind() string { return "enableAccountInBrokerage" }

// Validate implements AccountChange.
func (r EnableInBrokerage) Validate(time.Time) error {
	return ValidateAccountID("enableAccountInBrokerage.accountId", r.AccountID)
}

func (r EnableInBrokerage) payload() any { return accountOnly(r) }

// DisableInBrokerage disables an account in the firm's brokerage
// (disableAccountInBrokerage).
type DisableInBrokerage struct{ AccountID string }

// Kind implements AccountChange.
func (DisableInBrokerage) Kind() string { return "disableAccountInBrokerage" }

// Validate implements AccountChange.
func (r DisableInBrokerage) Validate(time.Time) error {
	return ValidateAccountID("disableAccountInBrokerage.accountId", r.AccountID)
}

func (r DisableInBrokerage) payload() any { return accountOnly(r) }

// LinkDuplicateAccount links a duplicate of an account to the caller's
// externalId of the account it duplicates (linkDuplicateAccount).
type LinkDuplicateAccount struct {
	AccountID         string
	ExternalAccountID string
	// ClientActiveTrading says the client trades the account actively.
	ClientActiveTrading bool
}

// Kind implements AccountChange.
func (LinkDuplicateAccount) Kind() string { return "linkDuplicateAccount" }

// Validate implements AccountChange.
func (r LinkDuplicateAccount) Validate(time.Time) error {
	if err := ValidateAccountID("linkDuplicateAccount.accountId", r.AccountID); err != nil {
		return err
	}
	return ValidateExternalID("linkDuplicateAccount.externalAccountId", r.ExternalAccountID)
}

func (r LinkDuplicateAccount) payload() any {
	return struct {
		AccountID           string `json:"accountId"`
		ExternalAccountID   string `json:"externalAccountId"`
		ClientActiveTrading bool   `json:"clientActiveTrading"`
	}{r.AccountID, r.ExternalAccountID, r.ClientActiveTrading}
}

// DuplicateAccount asks IBKR for Count new accounts of the same holder
// and setup as AccountID (duplicateAccount).
type DuplicateAccount struct {
	AccountID string
	// Count is at least 1.
	Count int
}

// Kind implements AccountChange.
func (DuplicateAccount) Kind() string { return "duplicateAccount" }

// Validate implements AccountChange.
func (r DuplicateAccount) Validate(time.Time) error {
	if err := ValidateAccountID("duplicateAccount.accountId", r.AccountID); err != nil {
		return err
	}
	if r.Count < 1 || r.Count > math.MaxInt32 {
		return changeErr("duplicateAccount.numberOfDuplicates", "must be at least 1 (got %d)", r.Count)
	}
	return nil
}

func (r DuplicateAccount) payload() any {
	return struct {
		AccountID string `json:"accountId"`
		Count     int    `json:"numberOfDuplicates"`
	}{r.AccountID, r.Count}
}

// NewAccount describes an additional account of an existing customer.
type NewAccount struct {
	// ExternalID is the caller's id of the new account (optional).
	ExternalID string
	// BaseCurrency is the new account's base currency (optional).
	BaseCurrency Currency
	// Margin is "Cash", or a MarginType (RegT, Margin,
	// PortfolioMargin); empty leaves IBKR's default.
	Margin MarginType
	// Alias is at most MaxAccountAliasLen characters (optional).
	Alias string
}

// NewAccountUser gives an existing individual access to the additional
// account: ExternalIndividualID is the individual's externalId,
// ExternalUserID the caller's id of the user, Prefix an optional user
// name prefix.
type NewAccountUser struct {
	ExternalUserID, ExternalIndividualID, Prefix string
}

// AddAdditionalAccount opens another account for the customer of
// AccountID (addAdditionalAccount), with the signed agreements the new
// account needs.
type AddAdditionalAccount struct {
	AccountID string
	Account   NewAccount
	Users     []NewAccountUser
	Documents []Document
}

// Kind implements AccountChange.
func (AddAdditionalAccount) Kind() string { return "addAdditionalAccount" }

// Validate implements AccountChange.
func (r AddAdditionalAccount) Validate(time.Time) error {
	const f = "addAdditionalAccount"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	a := r.Account
	if a.ExternalID != "" {
		if err := ValidateExternalID(f+".account.externalId", a.ExternalID); err != nil {
			return err
		}
	}
	if a.BaseCurrency != "" {
		if err := checkBaseCurrency(f+".account.baseCurrency", a.BaseCurrency); err != nil {
			return err
		}
	}
	switch a.Margin {
	case "", "Cash", MarginRegT, MarginMargin, MarginPortfolio:
	default:
		return changeErr(f+".account.margin", "must be Cash, RegT, Margin or PortfolioMargin")
	}
	if err := checkFreeText(f+".account.alias", a.Alias, MaxAccountAliasLen, false); err != nil {
		return err
	}
	for i, u := range r.Users {
		uf := fmt.Sprintf("%s.users[%d]", f, i)
		if err := ValidateExternalID(uf+".externalIndividualId", u.ExternalIndividualID); err != nil {
			return err
		}
		if u.ExternalUserID != "" {
			if err := ValidateExternalID(uf+".externalUserId", u.ExternalUserID); err != nil {
				return err
			}
		}
		if u.Prefix != "" {
			if err := ValidateUserNamePrefix(uf+".prefix", u.Prefix); err != nil {
				return err
			}
		}
	}
	return checkOptionalDocuments(f+".documents", r.Documents)
}

func (r AddAdditionalAccount) payload() any {
	type account struct {
		ExternalID   string `json:"externalId,omitempty"`
		BaseCurrency string `json:"baseCurrency,omitempty"`
		Margin       string `json:"margin,omitempty"`
		Alias        string `json:"alias,omitempty"`
	}
	type user struct {
		ExternalUserID       string `json:"externalUserId,omitempty"`
		ExternalIndividualID string `json:"externalIndividualId"`
		Prefix               string `json:"prefix,omitempty"`
	}
	us := make([]user, 0, len(r.Users))
	for _, u := range r.Users {
		us = append(us, user(u))
	}
	a := r.Account
	return struct {
		AccountID string     `json:"accountId"`
		Account   account    `json:"account"`
		Users     []user     `json:"users,omitempty"`
		Documents []Document `json:"documents,omitempty"`
	}{r.AccountID, account{a.ExternalID, string(a.BaseCurrency), string(a.Margin), a.Alias}, us, r.Documents}
}

// ChangeEntities adds, updates and removes the entities of an account
// (informationChange): individuals and legal entities with their
// relationships (owners, officers, trustees ...), for organization and
// trust accounts above all. The entities use the application schema
// (package gen), as in FullRegistration; send their documents with
// SubmitDocuments, whose timestamps NewDocument builds.
type ChangeEntities struct {
	AccountID string
	Add       []gen.AddEntity
	Update    []gen.UpdateEntity
	// Delete lists IBKR's ids of the entities to remove.
	Delete []int
}

// Kind implements AccountChange.
func (ChangeEntities) Kind() string { return "informationChange" }

// Validate implements AccountChange.
func (r ChangeEntities) Validate(time.Time) error {
	const f = "informationChange"
	if err := ValidateAccountID(f+".ibAccountId", r.AccountID); err != nil {
		return err
	}
	if len(r.Add)+len(r.Update)+len(r.Delete) == 0 {
		return changeErr(f, "nothing to change: add, update or delete an entity")
	}
	for i, e := range r.Add {
		ef := fmt.Sprintf("%s.addEntities[%d]", f, i)
		if (e.Individual == nil) == (e.LegalEntity == nil) {
			return changeErr(ef, "give exactly one of individual and legalEntity")
		}
		if e.Documents != nil && len(*e.Documents) > 0 {
			return changeErr(ef+".documents", "send documents with SubmitDocuments (built with NewDocument)")
		}
		for j, rel := range unptrSlice(e.AddRelationships) {
			if err := checkRelationship(fmt.Sprintf("%s.addRelationships[%d]", ef, j), rel); err != nil {
				return err
			}
		}
	}
	seen := map[int32]bool{}
	for i, e := range r.Update {
		ef := fmt.Sprintf("%s.updateEntities[%d]", f, i)
		if e.IbEntityId == nil || *e.IbEntityId <= 0 {
			return changeErr(ef+".ibEntityId", "is required (IBKR's id of the entity)")
		}
		if seen[*e.IbEntityId] {
			return changeErr(ef+".ibEntityId", "entity %d appears twice", *e.IbEntityId)
		}
		seen[*e.IbEntityId] = true
		if e.Documents != nil && len(*e.Documents) > 0 {
			return changeErr(ef+".documents", "send documents with SubmitDocuments (built with NewDocument)")
		}
		for j, rel := range unptrSlice(e.AddRelationships) {
			if err := checkRelationship(fmt.Sprintf("%s.addRelationships[%d]", ef, j), rel); err != nil {
				return err
			}
		}
	}
	for i, id := range r.Delete {
		df := fmt.Sprintf("%s.deleteEntities[%d].ibEntityId", f, i)
		if err := checkInt32ID(df, id); err != nil {
			return err
		}
		if seen[int32(id)] {
			return changeErr(df, "entity %d is also updated or deleted twice", id)
		}
		seen[int32(id)] = true
	}
	return nil
}

func checkRelationship(field string, r gen.AddRelationship) error {
	if r.Name == nil || !r.Name.Valid() {
		return changeErr(field+".name", "is not a relationship IBKR knows")
	}
	if p := r.OwnershipPercentage; p != nil && (*p < 0 || *p > 100) {
		return changeErr(field+".ownershipPercentage", "must be 0 to 100")
	}
	return nil
}

func (r ChangeEntities) payload() any {
	type del struct {
		IbEntityID int `json:"ibEntityId"`
	}
	ds := make([]del, 0, len(r.Delete))
	for _, id := range r.Delete {
		ds = append(ds, del{id})
	}
	return struct {
		Add       []gen.AddEntity    `json:"addEntities,omitempty"`
		Update    []gen.UpdateEntity `json:"updateEntities,omitempty"`
		Delete    []del              `json:"deleteEntities,omitempty"`
		AccountID string             `json:"ibAccountId"`
	}{r.Add, r.Update, ds, r.AccountID}
}
