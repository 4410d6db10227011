package ibkr

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A redirect is an answer, not an invitation: a signed POST is never
// replayed at the redirect's target, and a 302/303 never turns into a GET
// whose 2xx would pass for the POST's answer.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed int
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed++
		writeJSON(w, http.StatusAccepted, instructionAnswer("1", "PROCESSED", 9))
	}))
	t.Cleanup(target.Close)
	for _, code := range []int{http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		f := newFake(t)
		f.handle("createEchoSignedJwt", func(w http.ResponseWriter, r *http.Request, _ received) {
			http.Redirect(w, r, target.URL+r.URL.Path, code)
		})
		c := f.newClient(WithHTTPClient(&http.Client{}))
		_, err := c.Raw().CreateEchoSignedJwtWithBodyWithResponse(fctx(t), contentTypeJSON, jsonReader(`{"probe":1}`))
		var api *APIError
		if !errors.As(err, &api) || api.StatusCode != code {
			t.Fatalf("redirect %d: err = %v, want an *APIError with that status", code, err)
		}
	}
	if followed != 0 {
		t.Fatalf("the redirect target was called %d times", followed)
	}
}
