package specfacts

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/wire"
)

// Payloads from IBKR's documentation (workflow examples, with the JSON
// syntax errors of the examples fixed, quoted numbers unquoted as the
// document types them, 19-digit ids where the examples use short ones, and
// the ACH deposit's amount written as 500.00 to show that scale survives).
// 1234567890123456789 is beyond float64's exact range: a float would turn
// it into 1234567890123456768.
// Each has two spellings: doc is the key order of the documentation, canon
// the same values in the order the generated Go struct writes them.
type payload struct {
	name       string
	doc, canon string
	newValue   func() any
}

var payloads = []payload{
	{
		name: "ACH instruction",
		doc: `{"instructionType":"ACH_INSTRUCTION","instruction":{"clientInstructionId":1012983,"bankInstructionCode":"USACH",` +
			`"achType":"DEBIT_CREDIT","bankInstructionName":"TestInstr","currency":"USD","accountId":"U223454",` +
			`"clientAccountInfo":{"bankRoutingNumber":"202012983","bankAccountNumber":"101267576983","bankName":"JPM Chase","bankAccountTypeCode":1}}}`,
		canon: `{"instruction":{"accountId":"U223454","achType":"DEBIT_CREDIT","bankInstructionCode":"USACH","bankInstructionName":"TestInstr",` +
			`"clientAccountInfo":{"bankAccountNumber":"101267576983","bankAccountTypeCode":1,"bankName":"JPM Chase","bankRoutingNumber":"202012983"},` +
			`"clientInstructionId":1012983,"currency":"USD"},"instructionType":"ACH_INSTRUCTION"}`,
		newValue: func() any { return new(gen.AchInstructionRequest) },
	},
	{
		name: "micro-deposit verification",
		doc: `{"instructionType":"TRADITIONAL_BANK_INSTRUCTION_VERIFICATION","instruction":{"clientInstructionId":7013057,` +
			`"bankInstructionCode":"USACH","bankInstructionName":"ACH-Tst1Random172","accountId":"U117717",` +
			`"pendingInstructionId":1234567890123456789,"creditAmount1":0.32,"creditAmount2":0.46}}`,
		canon: `{"instruction":{"accountId":"U117717","bankInstructionCode":"USACH","bankInstructionName":"ACH-Tst1Random172",` +
			`"clientInstructionId":7013057,"creditAmount1":0.32,"creditAmount2":0.46,"pendingInstructionId":1234567890123456789},` +
			`"instructionType":"TRADITIONAL_BANK_INSTRUCTION_VERIFICATION"}`,
		newValue: func() any { return new(gen.TraditionalBankInstructionVerificationRequest) },
	},
	{
		name: "ACH deposit",
		doc: `{"instructionType":"DEPOSIT","instruction":{"clientInstructionId":7013045,"accountId":"U46377","currency":"USD",` +
			`"amount":500.00,"bankInstructionMethod":"ACH","bankInstructionName":"My Checking Account"}}`,
		canon: `{"instruction":{"accountId":"U46377","amount":500.00,"bankInstructionMethod":"ACH","bankInstructionName":"My Checking Account",` +
			`"clientInstructionId":7013045,"currency":"USD"},"instructionType":"DEPOSIT"}`,
		newValue: func() any { return new(gen.DepositFundsInstructionRequest) },
	},
	{
		name: "wire deposit notice",
		doc: `{"instructionType":"DEPOSIT","instruction":{"clientInstructionId":7013045,"accountId":"U46377","currency":"USD",` +
			`"amount":100,"bankInstructionMethod":"WIRE","sendingInstitution":"Chase Bank","identifier":"123456",` +
			`"specialInstruction":"My Deposit","bankInstructionName":"Instruction"}}`,
		canon: `{"instruction":{"accountId":"U46377","amount":100,"bankInstructionMethod":"WIRE","bankInstructionName":"Instruction",` +
			`"clientInstructionId":7013045,"currency":"USD","identifier":"123456","sendingInstitution":"Chase Bank",` +
			`"specialInstruction":"My Deposit"},"instructionType":"DEPOSIT"}`,
		newValue: func() any { return new(gen.DepositFundsInstructionRequest) },
	},
	{
		name: "wire withdrawal",
		doc: `{"instructionType":"WITHDRAWAL","instruction":{"clientInstructionId":7013048,"accountId":"U46377",` +
			`"bankInstructionName":"Test Withdrawal","bankInstructionMethod":"WIRE","amount":123.45,"currency":"USD",` +
			`"dateTimeToOccur":"2023-11-20T09:12:13Z"}}`,
		canon: `{"instruction":{"accountId":"U46377","amount":123.45,"bankInstructionMethod":"WIRE","bankInstructionName":"Test Withdrawal",` +
			`"clientInstructionId":7013048,"currency":"USD","dateTimeToOccur":"2023-11-20T09:12:13Z"},"instructionType":"WITHDRAWAL"}`,
		newValue: func() any { return new(gen.WithdrawFundsInstructionRequest) },
	},
	{
		name: "internal cash transfer",
		doc: `{"instructionType":"INTERNAL_CASH_TRANSFER","instruction":{"clientInstructionId":1012983,"sourceAccountId":"U46377",` +
			`"targetAccountId":"U15667","amount":123.45,"currency":"GBP","dateTimeToOccur":"2018-03-20T09:12:13Z"}}`,
		canon: `{"instruction":{"amount":123.45,"clientInstructionId":1012983,"currency":"GBP","dateTimeToOccur":"2018-03-20T09:12:13Z",` +
			`"sourceAccountId":"U46377","targetAccountId":"U15667"},"instructionType":"INTERNAL_CASH_TRANSFER"}`,
		newValue: func() any { return new(gen.InternalCashTransferInstructionRequest) },
	},
	{
		name: "cancel instruction",
		doc: `{"instructionType":"CANCEL_INSTRUCTION","instruction":{"clientInstructionId":12001810,` +
			`"instructionId":1234567890123456789,"reason":"Testing"}}`,
		canon: `{"instruction":{"clientInstructionId":12001810,"instructionId":1234567890123456789,"reason":"Testing"},` +
			`"instructionType":"CANCEL_INSTRUCTION"}`,
		newValue: func() any { return new(gen.CancelInstructionRequest) },
	},
	{
		name: "ACH instruction accepted (202)",
		doc: `{"status":202,"instructionSetId":9123456789012345678,"instructionResult":{"clientInstructionId":1012983,` +
			`"instructionType":"ACH_INSTRUCTION","instructionStatus":"PENDING","instructionId":1234567890123456789,` +
			`"ibReferenceId":1234567890123456790,"description":"Verification in progress"}}`,
		canon: `{"instructionResult":{"clientInstructionId":1012983,"description":"Verification in progress",` +
			`"ibReferenceId":1234567890123456790,"instructionId":1234567890123456789,"instructionStatus":"PENDING",` +
			`"instructionType":"ACH_INSTRUCTION"},"instructionSetId":9123456789012345678,"status":202}`,
		newValue: func() any { return new(gen.AsynchronousInstructionResponse) },
	},
	{
		name: "instruction status from client-instructions",
		doc: `{"status":200,"instructionSetId":9123456789012345678,"instructionResult":{"clientInstructionId":1012983,` +
			`"instructionType":"ACH_INSTRUCTION","instructionStatus":"PENDING_VERIFICATION","instructionId":1234567890123456789}}`,
		canon: `{"instructionResult":{"clientInstructionId":1012983,"instructionId":1234567890123456789,` +
			`"instructionStatus":"PENDING_VERIFICATION","instructionType":"ACH_INSTRUCTION"},"instructionSetId":9123456789012345678,"status":200}`,
		newValue: func() any { return new(gen.InstructionPollingResponse) },
	},
	{
		name: "rejected instruction status",
		doc: `{"status":200,"instructionSetId":9123456789012345678,"instructionResult":{"clientInstructionId":7013057,` +
			`"instructionType":"TRADITIONAL_BANK_INSTRUCTION_VERIFICATION","instructionStatus":"REJECTED","instructionId":1234567890123456791,` +
			`"error":{"errorCode":"ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE","errorMessage":"Instruction is not pending verification"}}}`,
		canon: `{"instructionResult":{"clientInstructionId":7013057,"error":{"errorCode":"ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE",` +
			`"errorMessage":"Instruction is not pending verification"},"instructionId":1234567890123456791,"instructionStatus":"REJECTED",` +
			`"instructionType":"TRADITIONAL_BANK_INSTRUCTION_VERIFICATION"},"instructionSetId":9123456789012345678,"status":200}`,
		newValue: func() any { return new(gen.InstructionPollingResponse) },
	},
	{
		name: "account status",
		doc: `{"dateOpened":"2024-01-08T14:30:00Z","dateStarted":"2024-01-05T09:15:00Z","accountId":"U1234567","status":"O",` +
			`"description":"Open","masterAccountId":"I1234567"}`,
		canon: `{"accountId":"U1234567","dateOpened":"2024-01-08T14:30:00Z","dateStarted":"2024-01-05T09:15:00Z","description":"Open",` +
			`"masterAccountId":"I1234567","status":"O"}`,
		newValue: func() any { return new(gen.AccountStatusResponse) },
	},
	{
		name: "pending account status",
		doc: `{"dateStarted":"2024-01-05T09:15:00-05:00","accountId":"U7654321","status":"P","description":"Pending",` +
			`"masterAccountId":"I1234567","state":"Documents Required"}`,
		canon: `{"accountId":"U7654321","dateStarted":"2024-01-05T09:15:00-05:00","description":"Pending","masterAccountId":"I1234567",` +
			`"state":"Documents Required","status":"P"}`,
		newValue: func() any { return new(gen.AccountStatusResponse) },
	},
	{
		name: "token response",
		doc:  `{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"Bearer","scope":"accounts.read bank-instructions.write","expires_in":86399}`,
		canon: `{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","expires_in":86399,"scope":"accounts.read bank-instructions.write",` +
			`"token_type":"Bearer"}`,
		newValue: func() any { return new(gen.TokenResponse) },
	},
}

