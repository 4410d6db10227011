package ibkr

import (
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestRestrictionsSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	const other = "U7654321"
	if err := srv.AddAccount(other, ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	list := RestrictionList{UserName: ibkrtest.DemoUserName, RequestID: NewID(501), Rows: []RestrictionRow{
		{AccountID: ibkrtest.DemoAccountID, Action: RestrictionAdd, Restriction: "NO_OPENING_TRADES"},
		{AccountID: other, Action: RestrictionAdd, Restriction: "Closing only"},
	}}

	// The check changes nothing.
	v, err := c.VerifyRestrictions(ctx, list)
	if err != nil || !v.Success || v.RequestID != NewID(501) || !strings.Contains(v.Message, "2 rows verified: 2 to add") {
		t.Fatalf("verify %+v %v", v, err)
	}
	if got := srv.Restrictions(ibkrtest.DemoAccountID); len(got) != 0 {
		t.Fatalf("verify applied %v", got)
	}
	rec := srv.RequestsFor("verifyCSV")
	if len(rec) != 1 || rec[0].Claims["userName"] != ibkrtest.DemoUserName || rec[0].Header.Get("Content-Type") != "application/jwt" {
		t.Fatalf("request %+v", rec)
	}
	file, _ := base64.StdEncoding.DecodeString(rec[0].Claims["payload"].(string))
	if want := "accountId,action,restriction\nU1234567,ADD,NO_OPENING_TRADES\nU7654321,ADD,Closing only\n"; string(file) != want {
		t.Fatalf("file %q", file)
	}

	// Applied, all rows; the account's details show it.
	a, err := c.ApplyRestrictions(ctx, list)
	if err != nil || !a.Success || !strings.Contains(a.Message, "2 added, 0 removed") {
		t.Fatalf("apply %+v %v", a, err)
	}
	d, err := c.AccountDetails(ctx, ibkrtest.DemoAccountID)
	if err != nil || len(d.Restrictions) != 1 || d.Restrictions[0].Name != "NO_OPENING_TRADES" || d.Restrictions[0].ByIBKR || d.Restrictions[0].ID == 0 {
		t.Fatalf("details %+v %v", d, err)
	}
	// The same request id again is the same answer, applied once.
	again, err := c.ApplyRestrictions(ctx, list)
	if err != nil || *again != *a {
		t.Fatalf("again %+v %v", again, err)
	}
	if got := srv.Restrictions(other); !reflect.DeepEqual(got, []string{"Closing only"}) {
		t.Fatalf("restrictions %v", got)
	}

	// A list with refused rows: the check names them; applying it changes
	// nothing and is a *RejectedError.
	if err := srv.AddIBRestriction(other, "IB_HOLD"); err != nil {
		t.Fatal(err)
	}
	bad := RestrictionList{UserName: ibkrtest.DemoUserName, Rows: []RestrictionRow{
		{AccountID: ibkrtest.DemoAccountID, Action: RestrictionRemove, Restriction: "NO_OPENING_TRADES"},
		{AccountID: ibkrtest.DemoAccountID, Action: RestrictionAdd, Restriction: "Closing only"},
		{AccountID: "U99999999", Action: RestrictionAdd, Restriction: "X"},
		{AccountID: other, Action: RestrictionAdd, Restriction: "Closing only"},
		{AccountID: other, Action: RestrictionRemove, Restriction: "IB_HOLD"},
		{AccountID: other, Action: RestrictionRemove, Restriction: "NEVER_SET"},
	}}
	v, err = c.VerifyRestrictions(ctx, bad)
	if err != nil || v.Success || v.RequestID.IsZero() {
		t.Fatalf("verify bad %+v %v", v, err)
	}
	for _, want := range []string{"4 of 6 rows refused", "row 3: unknown account", "row 4: account U7654321 already has", "row 5: restriction \"IB_HOLD\"", "row 6: account U7654321 has no restriction"} {
		if !strings.Contains(v.Message, want) {
			t.Errorf("message %q lacks %q", v.Message, want)
		}
	}
	a, err = c.ApplyRestrictions(ctx, bad)
	var rj *RejectedError
	if !errors.As(err, &rj) || !errors.Is(err, ErrRejected) || a == nil || a.Success || rj.OperationID != "applyCSV" || !strings.Contains(a.Message, "row 3") || !strings.HasPrefix(rj.Message, "4 of 6 rows refused") {
		t.Fatalf("apply bad %+v %v", a, err)
	}
	if got := srv.Restrictions(ibkrtest.DemoAccountID); !reflect.DeepEqual(got, []string{"NO_OPENING_TRADES"}) {
		t.Fatalf("a refused list changed %v", got)
	}

	// Removing works; a closed account is refused.
	rm := RestrictionList{UserName: ibkrtest.DemoUserName, Rows: []RestrictionRow{{AccountID: ibkrtest.DemoAccountID, Action: RestrictionRemove, Restriction: "NO_OPENING_TRADES"}}}
	if a, err := c.ApplyRestrictions(ctx, rm); err != nil || !strings.Contains(a.Message, "0 added, 1 removed") {
		t.Fatalf("remove %+v %v", a, err)
	}
	if got := srv.Restrictions(ibkrtest.DemoAccountID); len(got) != 0 {
		t.Fatalf("after remove %v", got)
	}
	if err := srv.SetAccountStatus(other, ibkrtest.AccountClosed); err != nil {
		t.Fatal(err)
	}
	v, err = c.VerifyRestrictions(ctx, RestrictionList{UserName: ibkrtest.DemoUserName, Rows: []RestrictionRow{{AccountID: other, Action: RestrictionAdd, Restriction: "Y"}}})
	if err != nil || v.Success || !strings.Contains(v.Message, "row 1: account U7654321 is closed") {
		t.Fatalf("closed %+v %v", v, err)
	}

	// IBKR's 400s: an unknown user, a file that is not a restriction CSV.
	_, err = c.VerifyRestrictions(ctx, RestrictionList{UserName: "nosuchuser1", Rows: list.Rows})
	wantErr(t, err, ErrBadRequest)
	_, err = c.VerifyRestrictions(ctx, RestrictionList{UserName: ibkrtest.DemoUserName, File: []byte("symbol,side\nAAPL,BUY\n")})
	wantErr(t, err, ErrBadRequest)
	if !strings.Contains(err.Error(), "payload") {
		t.Fatalf("error %v does not name payload", err)
	}
	// A ready file in the sandbox's layout is sent as it is.
	v, err = c.VerifyRestrictions(ctx, RestrictionList{UserName: ibkrtest.DemoUserName, File: []byte(RestrictionHeader + "\r\nU1234567,ADD,Z\r\n")})
	if err != nil || !v.Success {
		t.Fatalf("file %+v %v", v, err)
	}
}

// Bad input of every field type is refused before anything is sent.
func TestRestrictionsBadInputSendNothing(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	row := RestrictionRow{AccountID: ibkrtest.DemoAccountID, Action: RestrictionAdd, Restriction: "NO_TRADING"}
	for _, tc := range []struct {
		l     RestrictionList
		field string
	}{
		{RestrictionList{Rows: []RestrictionRow{row}}, "userName"},
		{RestrictionList{UserName: "demo user", Rows: []RestrictionRow{row}}, "userName"},
		{RestrictionList{UserName: strings.Repeat("u", 65), Rows: []RestrictionRow{row}}, "userName"},
		{RestrictionList{UserName: "demouser1"}, "payload"},
		{RestrictionList{UserName: "demouser1", Rows: []RestrictionRow{row}, File: []byte("x")}, "payload"},
		{RestrictionList{UserName: "demouser1", File: []byte{0xff, 0xfe}}, "payload"},
		{RestrictionList{UserName: "demouser1", File: make([]byte, MaxRestrictionFile+1)}, "payload"},
		{RestrictionList{UserName: "demouser1", Rows: []RestrictionRow{row, {AccountID: "X1", Action: RestrictionAdd, Restriction: "A"}}}, "payload[1].accountId"},
		{RestrictionList{UserName: "demouser1", Rows: []RestrictionRow{{AccountID: "U1234567", Action: "DELETE", Restriction: "A"}}}, "payload[0].action"},
		{RestrictionList{UserName: "demouser1", Rows: []RestrictionRow{{AccountID: "U1234567", Action: RestrictionAdd}}}, "payload[0].restriction"},
		{RestrictionList{UserName: "demouser1", Rows: []RestrictionRow{{AccountID: "U1234567", Action: RestrictionAdd, Restriction: "a,b"}}}, "payload[0].restriction"},
		{RestrictionList{UserName: "demouser1", Rows: []RestrictionRow{{AccountID: "U1234567", Action: RestrictionAdd, Restriction: strings.Repeat("R", 65)}}}, "payload[0].restriction"},
	} {
		for name, call := range map[string]func(context.Context, RestrictionList) (*RestrictionResult, error){
			"verify": c.VerifyRestrictions, "apply": c.ApplyRestrictions,
		} {
			_, err := call(ctx, tc.l)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tc.field || !errors.Is(err, ErrInvalidInput) {
				t.Errorf("%s %+v: %v, want an *InputError on %s", name, tc.l.Rows, err, tc.field)
			}
		}
	}
	if n := len(srv.RequestsFor("verifyCSV")) + len(srv.RequestsFor("applyCSV")); n != 0 {
		t.Fatalf("%d refused lists reached the sandbox", n)
	}
}

// A lost answer to applyCSV is not retried blindly: the outcome is
// unknown, and sending the list again with the same RequestID applies it
// once.
func TestApplyRestrictionsLostAnswer(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	list := RestrictionList{UserName: ibkrtest.DemoUserName, RequestID: NewID(77), Rows: []RestrictionRow{
		{AccountID: ibkrtest.DemoAccountID, Action: RestrictionAdd, Restriction: "NO_OPENING_TRADES"},
	}}
	srv.DropAfterCommit("applyCSV", 1)
	_, err := c.ApplyRestrictions(ctx, list)
	if err == nil {
		t.Fatal("a dropped answer succeeded")
	}
	if n := len(srv.RequestsFor("applyCSV")); n != 1 {
		t.Fatalf("sent %d times", n)
	}
	a, err := c.ApplyRestrictions(ctx, list)
	if err != nil || !a.Success {
		t.Fatalf("retry %+v %v", a, err)
	}
	if got := srv.Restrictions(ibkrtest.DemoAccountID); !reflect.DeepEqual(got, []string{"NO_OPENING_TRADES"}) {
		t.Fatalf("restrictions %v", got)
	}
	// verifyCSV changes nothing and is retried; applyCSV is not.
	srv.FailNext("verifyCSV", 1, 503)
	if _, err = c.VerifyRestrictions(ctx, list); err != nil {
		t.Fatalf("verify after one 503: %v", err)
	}
	before := len(srv.RequestsFor("applyCSV"))
	srv.FailNext("applyCSV", 1, 503)
	_, err = c.ApplyRestrictions(ctx, RestrictionList{UserName: ibkrtest.DemoUserName, Rows: []RestrictionRow{{AccountID: ibkrtest.DemoAccountID, Action: RestrictionAdd, Restriction: "B"}}})
	if err == nil || len(srv.RequestsFor("applyCSV")) != before+1 {
		t.Fatalf("applyCSV after a 503: %v, %d requests", err, len(srv.RequestsFor("applyCSV"))-before)
	}
}
