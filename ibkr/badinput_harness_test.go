package ibkr

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// badInput is one request the client must refuse locally: the call, the
// field its *InputError names, and its specific cause (nil: any).
type badInput struct {
	name  string
	call  func(context.Context) error
	field string
	cause error
}

// checkBadInputs runs each case (refuseAll, with the test's bank account
// number as the secret) and then checks that not one request, not even a
// token request, reached srv.
func checkBadInputs(t *testing.T, srv *ibkrtest.Server, cases []badInput) {
	t.Helper()
	refuseAll(t, cases, fundingAccountNumber)
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Fatalf("%d requests reached the sandbox, first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
}

// refuseAll runs each case as a subtest and checks its error with
// wantInputError.
func refuseAll(t *testing.T, cases []badInput, secrets ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantInputError(t, tc.call(context.Background()), tc.field, tc.cause, secrets...)
		})
	}
}

// wantInputError checks a refusal made before sending: an *InputError
// naming field, caused by cause (when not nil), whose text repeats none of
// secrets.
func wantInputError(t *testing.T, err error, field string, cause error, secrets ...string) {
	t.Helper()
	wantErr(t, err, ErrInvalidInput)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != field {
		t.Fatalf("error %v: want field %q", err, field)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Fatalf("error %v: want cause %v", err, cause)
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error repeats a secret: %v", err)
		}
	}
}