// sameJSON reports whether a and b hold the same JSON values, numbers
// compared by their exact text (so 500.00 is not 500).
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	decode := func(s string) any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("invalid JSON %s: %v", s, err)
		}
		return v
	}
	return reflect.DeepEqual(decode(a), decode(b))
}

func TestGeneratedTypesRoundTripDocumentationPayloads(t *testing.T) {
	for _, p := range payloads {
		t.Run(p.name, func(t *testing.T) {
			if !sameJSON(t, p.doc, p.canon) {
				t.Fatal("canon is not the documentation payload reordered")
			}
			for _, in := range []string{p.canon, p.doc} {
				v := p.newValue()
				if err := json.Unmarshal([]byte(in), v); err != nil {
					t.Fatalf("unmarshal into %T: %v", v, err)
				}
				out, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("marshal %T: %v", v, err)
				}
				if string(out) != p.canon {
					t.Fatalf("%T round trip:\n got %s\nwant %s", v, out, p.canon)
				}
			}
		})
	}
}

func TestExactValuesInGeneratedTypes(t *testing.T) {
	var v gen.TraditionalBankInstructionVerificationRequest
	if err := json.Unmarshal([]byte(payloads[1].doc), &v); err != nil {
		t.Fatal(err)
	}
	in := v.Instruction
	if in.CreditAmount1 != wire.MustDecimal("0.32") || in.CreditAmount2 != wire.MustDecimal("0.46") {
		t.Fatalf("credit amounts %s %s", in.CreditAmount1, in.CreditAmount2)
	}
	if in.PendingInstructionId.String() != "1234567890123456789" {
		t.Fatalf("pendingInstructionId %s", in.PendingInstructionId)
	}
	var w gen.WithdrawFundsInstructionRequest
	if err := json.Unmarshal([]byte(payloads[4].doc), &w); err != nil {
		t.Fatal(err)
	}
	if w.Instruction.Amount.Coefficient() != 12345 || w.Instruction.Amount.Scale() != 2 {
		t.Fatalf("amount %d×10^-%d", w.Instruction.Amount.Coefficient(), w.Instruction.Amount.Scale())
	}
	var d gen.DepositFundsInstructionRequest
	if err := json.Unmarshal([]byte(payloads[2].doc), &d); err != nil {
		t.Fatal(err)
	}
	if d.Instruction.Amount.String() != "500.00" {
		t.Fatalf("deposit amount %s, want 500.00", d.Instruction.Amount)
	}
}

