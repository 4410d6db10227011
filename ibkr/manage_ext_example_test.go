package ibkr_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Routing for pushed funds: allocate the account's virtual account number
// for USD, then send the user to the Client Portal's Direct Deposit page,
// which shows the routing and account number (no API call returns them).
func ExampleAllocateVAN() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID

	res, err := c.UpdateAccount(ctx, ibkr.AllocateVAN{AccountID: acct, Currency: ibkr.USD, Country: "USA"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Results[0].Type, res.Results[0].Status)

	// The end user's browser opens this URL once, from their address.
	s, err := c.OpenDirectDepositPage(ctx, ibkrtest.DemoUserName, "206.106.137.230", acct)
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := url.Parse(s.URL)
	fmt.Println(u.Query().Get("ACTION"), u.Query().Get("autoSelect"))

	// What the sandbox allocated (account numbers print masked).
	for _, v := range sb.VirtualAccounts(acct) {
		fmt.Println(v)
	}

	// Refused locally: a currency IBKR allocates no numbers for.
	_, err = c.UpdateAccount(ctx, ibkr.AllocateVAN{AccountID: acct, Currency: "XAU"})
	fmt.Println(errors.Is(err, ibkr.ErrInvalidInput), err)
	// Output:
	// ALLOCATE_VAN Pending
	// DirectDeposit U1234567
	// U1234567 USD: routing 123456780, account ****4567
	// true ibkr: invalid allocateVan.currency: "XAU" is not a currency IBKR allocates account numbers for
}

// A tax form login message is completed through the API once the new
// W-8BEN is in; IBKR leaves other messages (MiFIR data ...) to the
// Client Portal.
func ExampleCompleteLoginMessages() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	w8, err := sb.AddLoginMessage(acct, "W8INFO", "tax form expired", 5001)
	if err != nil {
		panic(err)
	}
	mifir, err := sb.AddLoginMessage(acct, "MIFIR_INFO", "MiFIR data required")
	if err != nil {
		panic(err)
	}

	// The renewed W-8BEN, signed by the holder (built with NewDocument).
	form, err := ibkr.NewDocument(ibkr.DocumentSpec{
		FormNumber: ibkr.FormW8BEN, FileName: "Form5001.pdf", SignedBy: []string{"Demo User"},
		HolderNames: []string{"Demo User"}, ExecutedAt: sb.Now(), LoginAt: sb.Now(),
	}, []byte("%PDF-1.4 signed W-8BEN"))
	if err != nil {
		panic(err)
	}
	_, err = c.UpdateAccount(ctx,
		ibkr.UpdateW8BEN{AccountID: acct, Documents: []ibkr.Document{form}, Form: ibkr.W8BEN{
			Name: "Demo User", Explanation: "TIN_NOT_REQUIRED", TreatyCountry: "CAN", Certified: true, TaxFormFile: "Form5001.pdf"}},
		ibkr.CompleteLoginMessages{AccountID: acct, MessageIDs: []int{w8}},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The MiFIR data goes in through the API, but its message is the
	// portal's to complete.
	_, err = c.UpdateAccount(ctx,
		ibkr.AddMiFIRData{AccountID: acct, Title: ibkr.MiFIRAccountHolder, Identifications: []ibkr.Identification{
			{Citizenship: "LIE", NationalCard: ibkr.NewSecret("LI-1234-5678")},
		}})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.UpdateAccount(ctx, ibkr.CompleteLoginMessages{AccountID: acct, MessageIDs: []int{mifir}})
	fmt.Println(errors.Is(err, ibkr.ErrBadRequest))

	lm, err := c.AccountLoginMessages(ctx, acct, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range lm.Messages {
		fmt.Println(m.Type, m.State)
	}
	// Output:
	// true
	// W8INFO COMPLETED
	// MIFIR_INFO PENDING
}

// Holder details change field by field; the individual is named by
// IBKR's id or the caller's externalId.
func ExampleChangeHolderDetails() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID

	_, err = c.UpdateAccount(ctx,
		ibkr.ChangeHolderDetails{AccountID: acct, Holders: []ibkr.HolderDetails{{
			EntityID: "172032379",
			Name:     &ibkr.PersonName{Salutation: "Ms.", First: "Jane", Last: "Smith"},
			Email:    "jane.smith@example.com",
		}}},
		ibkr.UpdateExternalID{AccountID: acct, NewExternalID: "crm-4711"},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := c.AccountDetails(ctx, acct)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Email)
	reg, err := c.FindApplication(ctx, "crm-4711")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reg.AccountID)

	// Refused locally: no individual named, a residence that is a box.
	for _, h := range []ibkr.HolderDetails{
		{Email: "jane@example.com"},
		{EntityID: "172032379", ResidenceAddress: &ibkr.Address{Street1: "PO Box 12", City: "Greenwich", Country: "USA"}},
	} {
		_, err := c.UpdateAccount(ctx, ibkr.ChangeHolderDetails{AccountID: acct, Holders: []ibkr.HolderDetails{h}})
		fmt.Println(errors.Is(err, ibkr.ErrInvalidInput), err)
	}
	// Output:
	// jane.smith@example.com
	// U1234567
	// true ibkr: invalid changeAccountHolderDetail.newAccountHolderDetails[0].id: name the individual by id (IBKR's) or externalId
	// true ibkr: invalid changeAccountHolderDetail.newAccountHolderDetails[0].residenceAddress.street1: a residential address cannot be a post office box, in care of or general delivery address
}
