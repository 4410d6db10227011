package ibkr

import (
	"io"
	"net/http"
)

// ResponseLimits bound how many bytes of an answer the client reads, per
// operation class. Every answer passes through them, whether read by the
// facade or by a Raw() call; an answer over its limit fails with a
// *ResponseTooLargeError once the limit is reached (or at once when its
// Content-Length says so), without reading further. Error answers are
// read up to 1 MiB regardless.
type ResponseLimits struct {
	// Token bounds the token endpoint's answer (and so the access token
	// sent with every call). Default 64 KiB.
	Token int64
	// JSON bounds every other JSON answer. Default 16 MiB.
	JSON int64
	// Document bounds statements, tax documents and trade confirmations,
	// which are streamed to the caller's writer and never held whole.
	// Default 1 GiB.
	Document int64
}

// DefaultResponseLimits are the limits used unless WithResponseLimits
// changes them.
var DefaultResponseLimits = ResponseLimits{Token: 64 << 10, JSON: 16 << 20, Document: 1 << 30}

// WithResponseLimits changes the limits on answers; zero or negative
// fields keep their default.
func WithResponseLimits(l ResponseLimits) Option {
	return func(s *settings) error {
		d := DefaultResponseLimits
		if l.Token > 0 {
			d.Token = l.Token
		}
		if l.JSON > 0 {
			d.JSON = l.JSON
		}
		if l.Document > 0 {
			d.Document = l.Document
		}
		s.respLimits = d
		return nil
	}
}

// documentOperations stream documents (possibly PDFs) to the caller.
var documentOperations = map[string]bool{"createStatements": true, "createTaxDocuments": true, "createTradeConfirmations": true}

// limitFor returns the read limit of an operation's answers.
func (l ResponseLimits) limitFor(opID string) int64 {
	switch {
	case opID == "generateToken":
		return l.Token
	case documentOperations[opID]:
		return l.Document
	}
	return l.JSON
}

// boundBody makes resp's body fail with a *ResponseTooLargeError past the
// operation's limit.
func boundBody(resp *http.Response, opID string, limit int64) {
	if resp == nil || resp.Body == nil || resp.Body == http.NoBody {
		return
	}
	lb := &limitedBody{rc: resp.Body, left: limit, op: opID, limit: limit}
	if resp.ContentLength > limit {
		lb.err = &ResponseTooLargeError{CallInfo: CallInfo{OperationID: opID}, Limit: limit}
	}
	resp.Body = lb
}

// limitedBody reads at most left bytes, then fails (rather than silently
// truncating, as io.LimitReader would).
type limitedBody struct {
	rc    io.ReadCloser
	left  int64
	op    string
	limit int64
	err   error
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.rc.Read(p)
	if int64(n) <= l.left {
		l.left -= int64(n)
		return n, err
	}
	n = int(l.left)
	l.left = 0
	l.err = &ResponseTooLargeError{CallInfo: CallInfo{OperationID: l.op}, Limit: l.limit}
	return n, l.err
}

func (l *limitedBody) Close() error { return l.rc.Close() }
