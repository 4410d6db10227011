package ibkrotel_test

import (
	"log"
	"os"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrotel"
)

// Tracing and metrics for every call of a client, on the global
// providers (set them up with the OpenTelemetry SDK and an exporter).
func ExampleNew() {
	obs, err := ibkrotel.New()
	if err != nil {
		log.Fatal(err)
	}
	pemBytes, err := os.ReadFile(os.Getenv("IBKR_PRIVATE_KEY_FILE"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := ibkr.New(
		ibkr.WithEnvironment(ibkr.QA),
		ibkr.WithPrivateKeyPEM(os.Getenv("IBKR_CLIENT_ID"), os.Getenv("IBKR_KEY_ID"), pemBytes),
		ibkr.WithObserver(obs),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}
