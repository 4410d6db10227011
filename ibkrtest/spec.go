package ibkrtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/ibkrweb/ibkr-go/gen/genserver"
	"github.com/ibkrweb/ibkr-go/internal/optable"
	"github.com/ibkrweb/ibkr-go/wire"
)

// The spec is parsed once per process, on first need (it takes ~100 ms),
// never at sandbox start.
var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

func spec() (*openapi3.T, error) {
	specOnce.Do(func() {
		specDoc, specErr = genserver.GetSpec()
		if specErr == nil {
			specDoc.Servers = nil
		}
	})
	return specDoc, specErr
}

// preloadSpec starts parsing the spec in the background so that the first
// request does not wait for all of it.
func preloadSpec() { go func() { _, _ = spec() }() }

func specRoute(op optable.Operation) (*routers.Route, error) {
	doc, err := spec()
	if err != nil {
		return nil, err
	}
	pi := doc.Paths.Value(op.Path)
	if pi == nil {
		return nil, fmt.Errorf("ibkrtest: spec has no path %s", op.Path)
	}
	o := pi.GetOperation(op.Method)
	if o == nil {
		return nil, fmt.Errorf("ibkrtest: spec has no %s %s", op.Method, op.Path)
	}
	return &routers.Route{Spec: doc, Server: nil, Path: op.Path, PathItem: pi, Method: op.Method, Operation: o}, nil
}

// declaredResponse returns the content type and schema the spec declares
// for op answering status ("" and nil when it declares none).
func declaredResponse(op optable.Operation, status int) (string, *openapi3.Schema) {
	rt, err := specRoute(op)
	if err != nil {
		return "", nil
	}
	ref := rt.Operation.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return "", nil
	}
	cts := make([]string, 0, len(ref.Value.Content))
	for ct := range ref.Value.Content {
		cts = append(cts, ct)
	}
	sort.Strings(cts)
	for _, pref := range []string{"application/problem+json", "application/json"} {
		for _, ct := range cts {
			if ct == pref {
				mt := ref.Value.Content[ct]
				if mt.Schema == nil {
					return ct, nil
				}
				return ct, mt.Schema.Value
			}
		}
	}
	if len(cts) > 0 {
		mt := ref.Value.Content[cts[0]]
		if mt.Schema != nil {
			return cts[0], mt.Schema.Value
		}
		return cts[0], nil
	}
	return "", nil
}

var noAuth = openapi3filter.NoopAuthenticationFunc

// validateParams checks path and query parameters (and, for form bodies,
// the body) against the spec.
func validateParams(ctx context.Context, r *http.Request, op optable.Operation, withBody bool) []invalidArg {
	rt, err := specRoute(op)
	if err != nil {
		return nil
	}
	// kin-openapi reads integer path parameters as int64; IBKR's IDs have
	// up to 20 digits, so the sandbox checks those itself.
	pp := optable.PathParams(op.Path, r.URL.Path)
	var bad []invalidArg
	for _, p := range rt.Operation.Parameters {
		if p.Value == nil || p.Value.In != "path" || p.Value.Schema == nil || p.Value.Schema.Value == nil ||
			p.Value.Schema.Value.Type == nil || !p.Value.Schema.Value.Type.Is("integer") {
			continue
		}
		if _, err := wire.ParseID(pp[p.Value.Name]); err != nil {
			bad = append(bad, invalidArg{p.Value.Name, "must be a whole number of at most 20 digits"})
		}
		pp[p.Value.Name] = "0"
	}
	if len(bad) > 0 {
		return bad
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pp,
		Route:      rt,
		Options: &openapi3filter.Options{
			ExcludeRequestBody: !withBody,
			AuthenticationFunc: noAuth,
			MultiError:         true,
		},
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return flattenValidation(err)
	}
	return nil
}

