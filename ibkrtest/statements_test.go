package ibkrtest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestStatements(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithTokenLifetime(400*24*time.Hour), ibkrtest.WithRateLimit(0, 0))
	c := newClient(t, srv)
	acct := ibkrtest.DemoAccountID
	stmt := func(start, end string, gz bool) answer {
		return c.post("/gw/api/v1/statements", map[string]any{"accountId": acct, "startDate": start, "endDate": end, "mimeType": "application/pdf", "gzip": gz})
	}
	// Not funded: nothing available.
	av := c.get("/gw/api/v1/statements/available?accountId=" + acct).json(t)["data"].(map[string]any)["value"].(map[string]any)
	if _, ok := av["daily"]; ok || len(av["monthly"].([]any)) != 0 {
		t.Fatalf("%v", av)
	}
	wantStatus(t, stmt("20250301", "20250303", false), http.StatusBadRequest)

	// Fund it with a wire deposit on 4 March, then let two months pass.
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "", "2500", "WIRE")), http.StatusAccepted)
	srv.Advance(ibkrtest.DefaultTimings.WireDeposit)
	srv.Advance(60 * 24 * time.Hour) // 3 May
	av = c.get("/gw/api/v1/statements/available?accountId=" + acct).json(t)["data"].(map[string]any)["value"].(map[string]any)
	daily := av["daily"].(map[string]any)
	if daily["startDate"] != "20250304" || daily["endDate"] != "20250502" {
		t.Fatalf("%v", av)
	}
	if m := av["monthly"].([]any); len(m) != 2 || m[0] != "202503" || m[1] != "202504" {
		t.Fatalf("%v", av)
	}

	// A PDF in JSON, base64.
	a := stmt("202503", "202503", false)
	wantStatus(t, a, http.StatusOK)
	d := a.json(t)["data"].(map[string]any)
	pdf, err := base64.StdEncoding.DecodeString(d["value"].(string))
	if err != nil || d["mimeType"] != "application/pdf" || d["gzip"] != false {
		t.Fatalf("%v %v", err, d["mimeType"])
	}
	checkPDF(t, pdf, "2500", "DEPOSIT")

	// gzip, then base64.
	a = stmt("20250304", "20250310", true)
	wantStatus(t, a, http.StatusOK)
	d = a.json(t)["data"].(map[string]any)
	z, _ := base64.StdEncoding.DecodeString(d["value"].(string))
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil || d["gzip"] != true {
		t.Fatal(err)
	}
	pdf, _ = io.ReadAll(zr)
	checkPDF(t, pdf, "2500", "DEPOSIT")

	// Raw PDF when the client asks for it.
	claims := map[string]any{"accountId": acct, "startDate": "2025", "endDate": "2025"}
	now := srv.Now()
	claims["iss"], claims["iat"], claims["exp"] = srv.ClientID, now.Unix(), now.Add(time.Minute).Unix()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/gw/api/v1/statements", strings.NewReader(sign(t, c.key, c.kid, claims)))
	req.Header.Set("Authorization", "Bearer "+c.tok)
	req.Header.Set("Content-Type", "application/jwt")
	req.Header.Set("Accept", "application/pdf")
	raw := do(t, req)
	wantStatus(t, raw, http.StatusOK)
	if raw.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("content type %q", raw.Header.Get("Content-Type"))
	}
	checkPDF(t, raw.Body, "2500", "DEPOSIT")

	// IBKR's limits: at most 365 days, same format both ends, PDF only.
	for _, bad := range [][2]string{{"20240101", "20250301"}, {"2025", "202503"}, {"20250310", "20250301"}, {"2025-03-01", "2025-03-02"}} {
		wantStatus(t, stmt(bad[0], bad[1], false), http.StatusBadRequest)
	}
	a = c.post("/gw/api/v1/statements", map[string]any{"accountId": acct, "startDate": "2025", "endDate": "2025", "mimeType": "text/html"})
	wantStatus(t, a, http.StatusBadRequest)
}

// checkPDF checks the document is a complete PDF whose text mentions want.
func checkPDF(t *testing.T, pdf []byte, want ...string) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF: %.40q", pdf)
	}
	if !bytes.Contains(pdf, []byte("xref")) || !bytes.Contains(pdf, []byte("/Type /Catalog")) {
		t.Fatal("PDF lacks xref or catalog")
	}
	// Every xref entry points at its object, and startxref at the table.
	x := bytes.LastIndex(pdf, []byte("\nxref\n")) + 1
	var start int
	if _, err := fmt.Sscanf(string(pdf[bytes.LastIndex(pdf, []byte("startxref\n")):]), "startxref\n%d", &start); err != nil || start != x {
		t.Fatalf("startxref %d, table at %d (%v)", start, x, err)
	}
	lines := strings.Split(string(pdf[x:]), "\n")
	var n int
	fmt.Sscanf(lines[1], "0 %d", &n)
	for i := 1; i < n; i++ {
		var off int
		fmt.Sscanf(lines[2+i], "%d", &off)
		if !bytes.HasPrefix(pdf[off:], []byte(fmt.Sprintf("%d 0 obj", i))) {
			t.Fatalf("xref entry %d points at %.20q", i, pdf[off:])
		}
	}
	for _, w := range want {
		if !bytes.Contains(pdf, []byte(w)) {
			t.Errorf("PDF does not mention %q", w)
		}
	}
}