// The documentation's own examples quote ids and amounts; they decode to
// the same values and go back out as bare numbers.
func TestQuotedNumbersFromTheDocumentation(t *testing.T) {
	quoted := `{"instructionType":"WITHDRAWAL","instruction":{"clientInstructionId":"7013048","accountId":"U46377",` +
		`"bankInstructionName":"Test Withdrawal","bankInstructionMethod":"ACH","amount":"500.12","currency":"USD",` +
		`"dateTimeToOccur":"2023-11-20T09:12:13Z"}}`
	var w gen.WithdrawFundsInstructionRequest
	if err := json.Unmarshal([]byte(quoted), &w); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"instruction":{"accountId":"U46377","amount":500.12,"bankInstructionMethod":"ACH","bankInstructionName":"Test Withdrawal",` +
		`"clientInstructionId":7013048,"currency":"USD","dateTimeToOccur":"2023-11-20T09:12:13Z"},"instructionType":"WITHDRAWAL"}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
}

// marshalUnion checks that a union value marshals to want exactly.
func marshalUnion(t *testing.T, v any, want string) {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Fatalf("%T: got %s\nwant %s", v, out, want)
	}
}

func TestBankInstructionUnion(t *testing.T) {
	ach, verify := payloads[0], payloads[1]

	// Decode the documentation payload into the union, then into its kind.
	var u gen.CreateBankInstructionsRequest
	if err := json.Unmarshal([]byte(ach.doc), &u); err != nil {
		t.Fatal(err)
	}
	if kind, err := u.Discriminator(); err != nil || kind != "ACH_INSTRUCTION" {
		t.Fatalf("Discriminator = %q, %v", kind, err)
	}
	v, err := u.ValueByDiscriminator()
	if err != nil {
		t.Fatal(err)
	}
	a, ok := v.(gen.AchInstructionRequest)
	if !ok {
		t.Fatalf("ValueByDiscriminator gave %T", v)
	}
	if a.Instruction.ClientAccountInfo.BankAccountTypeCode != gen.AchClientAccountInfoBankAccountTypeCodeChecking || a.Instruction.ClientInstructionId != wire.NewID(1012983) {
		t.Fatalf("decoded %+v", a.Instruction)
	}
	marshalUnion(t, a, ach.canon)

	// Build the union from the typed value: From* sets instructionType.
	a.InstructionType = ""
	var built gen.CreateBankInstructionsRequest
	if err := built.FromAchInstructionRequest(a); err != nil {
		t.Fatal(err)
	}
	marshalUnion(t, built, ach.canon)

	// The verification kind through the same union.
	var uv gen.CreateBankInstructionsRequest
	if err := json.Unmarshal([]byte(verify.doc), &uv); err != nil {
		t.Fatal(err)
	}
	tv, err := uv.AsTraditionalBankInstructionVerificationRequest()
	if err != nil {
		t.Fatal(err)
	}
	marshalUnion(t, tv, verify.canon)
	var builtV gen.CreateBankInstructionsRequest
	if err := builtV.FromTraditionalBankInstructionVerificationRequest(tv); err != nil {
		t.Fatal(err)
	}
	marshalUnion(t, builtV, verify.canon)
	if kind, _ := builtV.Discriminator(); kind != "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION" {
		t.Fatalf("Discriminator = %q", kind)
	}
}

