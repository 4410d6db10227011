package ibkr_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Opening an account with IBKR's hybrid registration: send the minimum,
// attach the proofs of identity and address the pending tasks ask for,
// and wait for IBKR to open the account.
func ExampleClient_Register() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()

	reg, err := c.Register(ctx, ibkr.HybridRegistration{
		FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com", Country: "USA",
		ExternalID: "cust-0001",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reg.AccountID, reg.UserName, reg.Status)
	for _, t := range reg.PendingTasks {
		fmt.Println("pending:", t.Form)
	}

	// The documents, signed by the holder exactly as named above.
	signed := time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)
	spec := ibkr.DocumentSpec{
		SignedBy: []string{"Jane Doe"}, HolderNames: []string{ibkr.HolderName("Jane", "", "Doe")},
		ExecutedAt: signed, LoginAt: signed.Add(-3 * time.Minute),
	}
	poi, poa := spec, spec
	poi.FormNumber, poi.FileName, poi.ProofOfIdentityType = ibkr.FormProofOfIdentity, "passport.pdf", "Passport"
	poa.FormNumber, poa.FileName, poa.ProofOfAddressType = ibkr.FormProofOfAddress, "utility-bill.pdf", "Utility Bill"
	var docs []ibkr.Document
	for _, s := range []ibkr.DocumentSpec{poi, poa} {
		d, err := ibkr.NewDocument(s, []byte("%PDF-1.4\n% scan\n%%EOF\n"))
		if err != nil {
			fmt.Println(err)
			return
		}
		docs = append(docs, d)
	}
	if _, err := c.UpdateAccount(ctx, ibkr.SubmitDocuments{AccountID: reg.AccountID, Batch: ibkr.DocumentBatch{Documents: docs}}); err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.AccountStatus(ctx, reg.AccountID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st)

	st, err = c.WaitForAccountOpen(ctx, reg.AccountID, 72*time.Hour)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st)
	// Output:
	// U1000001 jdoe001 new (N)
	// pending: 8001 (Proof of Identity and Date of Birth)
	// pending: 8002 (Proof of Address)
	// new (N), Under Review with IBKR
	// open (O)
}

// Invalid applications are refused before anything is sent.
func ExampleHybridRegistration_Validate() {
	r := ibkr.HybridRegistration{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com", Country: "US"}
	fmt.Println(r.Validate(time.Now()))
	r.Country, r.DateOfBirth = "USA", "2015-06-01"
	fmt.Println(r.Validate(time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)))
	// Output:
	// ibkr: invalid customer.legalResidenceCountry: must be a three-letter ISO country code in upper case, such as USA or GBR
	// ibkr: invalid accountHolderDetails[0].dateOfBirth: the applicant must be at least 18 years old
}

// Listing the accounts created in a date range, page by page: the
// iterator asks for the next page only when the loop wants more, and
// keeps each query under IBKR's 10,000-result limit.
func ExampleClient_AccountStatuses() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	for _, name := range []string{"Ann", "Bob", "Cid"} {
		if _, err := c.Register(ctx, ibkr.HybridRegistration{FirstName: name, LastName: "Lee", Email: name + "@example.com", Country: "CAN"}); err != nil {
			fmt.Println(err)
			return
		}
	}
	today := sb.Now()
	q := ibkr.AccountStatusQuery{ListWindow: ibkr.ListWindow{From: today, To: today, PageSize: 2}}
	for st, err := range c.AccountStatuses(ctx, q) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(st.AccountID, st.Status, st.State)
	}
	// Output:
	// U1000001 new (N) Documents Required
	// U1000002 new (N) Documents Required
	// U1000003 new (N) Documents Required
	// U1234567 open (O)
}

// Login messages tell which users must act at their next portal login.
func ExampleClient_LoginMessages() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	if _, err := sb.AddLoginMessage(ibkrtest.DemoAccountID, "W8INFO", "W-8BEN expired", 5001); err != nil {
		fmt.Println(err)
		return
	}
	today := sb.Now()
	for m, err := range c.LoginMessages(context.Background(), ibkr.LoginMessageQuery{ListWindow: ibkr.ListWindow{From: today.AddDate(0, 0, -30), To: today}}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.UserName, m.Type, m.Description, m.Tasks)
	}
	// Output:
	// demouser1 W8INFO W-8BEN expired [5001 (Form W-8BEN)]
}
