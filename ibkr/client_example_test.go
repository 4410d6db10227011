package ibkr_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// Construction for IBKR's QA environment, with the RSA-3072 key whose
// public half was registered with IBKR under the key id.
func ExampleNew_qa() {
	pemBytes, err := os.ReadFile(os.Getenv("IBKR_PRIVATE_KEY_FILE"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := ibkr.New(
		ibkr.WithEnvironment(ibkr.QA),
		ibkr.WithPrivateKeyPEM(os.Getenv("IBKR_CLIENT_ID"), os.Getenv("IBKR_KEY_ID"), pemBytes),
		ibkr.WithLogger(slog.Default()),
	)
	if err != nil {
		log.Fatal(err) // *ibkr.InputError: weak key, missing kid, ...
	}
	_ = client
}

// Construction for production: the key may live in a KMS or HSM, any
// crypto.Signer will do; request only the scopes the application uses;
// keep ids unique across every process sending for this client id.
func ExampleNew_production() {
	// Any crypto.Signer over an RSA-3072/4096 key will do: a KMS or HSM
	// client's, or, as here, a PKCS#8 key file parsed by the standard library.
	pemBytes, err := os.ReadFile(os.Getenv("IBKR_PRIVATE_KEY_FILE"))
	if err != nil {
		log.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		log.Fatal("no PEM block")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		log.Fatal("not a signing key")
	}
	ids, err := ibkr.NewFileAllocator("/var/lib/myapp/ibkr-instruction-ids")
	if err != nil {
		log.Fatal(err)
	}
	client, err := ibkr.New(
		ibkr.WithEnvironment(ibkr.Production),
		ibkr.WithCredentials(os.Getenv("IBKR_CLIENT_ID"), os.Getenv("IBKR_KEY_ID"), signer),
		ibkr.WithScopes("accounts.read", "bank-instructions.write", "transfers.write", "instructions.read"),
		ibkr.WithInstructionIDs(ids),
		ibkr.WithMaintenance(true), // wait out IBKR's maintenance windows instead of failing
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}

// A raw call through the escape hatch: any operation of the spec, with
// the JSON body; the client signs it (SIGNED_JWT), fills in the
// clientInstructionId, and reconciles if the answer is lost.
func ExampleClient_Raw() {
	pemBytes, err := os.ReadFile(os.Getenv("IBKR_PRIVATE_KEY_FILE"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := ibkr.New(ibkr.WithEnvironment(ibkr.QA),
		ibkr.WithPrivateKeyPEM(os.Getenv("IBKR_CLIENT_ID"), os.Getenv("IBKR_KEY_ID"), pemBytes))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	id, err := client.NewInstructionID(ctx) // persist it before sending
	if err != nil {
		log.Fatal(err)
	}
	body := fmt.Sprintf(`{"instructionType":"DEPOSIT","instruction":{"clientInstructionId":%s,
		"accountId":"U1234567","currency":"USD","amount":500.00,
		"bankInstructionMethod":"ACH","bankInstructionName":"checking","sendingInstitution":"My Bank",
		"identifier":"ach-1"}}`, id)
	r, err := client.Raw().CreateExternalCashTransfersWithBodyWithResponse(ctx, "application/json", strings.NewReader(body))
	var unknown *ibkr.OutcomeUnknownError
	switch {
	case errors.As(err, &unknown):
		log.Printf("look up instruction %s later; never resend with a new id", unknown.ClientInstructionID)
	case errors.Is(err, ibkr.ErrMaintenance):
		log.Print("IBKR banking is in maintenance: ", err)
	case err != nil:
		log.Fatal(err)
	default:
		res := r.JSON202.InstructionResult
		fmt.Println(res.InstructionStatus, res.InstructionId, ibkr.Reconciled(r.HTTPResponse))
	}
}