// validateClaims checks the claims of a signed body against the schema the
// spec declares for it.
func validateClaims(op optable.Operation, claims []byte) []invalidArg {
	rt, err := specRoute(op)
	if err != nil || rt.Operation.RequestBody == nil || rt.Operation.RequestBody.Value == nil {
		return nil
	}
	mt := rt.Operation.RequestBody.Value.Content.Get("application/jwt")
	if mt == nil {
		mt = rt.Operation.RequestBody.Value.Content.Get("application/json")
	}
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	if t := mt.Schema.Value.Type; t != nil && t.Is("string") {
		return nil // an opaque signed payload: no claims to check
	}
	var v any
	if err := json.Unmarshal(claims, &v); err != nil {
		return []invalidArg{{"body", "claims are not JSON"}}
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return flattenValidation(err)
	}
	return nil
}

type invalidArg struct{ Field, Reason string }

func flattenValidation(err error) []invalidArg {
	var out []invalidArg
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var re *openapi3filter.RequestError
		if errors.As(err, &re) {
			if re.Parameter != nil {
				reason := re.Reason
				if re.Err != nil {
					reason = strings.TrimSpace(reason + " " + shortErr(re.Err))
				}
				out = append(out, invalidArg{re.Parameter.Name, strings.TrimSpace(reason)})
				return
			}
			if re.Err != nil {
				walk(re.Err)
				return
			}
			out = append(out, invalidArg{"body", re.Reason})
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			field := strings.Join(se.JSONPointer(), ".")
			if field == "" {
				field = "body"
				if _, rest, ok := strings.Cut(se.Reason, `discriminator property "`); ok {
					if name, _, ok := strings.Cut(rest, `"`); ok {
						field = name
					}
				}
			}
			out = append(out, invalidArg{field, se.Reason})
			return
		}
		out = append(out, invalidArg{"body", shortErr(err)})
	}
	walk(err)
	return dedupeArgs(out)
}

func dedupeArgs(in []invalidArg) []invalidArg {
	seen := map[invalidArg]bool{}
	out := in[:0]
	for _, a := range in {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// ResponseCheck validates one response against the spec. Gateway-level
// answers (401, 403, 429, 503 and injected 500s) that the spec does not
// declare for the operation are checked against the generic problem shape
// instead. It is exported for tests that wrap the sandbox themselves.
func ResponseCheck(ctx context.Context, r *http.Request, status int, header http.Header, body []byte) error {
	op, ok := optable.Match(r.Method, r.URL.Path)
	if !ok {
		return nil // not an API path (e.g. the SSO landing page)
	}
	rt, err := specRoute(op)
	if err != nil {
		return err
	}
	ct := header.Get("Content-Type")
	if rt.Operation.Responses.Status(status) == nil {
		switch status {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests,
			http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusNotFound,
			http.StatusMethodNotAllowed, http.StatusBadRequest:
			return checkGenericProblem(status, ct, body)
		}
		return fmt.Errorf("%s answered %d, which the spec does not declare", op.ID, status)
	}
	if strings.HasPrefix(ct, "application/pdf") {
		if !bytes.HasPrefix(body, []byte("%PDF-")) {
			return fmt.Errorf("%s: application/pdf body is not a PDF", op.ID)
		}
		return nil
	}
	req := r.Clone(ctx)
	req.Body = http.NoBody
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: optable.PathParams(op.Path, r.URL.Path),
			Route:      rt,
		},
		Status: status,
		Header: header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return fmt.Errorf("%s %d: %w", op.ID, status, err)
	}
	return nil
}

func checkGenericProblem(status int, ct string, body []byte) error {
	if !strings.HasPrefix(ct, "application/problem+json") && !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("HTTP %d with content type %q, want application/problem+json", status, ct)
	}
	var p struct {
		Type   *string `json:"type"`
		Title  *string `json:"title"`
		Status *int    `json:"status"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("HTTP %d problem body: %w", status, err)
	}
	if p.Type == nil || p.Title == nil || p.Status == nil || *p.Status != status {
		return fmt.Errorf("HTTP %d problem body lacks type/title/status: %s", status, body)
	}
	return nil
}
