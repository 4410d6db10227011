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
}

// Signed reports whether the request body must be a signed JWT.
func (o Operation) Signed() bool { return o.Policy == PolicySignedJWT }

var (
	indexOnce sync.Once
	byID      map[string]*Operation
)

func index() {
	byID = make(map[string]*Operation, len(Operations))
	for i := range Operations {
		byID[Operations[i].ID] = &Operations[i]
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
func Match(method, path string) (Operation, bool) {
	var best *Operation
	bestLiterals := -1
	for i := range Operations {
		op := &Operations[i]
		if op.Method != method {
			continue
		}
		if n, ok := matchTemplate(op.Path, path); ok && n > bestLiterals {
			best, bestLiterals = op, n
		}
	}
	if best == nil {
		return Operation{}, false
	}
	return *best, true
}

// matchTemplate reports whether path fits template and how many literal
// segments matched.
func matchTemplate(template, path string) (int, bool) {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return 0, false
	}
	literals := 0
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return 0, false
			}
			continue
		}
		if t != ps[i] {
			return 0, false
		}
		literals++
	}
	return literals, true
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
