package ibkrtest

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// flexMessages are IBKR's texts for the Flex error codes (1025 is not in
// IBKR's table; its text is the one seen live).
var flexMessages = map[int]string{
	1001: "Statement could not be generated at this time. Please try again shortly.",
	1003: "Statement is not available.",
	1004: "Statement is incomplete at this time. Please try again shortly.",
	1005: "Settlement data is not ready at this time. Please try again shortly.",
	1006: "FIFO P/L data is not ready at this time. Please try again shortly.",
	1007: "MTM P/L data is not ready at this time. Please try again shortly.",
	1008: "MTM and FIFO P/L data is not ready at this time. Please try again shortly.",
	1009: "The server is under heavy load. Statement could not be generated at this time. Please try again shortly.",
	1010: "Legacy Flex Queries are no longer supported. Please convert over to Activity Flex.",
	1011: "Service account is inactive.",
	1012: "Token has expired.",
	1013: "IP restriction.",
	1014: "Query is invalid.",
	1015: "Token is invalid.",
	1016: "Account in invalid.",
	1017: "Reference code is invalid.",
	1018: "Too many requests have been made from this token. Please try again shortly.",
	1019: "Statement generation in progress. Please try again shortly.",
	1020: "Invalid request or unable to validate request.",
	1021: "Statement could not be retrieved at this time. Please try again shortly.",
	1025: "Too many failed attempts. Please review your configuration.",
}

// flexPage is the HTML page IBKR answers for a path it does not serve.
const flexPage = "<!DOCTYPE html>\n<html><head><title>404 Page Not Found</title></head><body><h1>Page Not Found</h1></body></html>\n"

