package ibkr

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// fundedSandbox funds the demo account and lets days pass so statements
// exist.
func fundedSandbox(t *testing.T, days int) (*Client, *ibkrtest.Server) {
	t.Helper()
	c, srv := amSandbox(t)
	if err := srv.SetBalance(ibkrtest.DemoAccountID, "USD", MustDecimal("1000")); err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Duration(days) * 24 * time.Hour)
	return c, srv
}

func TestStatementsSandbox(t *testing.T) {
	c, srv := fundedSandbox(t, 40)
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	avail, err := c.AvailableStatements(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	yesterday := sandboxDay(srv).AddDate(0, 0, -1)
	if avail.Daily.End != yesterday.Format("20060102") || avail.Daily.Validate() != nil || len(avail.Months) != 1 || len(avail.Years) != 0 {
		t.Fatalf("availability %+v", avail)
	}

	for _, tc := range []struct {
		name string
		req  StatementRequest
	}{
		{"daily", StatementRequest{AccountID: acct, Range: DailyStatement(yesterday)}},
		{"daily gzip", StatementRequest{AccountID: acct, Range: DailyStatement(yesterday), Gzip: true, Language: "en"}},
		{"daily raw", StatementRequest{AccountID: acct, Range: DailyStatement(yesterday), RawPDF: true}},
		{"monthly", StatementRequest{AccountID: acct, Range: StatementRange{Start: avail.Months[0], End: avail.Months[0]}}},
		{"custom", StatementRequest{AccountID: acct, Range: CustomStatementRange(yesterday.AddDate(0, 0, -20), yesterday)}},
	} {
		var buf bytes.Buffer
		info, err := c.Statement(ctx, &buf, tc.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || info.Written != int64(buf.Len()) || info.MimeType != "application/pdf" {
			t.Fatalf("%s: info %+v, %q...", tc.name, info, buf.Bytes()[:min(buf.Len(), 16)])
		}
		if tc.req.RawPDF != (info.Encoding == "") {
			t.Fatalf("%s: raw %v, answer encoding %q", tc.name, tc.req.RawPDF, info.Encoding)
		}
		if info.Compressed != tc.req.Gzip {
			t.Fatalf("%s: compressed %v", tc.name, info.Compressed)
		}
	}
	rec := srv.RequestsFor("createStatements")
	if got := rec[0].Claims; got["startDate"] != yesterday.Format("20060102") || got["mimeType"] != "application/pdf" || got["accountId"] != acct {
		t.Fatalf("claims %v", got)
	}
	if rec[2].Header.Get("Accept") != "application/pdf" {
		t.Fatalf("raw request Accept %q", rec[2].Header.Get("Accept"))
	}

	// Refused locally: more than 365 days, mixed formats, two years,
	// unknown language, a layout without several accounts.
	before := len(srv.RequestsFor("createStatements"))
	for _, r := range []StatementRequest{
		{AccountID: acct, Range: StatementRange{"20230101", "20240101"}},
		{AccountID: acct, Range: StatementRange{"2023", "202301"}},
		{AccountID: acct, Range: StatementRange{"2022", "2023"}},
		{AccountID: acct, Range: StatementRange{"202302", "202301"}},
		{AccountID: acct, Range: StatementRange{"20230230", "20230301"}},
		{AccountID: acct, Range: AnnualStatement(2023), Language: "xx"},
		{AccountID: acct, Range: AnnualStatement(2023), MultiAccountFormat: MultiAccountConsolidate},
		{AccountID: acct, Range: AnnualStatement(2023), AccountIDs: []string{"U1"}},
		{AccountID: "", Range: AnnualStatement(2023)},
	} {
		_, err := c.Statement(ctx, io.Discard, r)
		wantErr(t, err, ErrInvalidInput)
	}
	if len(srv.RequestsFor("createStatements")) != before {
		t.Fatal("a refused statement request reached the server")
	}
	_, err = c.Statement(ctx, nil, StatementRequest{AccountID: acct, Range: DailyStatement(yesterday)})
	wantErr(t, err, ErrInvalidInput)

	// IBKR's refusals: before funding, unknown account.
	_, err = c.Statement(ctx, io.Discard, StatementRequest{AccountID: acct, Range: DailyStatement(yesterday.AddDate(0, 0, -60))})
	wantErr(t, err, ErrBadRequest)
	_, err = c.AvailableStatements(ctx, "U7654321")
	wantErr(t, err, ErrBadRequest)
	// A malformed answer is reported as such.
	srv.MalformNext("createStatements", 1)
	_, err = c.Statement(ctx, io.Discard, StatementRequest{AccountID: acct, Range: DailyStatement(yesterday)})
	if err == nil {
		t.Fatal("malformed answer accepted")
	}
}

func TestTaxDocumentsSandbox(t *testing.T) {
	c, srv := fundedSandbox(t, 320) // into the next year
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	year := ibkrtest.DefaultStart.Year()
	docs, err := c.AvailableTaxDocuments(ctx, acct, year)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Name != ibkrtest.TaxFormName || docs[0].Formats[0] != "pdf" || !docs[0].IsForm {
		t.Fatalf("available %+v", docs)
	}
	for _, raw := range []bool{false, true} {
		for _, gz := range []bool{false, true} {
			var buf bytes.Buffer
			info, err := c.TaxDocument(ctx, &buf, TaxDocumentRequest{AccountID: acct, Year: year, Type: docs[0].Name, Format: "pdf", Gzip: gz, Raw: raw})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || info.Written != int64(buf.Len()) || (info.Compressed != (gz && !raw)) {
				t.Fatalf("raw=%v gzip=%v: %+v", raw, gz, info)
			}
			// The document is the account's, for the year asked.
			if !bytes.Contains(buf.Bytes(), []byte("Account: "+acct)) || !bytes.Contains(buf.Bytes(), []byte("Tax year: "+strconv.Itoa(year))) {
				t.Fatalf("raw=%v gzip=%v: the document is not the account's for %d", raw, gz, year)
			}
		}
	}
	if docs, err := c.AvailableTaxDocuments(ctx, acct, year-1); err != nil || len(docs) != 0 {
		t.Fatalf("year before funding: %+v %v", docs, err)
	}
	// Local refusals.
	before := len(srv.Requests())
	for _, r := range []TaxDocumentRequest{
		{AccountID: acct, Year: year + 5, Type: "1099", Format: "pdf"},
		{AccountID: acct, Year: 25, Type: "1099", Format: "pdf"},
		{AccountID: acct, Year: year, Format: "pdf"},
		{AccountID: acct, Year: year, Type: "1099"},
		{AccountID: acct, Year: year, Type: " 1099", Format: "pdf"},
		{AccountID: "acct", Year: year, Type: "1099", Format: "pdf"},
	} {
		_, err := c.TaxDocument(ctx, io.Discard, r)
		wantErr(t, err, ErrInvalidInput)
	}
	_, err = c.AvailableTaxDocuments(ctx, acct, year+5)
	wantErr(t, err, ErrDateRange)
	if len(srv.Requests()) != before {
		t.Fatal("a refused request reached the server")
	}
	// IBKR's refusal of a document it does not have.
	_, err = c.TaxDocument(ctx, io.Discard, TaxDocumentRequest{AccountID: acct, Year: year, Type: "1042-S", Format: "pdf"})
	wantErr(t, err, ErrBadRequest)
}

func TestTradeConfirmationsSandbox(t *testing.T) {
	c, srv := fundedSandbox(t, 3)
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	day := sandboxDay(srv).AddDate(0, 0, -2)
	if err := srv.AddTradeConfirmation(acct, day, "BOT 10 AAPL @ 170.00"); err != nil {
		t.Fatal(err)
	}
	days, err := c.AvailableTradeConfirmations(ctx, acct)
	if err != nil || len(days) != 1 || days[0] != day.Format("20060102") {
		t.Fatalf("available %v %v", days, err)
	}
	for _, raw := range []bool{false, true} {
		var buf bytes.Buffer
		info, err := c.TradeConfirmations(ctx, &buf, TradeConfirmationRequest{AccountID: acct, Range: DailyStatement(day), Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || info.Written != int64(buf.Len()) {
			t.Fatalf("raw=%v: %+v", raw, info)
		}
		if !bytes.Contains(buf.Bytes(), []byte("BOT 10 AAPL @ 170.00")) {
			t.Fatalf("raw=%v: the confirmation's trade is not in the document", raw)
		}
	}
	_, err = c.TradeConfirmations(ctx, io.Discard, TradeConfirmationRequest{AccountID: acct, Range: MonthlyStatements(day, day)})
	wantErr(t, err, ErrDate)
	_, err = c.TradeConfirmations(ctx, io.Discard, TradeConfirmationRequest{AccountID: acct, Range: DailyStatement(day.AddDate(0, 0, -1))})
	wantErr(t, err, ErrBadRequest)
}

// bigStatementFake serves createStatements with a pre-encoded answer of a
// size-byte PDF, written in 32 KB pieces.
func bigStatementFake(t testing.TB, size int, gz bool) (*Client, []byte) {
	f := newFake(t)
	pdf := fakePDF(size, 9)
	payload := pdf
	if gz {
		payload = gzipped(t, pdf)
	}
	body := []byte(statementJSON(base64.StdEncoding.EncodeToString(payload), gz))
	f.handle("createStatements", func(w http.ResponseWriter, r *http.Request, rec received) {
		w.Header().Set("Content-Type", "application/json")
		for b := body; len(b) > 0; {
			n := min(len(b), 32<<10)
			if _, err := w.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
		}
	})
	return f.newClient(), pdf
}

// hashWriter checks the document without keeping it.
type hashWriter struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (w *hashWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return w.h.Write(p) }

// Streaming end to end: a several-MB statement travels through the client
// (token, signing, pipeline, HTTP) into the writer while the process
// allocates a small fraction of its size.
func TestStatementStreamMemory(t *testing.T) {
	const size = 2 << 20
	// The gzip path's memory is covered by TestDecodeStatementMemory and
	// BenchmarkStatementStream; compressing test data is slow under -race.
	for _, gz := range []bool{false} {
		c, pdf := bigStatementFake(t, size, gz)
		req := StatementRequest{AccountID: "U1234567", Range: AnnualStatement(2024), Gzip: gz}
		// Warm up: the token and connection are fetched once.
		if _, err := c.AvailableStatements(bg, "U1234567"); err != nil {
			t.Fatal(err)
		}
		w := &hashWriter{h: sha256.New()}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		info, err := c.Statement(bg, w, req)
		runtime.ReadMemStats(&after)
		if err != nil || info.Written != size || w.n != size {
			t.Fatalf("gzip=%v: %+v %v", gz, info, err)
		}
		if want := sha256.Sum256(pdf); !bytes.Equal(w.h.Sum(nil), want[:]) {
			t.Fatalf("gzip=%v: document differs", gz)
		}
		// The whole process, fake server included, allocates far less
		// than the document: nothing holds it whole.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
			t.Errorf("gzip=%v: streaming a %d-byte statement allocated %d bytes", gz, size, alloc)
		}
	}
}

// BenchmarkStatementStream streams an 8 MB statement through the client to
// a writer that keeps nothing. B/op, against the file size in the
// "file-B" metric, shows the peak is a small fraction of the size (the
// whole base64 answer alone would be 1.33 times it).
func BenchmarkStatementStream(b *testing.B) {
	const size = 8 << 20
	for _, gz := range []bool{false, true} {
		name := "plain"
		if gz {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			c, _ := bigStatementFake(b, size, gz)
			req := StatementRequest{AccountID: "U1234567", Range: AnnualStatement(2024), Gzip: gz}
			if _, err := c.Statement(bg, io.Discard, req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Statement(bg, io.Discard, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(size, "file-B")
		})
	}
}

func TestStreamReportRaw(t *testing.T) {
	// A non-JSON answer is copied as is; an empty one is an error.
	resp := &http.Response{Header: http.Header{"Content-Type": {"application/pdf"}}, Body: io.NopCloser(strings.NewReader("%PDF-1.7 x"))}
	var buf bytes.Buffer
	info, err := streamReport(&buf, resp, nil)
	if err != nil || info.Written != 10 || info.MimeType != "application/pdf" || buf.String() != "%PDF-1.7 x" {
		t.Fatalf("%+v %v", info, err)
	}
	resp = &http.Response{Header: http.Header{"Content-Type": {"application/pdf"}}, Body: io.NopCloser(strings.NewReader(""))}
	_, err = streamReport(io.Discard, resp, nil)
	wantErr(t, err, ErrStatementFormat)
}