func TestCashTransferUnion(t *testing.T) {
	for _, p := range []payload{payloads[2], payloads[3], payloads[4]} {
		var u gen.CreateExternalCashTransfersRequest
		if err := json.Unmarshal([]byte(p.doc), &u); err != nil {
			t.Fatal(err)
		}
		v, err := u.ValueByDiscriminator()
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		var built gen.CreateExternalCashTransfersRequest
		switch x := v.(type) {
		case gen.DepositFundsInstructionRequest:
			err = built.FromDepositFundsInstructionRequest(x)
		case gen.WithdrawFundsInstructionRequest:
			err = built.FromWithdrawFundsInstructionRequest(x)
		default:
			t.Fatalf("%s: ValueByDiscriminator gave %T", p.name, v)
		}
		if err != nil {
			t.Fatal(err)
		}
		marshalUnion(t, v, p.canon)
		marshalUnion(t, built, p.canon)
	}
}

func TestBulkUnionHasTypedItems(t *testing.T) {
	doc := `{"instructionType":"ACH_INSTRUCTION","instructions":[` +
		strings.TrimSuffix(strings.TrimPrefix(payloads[0].doc, `{"instructionType":"ACH_INSTRUCTION","instruction":`), `}`) + `]}`
	var u gen.BulkBankInstructionsRequest
	if err := json.Unmarshal([]byte(doc), &u); err != nil {
		t.Fatal(err)
	}
	b, err := u.AsAchInstructionBulkRequest()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Instructions) != 1 || b.Instructions[0].ClientAccountInfo.BankRoutingNumber != "202012983" {
		t.Fatalf("bulk items %+v", b.Instructions)
	}
	var built gen.BulkBankInstructionsRequest
	if err := built.FromAchInstructionBulkRequest(b); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(built)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, string(out), doc) {
		t.Fatalf("bulk round trip %s", out)
	}
}

