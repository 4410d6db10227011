// Package specfacts holds the conformance tests between ibkr-go's own
// OpenAPI document (api/openapi.yaml) and IBKR's published wire facts
// (testdata/ibkr-webapi-wire-facts-2.28.0.json), and round-trip tests of the
// generated types in package gen against payloads from IBKR's documentation.
//
// Every deliberate difference from IBKR's document is listed in the
// allowlist of conformance_test.go and explained in api/NOTES.md.
package specfacts
