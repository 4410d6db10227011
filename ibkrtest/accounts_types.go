package ibkrtest

import (
	"encoding/json"
	"strings"

	"github.com/ibkrweb/ibkr-go/gen"
)

// applicantSummary is what the sandbox keeps of an application, for
// every customer type: who the account is for and how it is titled.
type applicantSummary struct {
	Type        string // customer type: INDIVIDUAL, JOINT, IRA, TRUST, ORG, UGMA, UTMA
	Title       string // account title: the holders' or the entity's name
	First, Last string // the contact person, whose name the user name is built from
	Email       string
	Country     string
	ExternalID  string
	Prefix      string
}

// summarizeApplication reads an application of any customer type (the
// spec has already validated its shape) and lists what IBKR would refuse
// as missing: the holder of an individual or IRA application, both
// holders of a joint one, the trust's name and a trustee, the
// organization's name and a person associated with it, an IRA account's
// kind.
func summarizeApplication(claims []byte) (applicantSummary, []invalidArg) {
	var body struct {
		Application gen.Application `json:"application"`
	}
	_ = json.Unmarshal(claims, &body)
	app := body.Application
	c := deref(app.Customer)
	sum := applicantSummary{
		Type: string(deref(c.Type)), Email: deref(c.Email), Country: deref(c.LegalResidenceCountry),
		ExternalID: deref(c.ExternalId), Prefix: deref(c.Prefix),
	}
	if sum.Type == "" {
		sum.Type = string(gen.CustomerTypeINDIVIDUAL)
	}
	for _, u := range derefSlice(app.Users) {
		if p := deref(u.Prefix); p != "" {
			sum.Prefix = p
			break
		}
	}
	var missing []invalidArg
	need := func(field, reason string) { missing = append(missing, invalidArg{"application." + field, reason}) }
	person := func(field string, list *[]gen.AssociatedIndividual) (gen.AssociatedIndividual, bool) {
		l := derefSlice(list)
		if len(l) == 0 || l[0].Name == nil || deref(l[0].Name.First) == "" || deref(l[0].Name.Last) == "" {
			need(field+"[0].name", "first and last name are required")
			return gen.AssociatedIndividual{}, false
		}
		return l[0], true
	}
	contact := func(p gen.AssociatedIndividual) {
		sum.First, sum.Last = deref(p.Name.First), deref(p.Name.Last)
		if sum.Email == "" {
			sum.Email = deref(p.Email)
		}
		if sum.Country == "" && p.ResidenceAddress != nil {
			sum.Country = deref(p.ResidenceAddress.Country)
		}
	}
	// entity titles the account after a trust or organization.
	entity := func(field, what string, name, country *string) {
		if deref(name) == "" {
			need(field+".name", "the "+what+"'s name is required")
			return
		}
		sum.Title = deref(name)
		if sum.Country == "" {
			sum.Country = deref(country)
		}
	}
	switch gen.CustomerType(sum.Type) {
	case gen.CustomerTypeJOINT:
		j := deref(c.JointHolders)
		if j.Type == nil {
			need("customer.jointHolders.type", "the kind of joint account is required")
		}
		p1, ok1 := person("customer.jointHolders.firstHolderDetails", j.FirstHolderDetails)
		p2, ok2 := person("customer.jointHolders.secondHolderDetails", j.SecondHolderDetails)
		if ok1 && ok2 {
			contact(p1)
			sum.Title = fullName(p1) + " and " + fullName(p2)
		}
	case gen.CustomerTypeTRUST:
		t := deref(c.Trust)
		var id gen.TrustIdentification
		if ids := derefSlice(t.Identification); len(ids) > 0 {
			id = ids[0]
		}
		entity("customer.trust.identification[0]", "trust", id.Name, id.FormationCountry)
		var trustees []gen.AssociatedIndividual
		for _, tr := range derefSlice(deref(t.Trustees).Individuals) {
			var p gen.AssociatedIndividual
			if b, err := json.Marshal(tr); err == nil && json.Unmarshal(b, &p) == nil {
				trustees = append(trustees, p)
			}
		}
		for _, e := range derefSlice(deref(t.Trustees).Entities) {
			for _, emp := range derefSlice(e.Employees) {
				trustees = append(trustees, gen.AssociatedIndividual{Name: emp.Name, Email: emp.Email, ResidenceAddress: emp.ResidenceAddress})
			}
		}
		if p, ok := person("customer.trust.trustees.individuals", &trustees); ok {
			contact(p)
		}
	case gen.CustomerTypeORG:
		o := deref(c.Organization)
		var id gen.OrganizationIdentification
		if ids := derefSlice(o.Identifications); len(ids) > 0 {
			id = ids[0]
		}
		entity("customer.organization.identifications[0]", "organization", id.Name, id.FormationCountry)
		if p, ok := person("customer.organization.associatedEntities.associatedIndividuals", deref(o.AssociatedEntities).AssociatedIndividuals); ok {
			contact(p)
		}
	default: // INDIVIDUAL, IRA, UGMA, UTMA: one account holder
		if p, ok := person("customer.accountHolder.accountHolderDetails", deref(c.AccountHolder).AccountHolderDetails); ok {
			contact(p)
			sum.Title = fullName(p)
		}
	}
	if gen.CustomerType(sum.Type) == gen.CustomerTypeIRA {
		accts := derefSlice(app.Accounts)
		if len(accts) == 0 || accts[0].IraType == nil {
			need("accounts[0].iraType", "an IRA application names the kind of retirement account")
		}
	}
	if !strings.Contains(sum.Email, "@") {
		need("customer.email", "a valid email is required")
	}
	if len(sum.Country) != 3 {
		need("customer.legalResidenceCountry", "a three-letter country code is required")
	}
	return sum, missing
}

func fullName(p gen.AssociatedIndividual) string {
	parts := []string{deref(p.Name.First), deref(p.Name.Middle), deref(p.Name.Last)}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func derefSlice[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

// accountTitle is the account's title: the entity's or the holders'
// name.
func accountTitle(a *account) string {
	if a.Title != "" {
		return a.Title
	}
	return a.First + " " + a.Last
}

// applicantType is the account's customer type.
func applicantType(a *account) string {
	if a.Type != "" {
		return a.Type
	}
	return string(gen.CustomerTypeINDIVIDUAL)
}