func TestClientInstructionsResponseUnion(t *testing.T) {
	p := payloads[8] // instruction status from client-instructions
	var body gen.GetClientInstructions200JSONResponseBody
	if err := json.Unmarshal([]byte(p.doc), &body); err != nil {
		t.Fatal(err)
	}
	st, err := body.AsInstructionPollingResponse()
	if err != nil {
		t.Fatal(err)
	}
	if st.InstructionResult == nil || st.InstructionResult.InstructionStatus != gen.PollingInstructionResultInstructionStatusPENDINGVERIFICATION {
		t.Fatalf("status %+v", st.InstructionResult)
	}
	if st.InstructionSetId.String() != "9123456789012345678" {
		t.Fatalf("instructionSetId %s", st.InstructionSetId)
	}
	var built gen.GetClientInstructions200JSONResponseBody
	if err := built.FromInstructionPollingResponse(st); err != nil {
		t.Fatal(err)
	}
	marshalUnion(t, built, p.canon)

	// The same bytes read as a deposit status keep the shared fields.
	dep, err := body.AsDepositFundsPollingResponse()
	if err != nil {
		t.Fatal(err)
	}
	if dep.InstructionSetId != st.InstructionSetId {
		t.Fatalf("deposit view lost the instruction set id: %s", dep.InstructionSetId)
	}
}

// The problem documents of a 422 carry the instruction's error.
func TestBusinessRejectDecodes(t *testing.T) {
	doc := `{"type":"about:blank","title":"Unprocessable","status":422,"instructionSetId":9123456789012345678,` +
		`"instructionResult":{"clientInstructionId":7013057,"instructionType":"TRADITIONAL_BANK_INSTRUCTION_VERIFICATION",` +
		`"instructionStatus":"REJECTED","instructionId":1234567890123456791,` +
		`"error":{"errorCode":"ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE","errorMessage":"not pending"}}}`
	var r gen.BusinessRejectResponse
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, string(out), doc) {
		t.Fatalf("round trip lost data:\n got %s\nwant %s", out, doc)
	}
	if !bytes.Contains(out, []byte(`"instructionSetId":9123456789012345678`)) {
		t.Fatalf("instructionSetId not exact: %s", out)
	}
}
