// Package optable holds the facts about each IBKR operation that ibkr-go's
// facade and sandbox are driven by. The table itself (table.gen.go) is
// generated from api/openapi.yaml by cmd/gen-check; this file holds the
// hand-written types and lookups.
package optable

import (
	"strings"
	"sync"
)

// Security policies, as in the x-ib-gateway-security-policy extension.
const (
	PolicyHTTPS     = "HTTPS"      // plain JSON body with a bearer token
	PolicySignedJWT = "SIGNED_JWT" // the body is a JWS signed with the client key
	PolicyNone      = "NONE"       // no bearer token (the token endpoint)
)

// Maintenance groups, as in the x-ibkr-go-maintenance extension.
const (
	MaintenanceAccounts = "accounts" // daily 18:00-18:01 ET, Wednesdays 18:00-18:30 ET
	MaintenanceBanking  = "banking"  // daily 23:45-00:30 ET, Saturdays, Sundays before 15:00 ET
)

// Operation is one row of the table.
type Operation struct {
	ID          string   // operationId
	Method      string   // HTTP method
	Path        string   // path template, e.g. /gw/api/v1/instructions/{instructionId}
	Policy      string   // PolicyHTTPS, PolicySignedJWT or PolicyNone
	Scopes      []string // any one of these scopes allows the call
	Maintenance string   // "", MaintenanceAccounts or MaintenanceBanking
	ReadOnly    bool     // safe to retry: it changes nothing at IBKR
	Success     []int    // declared 2xx statuses, ascending
}

// Signed reports whether the request body must be a signed JWT.
func (o Operation) Signed() bool { return o.Policy == PolicySignedJWT }

var (
	indexOnce sync.Once
	byID      map[string]*Operation
)

// pathTemplate is an operation's path split into segments once, for Match.
type pathTemplate struct {
	op       *Operation
	segs     []string
	params   []bool // segs[i] is a {parameter}
	literals int
}

// shape buckets the templates by method and number of segments.
type shape struct {
	method string
	segs   int
}

var templates map[shape][]*pathTemplate

func index() {
	byID = make(map[string]*Operation, len(Operations))
	templates = map[shape][]*pathTemplate{}
	for i := range Operations {
		op := &Operations[i]
		byID[op.ID] = op
		t := &pathTemplate{op: op, segs: strings.Split(strings.Trim(op.Path, "/"), "/")}
		t.params = make([]bool, len(t.segs))
		for j, sg := range t.segs {
			t.params[j] = strings.HasPrefix(sg, "{") && strings.HasSuffix(sg, "}")
			if !t.params[j] {
				t.literals++
			}
		}
		k := shape{op.Method, len(t.segs)}
		templates[k] = append(templates[k], t)
	}
}

// ByID returns the operation with the given operationId.
func ByID(id string) (Operation, bool) {
	indexOnce.Do(index)
	op, ok := byID[id]
	if !ok {
		return Operation{}, false
	}
	return *op, true
}

// Match finds the operation for a request method and URL path (without
// query). Literal segments win over parameters, so
// /gw/api/v1/accounts/status is not taken for /gw/api/v1/accounts/{accountId}.
//
// It runs on every request the facade sends: templates are split and
// bucketed by method and length once, and the path is walked without
// allocating.
func Match(method, path string) (Operation, bool) {
	indexOnce.Do(index)
	p := strings.Trim(path, "/")
	var best *pathTemplate
	for _, t := range templates[shape{method, strings.Count(p, "/") + 1}] {
		if (best == nil || t.literals > best.literals) && t.matches(p) {
			best = t
		}
	}
	if best == nil {
		return Operation{}, false
	}
	return *best.op, true
}

// matches reports whether the trimmed path p, of as many segments as the
// template, fits it. It compares from the end, where paths differ (they
// share the /gw/api/v1 prefix).
func (t *pathTemplate) matches(p string) bool {
	for i := len(t.segs) - 1; i >= 0; i-- {
		seg := p
		if j := strings.LastIndexByte(p, '/'); j >= 0 {
			seg, p = p[j+1:], p[:j]
		}
		if t.params[i] {
			if seg == "" {
				return false
			}
		} else if t.segs[i] != seg {
			return false
		}
	}
	return true
}

// PathParams extracts the path parameters of path according to template.
func PathParams(template, path string) map[string]string {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	out := map[string]string{}
	if len(ts) != len(ps) {
		return out
	}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			out[t[1:len(t)-1]] = ps[i]
		}
	}
	return out
}
