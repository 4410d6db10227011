package ibkrtest

import (
	"encoding/json"
	"sort"
	"strings"
)

// Two wire shapes of account maintenance requests (api/NOTES.md
// [account-update-shape]).
//
// IBKR's published document: accountManagementRequests maps each kind's
// singular name (changeBaseCurrency) to one object naming the account as
// accountId. IBKR's documentation examples: plural names
// (changeBaseCurrencies, updateAccountAliases, accreditedInvestors ...),
// sometimes other capitals (enrollInDRIP), each holding an array of
// objects naming the account as referenceAccountId.
//
// The sandbox accepts both. accountRequestRounds rewrites a body of
// either shape into the document's shape: round i holds the i-th entry of
// every kind listed as an array, so a body with arrays of several entries
// becomes several document-shaped bodies, each validated against the spec
// and processed in turn.

// maintenanceKinds returns the kinds of the spec's AccountManagementRequests
// schema and, for each, the property that names the account (accountId,
// ibAccountId, or "" when it has none).
func maintenanceKinds() map[string]string {
	doc, err := spec()
	if err != nil {
		return nil
	}
	ref := doc.Components.Schemas["AccountManagementRequests"]
	if ref == nil || ref.Value == nil {
		return nil
	}
	out := make(map[string]string, len(ref.Value.Properties))
	for k, p := range ref.Value.Properties {
		acct := ""
		if p != nil && p.Value != nil {
			for _, name := range []string{"accountId", "ibAccountId"} {
				if _, ok := p.Value.Properties[name]; ok {
					acct = name
					break
				}
			}
		}
		out[k] = acct
	}
	return out
}

// canonicalKind maps a documentation key to the document's kind name: the
// same name in other capitals, or its plural (…s, …es, …ies).
func canonicalKind(kinds map[string]string, key string) (string, bool) {
	if _, ok := kinds[key]; ok {
		return key, true
	}
	cands := []string{key}
	if k, ok := strings.CutSuffix(key, "ies"); ok {
		cands = append(cands, k+"y")
	}
	if k, ok := strings.CutSuffix(key, "es"); ok {
		cands = append(cands, k)
	}
	if k, ok := strings.CutSuffix(key, "s"); ok {
		cands = append(cands, k)
	}
	for _, c := range cands {
		for k := range kinds {
			if strings.EqualFold(k, c) {
				return k, true
			}
		}
	}
	return "", false
}

// renameReference renames referenceAccountId to accountId in every
// object nested in v (documentSubmission and documents objects).
func renameReference(v any) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["referenceAccountId"]; ok {
			if _, has := x["accountId"]; !has {
				x["accountId"] = ref
			}
			delete(x, "referenceAccountId")
		}
		for _, e := range x {
			renameReference(e)
		}
	case []any:
		for _, e := range x {
			renameReference(e)
		}
	}
}

// accountRequestRounds rewrites an updateAccounts body into one or more
// bodies of the document's shape. A body already in that shape comes back
// unchanged, as the only round.
// A body it cannot rewrite yields a reason instead.
func accountRequestRounds(claims []byte) ([][]byte, string) {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(claims, &body); err != nil {
		return [][]byte{claims}, "" // the spec validation reports it
	}
	var reqs map[string]json.RawMessage
	if raw, ok := body["accountManagementRequests"]; !ok || json.Unmarshal(raw, &reqs) != nil {
		return [][]byte{claims}, ""
	}
	kinds := maintenanceKinds()
	documentShape := true
	entries := map[string][]any{}
	keys := make([]string, 0, len(reqs))
	for k := range reqs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		kind, ok := canonicalKind(kinds, key)
		if !ok {
			return nil, "accountManagementRequests." + key + " is not a maintenance request kind"
		}
		if _, dup := entries[kind]; dup {
			return nil, "accountManagementRequests names " + kind + " twice (in two spellings)"
		}
		var v any
		if err := json.Unmarshal(reqs[key], &v); err != nil {
			return nil, "accountManagementRequests." + key + ": " + shortErr(err)
		}
		var list []any
		switch x := v.(type) {
		case []any:
			documentShape = false
			if len(x) == 0 {
				return nil, "accountManagementRequests." + key + " is an empty list"
			}
			list = x
		default:
			list = []any{x}
		}
		for _, e := range list {
			obj, isObj := e.(map[string]any)
			if !isObj {
				continue // the spec validation reports it
			}
			if ref, has := obj["referenceAccountId"]; has {
				documentShape = false
				field := kinds[kind]
				if field == "" {
					return nil, key + ": referenceAccountId given to a kind that names no account"
				}
				if cur, set := obj[field]; set && cur != ref {
					return nil, key + ": referenceAccountId and " + field + " differ"
				}
				obj[field] = ref
				delete(obj, "referenceAccountId")
			}
			renameReference(obj)
		}
		if key != kind {
			documentShape = false
		}
		entries[kind] = list
	}
	if documentShape {
		return [][]byte{claims}, ""
	}
	n := 0
	for _, l := range entries {
		n = max(n, len(l))
	}
	rounds := make([][]byte, 0, n)
	for i := range n {
		r := map[string]any{}
		for k, l := range entries {
			if i < len(l) {
				r[k] = l[i]
			}
		}
		out := make(map[string]any, len(body))
		for k, v := range body {
			out[k] = v
		}
		out["accountManagementRequests"] = r
		b, err := json.Marshal(out)
		if err != nil {
			return nil, shortErr(err)
		}
		rounds = append(rounds, b)
	}
	return rounds, ""
}