// serveFlex answers the Flex Web Service: GET SendRequest and
// GetStatement, every answer HTTP 200 XML, as IBKR does.
func (s *Sandbox) serveFlex(w http.ResponseWriter, r *http.Request) {
	s.Tick()
	now := s.clk.Now()
	endpoint := strings.TrimPrefix(r.URL.Path, FlexPath+"/")
	q := r.URL.Query()
	rec := FlexRequest{Time: now, Endpoint: endpoint, UserAgent: r.Header.Get("User-Agent"), Query: q.Get("q")}
	defer func() {
		s.flex.mu.Lock()
		s.flex.requests = append(s.flex.requests, rec)
		s.flex.mu.Unlock()
	}()
	if endpoint != "SendRequest" && endpoint != "GetStatement" {
		rec.Status = http.StatusNotFound
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(flexPage))
		return
	}
	if r.Method != http.MethodGet {
		rec.Status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rec.Status = http.StatusOK
	answer := func(code int) {
		rec.Code = code
		status := "Fail"
		if code == 1019 {
			status = "Warn"
		}
		writeFlexEnvelope(w, now, fmt.Sprintf("<Status>%s</Status>\n<ErrorCode>%d</ErrorCode>\n<ErrorMessage>%s</ErrorMessage>\n", status, code, flexMessages[code]))
	}
	if f, ok := s.takeFlexFault(endpoint); ok {
		if f.code != 0 {
			answer(f.code)
			return
		}
		rec.Status = f.status
		if f.contentType != "" {
			w.Header().Set("Content-Type", f.contentType)
		}
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.body))
		return
	}
	// IBKR requires a User-Agent; what it answers without one is not
	// documented, so the sandbox refuses such requests as invalid.
	if rec.UserAgent == "" || q.Get("v") != "3" {
		answer(1020)
		return
	}
	token := q.Get("t")
	if code := s.flexCheckToken(token, r, now); code != 0 {
		answer(code)
		return
	}
	if s.flexThrottled(token, now) {
		answer(1018)
		return
	}
	if endpoint == "SendRequest" {
		ref, code := s.flexSendRequest(token, q.Get("q"), q.Get("p"), q.Get("fd"), q.Get("td"), now)
		if code != 0 {
			answer(code)
			return
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		writeFlexEnvelope(w, now, "<Status>Success</Status>\n<ReferenceCode>"+ref+"</ReferenceCode>\n<Url>"+scheme+"://"+r.Host+FlexPath+"/GetStatement</Url>\n")
		return
	}
	body, csv, code := s.flexGetStatement(token, q.Get("q"), now)
	if code != 0 {
		answer(code)
		return
	}
	if csv {
		w.Header().Set("Content-Type", "text/plain")
	} else {
		w.Header().Set("Content-Type", "text/xml;charset=ISO-8859-1")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

func writeFlexEnvelope(w http.ResponseWriter, now time.Time, inner string) {
	w.Header().Set("Content-Type", "text/xml;charset=ISO-8859-1")
	ts := now.In(eastern()).Format("02 January, 2006 03:04 PM MST")
	_, _ = w.Write([]byte("<FlexStatementResponse timestamp='" + ts + "'>\n" + inner + "</FlexStatementResponse>\n"))
}

func (s *Sandbox) takeFlexFault(endpoint string) (flexFault, bool) {
	s.flex.mu.Lock()
	defer s.flex.mu.Unlock()
	for i, f := range s.flex.faults {
		if f.endpoint == "" || f.endpoint == endpoint {
			s.flex.faults = append(s.flex.faults[:i:i], s.flex.faults[i+1:]...)
			return f, true
		}
	}
	return flexFault{}, false
}

// flexCheckToken answers 1015 for an unknown token, 1012 for an expired
// one and 1013 from another address than the token's.
func (s *Sandbox) flexCheckToken(token string, r *http.Request, now time.Time) int {
	s.mu.Lock()
	fs := s.flexLoad()
	s.mu.Unlock()
	t, ok := fs.Tokens[token]
	switch {
	case !ok:
		return 1015
	case !now.Before(t.Expires):
		return 1012
	case t.IP != "":
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil || host != t.IP {
			return 1013
		}
	}
	return 0
}

// flexThrottled applies IBKR's per-token limit: one request per second
// and ten per minute, counting every request on the token.
func (s *Sandbox) flexThrottled(token string, now time.Time) bool {
	s.flex.mu.Lock()
	defer s.flex.mu.Unlock()
	if s.flex.hits == nil {
		s.flex.hits = map[string][]time.Time{}
	}
	hits := s.flex.hits[token]
	kept := hits[:0]
	for _, h := range hits {
		if now.Sub(h) < time.Minute {
			kept = append(kept, h)
		}
	}
	limited := len(kept) >= 10 || (len(kept) > 0 && now.Sub(kept[len(kept)-1]) < time.Second)
	s.flex.hits[token] = append(kept, now)
	return limited
}

// flexSendRequest generates a statement and returns its reference code.
func (s *Sandbox) flexSendRequest(token, queryID, p, fd, td string, now time.Time) (string, int) {
	s.mu.Lock()
	fs := s.flexLoad()
	query, ok := fs.Queries[queryID]
	if !ok {
		s.mu.Unlock()
		return "", 1014
	}
	today := etMidnight(now)
	w := flexWindow{from: today.AddDate(0, 0, 1-query.PeriodDays), to: today}
	switch {
	case fd != "" || td != "":
		from, err1 := time.ParseInLocation("20060102", fd, eastern())
		to, err2 := time.ParseInLocation("20060102", td, eastern())
		if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 365*24*time.Hour+time.Hour {
			s.mu.Unlock()
			return "", 1020
		}
		w = flexWindow{from: from, to: to}
	case p != "":
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 365 {
			s.mu.Unlock()
			return "", 1020
		}
		w = flexWindow{from: today.AddDate(0, 0, 1-n), to: today}
	}
	body := s.flexStatement(query, w, now)
	s.mu.Unlock()

	s.flex.mu.Lock()
	defer s.flex.mu.Unlock()
	delay := DefaultFlexGenerationDelay
	if s.flex.delaySet {
		delay = s.flex.delay
	}
	if s.flex.refs == nil {
		s.flex.refs, s.flex.refSeq = map[string]*flexRef{}, 4410000000
	}
	for code, r := range s.flex.refs {
		if now.Sub(r.readyAt) > flexRefLifetime {
			delete(s.flex.refs, code) // answered 1017 from then on
		}
	}
	s.flex.refSeq++
	ref := strconv.FormatUint(s.flex.refSeq, 10)
	s.flex.refs[ref] = &flexRef{token: token, readyAt: now.Add(delay), body: body, csv: query.CSV}
	return ref, 0
}

// flexRefLifetime is how long a generated statement can be fetched
// (IBKR does not document it; the sandbox forgets statements after a day
// so that a long-running sandbox does not keep every one).
const flexRefLifetime = 24 * time.Hour

// flexGetStatement answers a reference code: 1019 while generating, 1017
// for a code the token did not get.
func (s *Sandbox) flexGetStatement(token, ref string, now time.Time) ([]byte, bool, int) {
	s.flex.mu.Lock()
	defer s.flex.mu.Unlock()
	r := s.flex.refs[ref]
	switch {
	case r == nil || r.token != token:
		return nil, false, 1017
	case now.Before(r.readyAt):
		return nil, false, 1019
	}
	return r.body, r.csv, 0
}
