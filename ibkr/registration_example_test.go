package ibkr_test

import (
	"context"
	"fmt"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Full integration: the whole application schema, checked against IBKR's
// documented rules (names, email, countries, age, residential address,
// tax form name ...) before it is signed and sent.
func ExampleClient_RegisterApplication() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	s := func(v string) *string { return &v }
	typ, same := gen.CustomerTypeINDIVIDUAL, true
	app := ibkr.FullRegistration{Application: gen.Application{
		Customer: &gen.Customer{
			Type: &typ, Email: s("jane.doe@example.com"), ExternalId: s("cust-0002"), LegalResidenceCountry: s("GBR"),
			AccountHolder: &gen.IndividualApplicant{AccountHolderDetails: &[]gen.AssociatedIndividual{{
				Name:             &gen.IndividualName{First: s("Jane"), Last: s("Doe")},
				DateOfBirth:      s("1990-08-14"),
				ResidenceAddress: &gen.ResidenceAddress{Street1: s("PO Box 12"), City: s("London"), Country: s("GBR"), PostalCode: s("SW10 9QL")},
				SameMailAddress:  &same,
			}}},
		},
	}}
	_, err = c.RegisterApplication(context.Background(), app)
	fmt.Println(err)

	(*app.Application.Customer.AccountHolder.AccountHolderDetails)[0].ResidenceAddress.Street1 = s("1 Tester Street")
	reg, err := c.RegisterApplication(context.Background(), app)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reg.AccountID, reg.ExternalID, reg.Status)
	// Output:
	// ibkr: invalid customer.accountHolder.accountHolderDetails[0].residenceAddress.street1: a residential address cannot be a post office box, in care of or general delivery address
	// U1000001 cust-0002 new (N)
}
