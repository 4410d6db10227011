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

// checkBadInputs runs each case: an *InputError naming the field (and
// matching the cause), never repeating the test's bank account number;
// and not one request, not even a token request, reached srv.
func checkBadInputs(t *testing.T, srv *ibkrtest.Server, cases []badInput) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(context.Background())
			wantErr(t, err, ErrInvalidInput)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("error %v: want field %q", err, tc.field)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Fatalf("error %v: want cause %v", err, tc.cause)
			}
			if strings.Contains(err.Error(), fundingAccountNumber) {
				t.Fatalf("error repeats the account number: %v", err)
			}
		})
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Fatalf("%d requests reached the sandbox, first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
}
