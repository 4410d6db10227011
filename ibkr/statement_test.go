package ibkr

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// fakePDF returns n bytes that start like a PDF and do not compress much.
func fakePDF(n int, seed uint64) []byte {
	b := make([]byte, n+8)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	b = b[:n]
	copy(b, "%PDF-1.7\n")
	return b
}

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// statementJSON builds an answer around an already-encoded value string
// (without quotes).
func statementJSON(value string, gz bool) string {
	return fmt.Sprintf(`{"data":{"dataType":"String","encoding":"base64","mimeType":"application/pdf","gzip":%v,"value":"%s"}}`, gz, value)
}

// wrapMIME inserts a JSON-escaped CRLF every 76 characters, as MIME
// encoders do.
func wrapMIME(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString(`\r\n`)
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

func TestDecodeStatement(t *testing.T) {
	pdf := fakePDF(100_000, 1)
	b64 := base64.StdEncoding.EncodeToString(pdf)
	gz := base64.StdEncoding.EncodeToString(gzipped(t, pdf))
	tests := []struct {
		name           string
		body           string
		wantCompressed bool
		wantGzip       bool
		wantMime       string
	}{
		{"plain", statementJSON(b64, false), false, false, "application/pdf"},
		{"gzip", statementJSON(gz, true), true, true, "application/pdf"},
		{"gzip flag missing", `{"data":{"value":"` + gz + `"}}`, true, false, ""},
		{"escaped slashes", statementJSON(strings.ReplaceAll(b64, "/", `\/`), false), false, false, "application/pdf"},
		{"mime line breaks", statementJSON(wrapMIME(b64), false), false, false, "application/pdf"},
		{"unicode escapes", statementJSON(strings.ReplaceAll(strings.ReplaceAll(b64, "A", `\u0041`), "+", `\u002B`), false), false, false, "application/pdf"},
		{"value first, fields after", `{"data":{"value":"` + gz + `","gzip":true,"mimeType":"application/pdf"}}`, true, true, "application/pdf"},
		{"other keys around", `{"meta":{"a":[1,{"value":"x"}],"b":"}"},"data":{"accept":"*/*","value":"` + b64 + `","extra":{"value":null}},"tail":[true,null]}`, false, false, ""},
		{"whitespace", "{\n  \"data\" : {\n    \"mimeType\" : \"application/pdf\",\n    \"value\" :\t\"" + b64 + "\"\n  }\n}\n", false, false, "application/pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			info, err := DecodeStatement(&out, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), pdf) {
				t.Fatalf("decoded %d bytes, not the %d-byte document", out.Len(), len(pdf))
			}
			if info.Written != int64(len(pdf)) || info.Compressed != tt.wantCompressed || info.Gzip != tt.wantGzip || info.MimeType != tt.wantMime {
				t.Errorf("info = %+v", info)
			}
		})
	}
	info, err := DecodeStatement(io.Discard, strings.NewReader(statementJSON(b64, false)))
	if err != nil || info.DataType != "String" || info.Encoding != "base64" {
		t.Errorf("info = %+v, %v", info, err)
	}
}

func TestDecodeStatementMalformed(t *testing.T) {
	pdf := fakePDF(5000, 2)
	b64 := base64.StdEncoding.EncodeToString(pdf)
	gzb := gzipped(t, pdf)
	corrupt := append([]byte(nil), gzb...)
	corrupt[len(corrupt)-6] ^= 0xff // CRC mismatch
	tests := map[string]string{
		"empty":                ``,
		"not json":             `<html>`,
		"array":                `[1,2]`,
		"no data":              `{"other":1}`,
		"data null":            `{"data":null}`,
		"data string":          `{"data":"x"}`,
		"no value":             `{"data":{"mimeType":"application/pdf"}}`,
		"value null":           `{"data":{"value":null}}`,
		"value number":         `{"data":{"value":12}}`,
		"bad base64":           statementJSON("!!!!"+b64, false),
		"short base64":         statementJSON(b64[:len(b64)-1], false),
		"unterminated string":  `{"data":{"value":"` + b64,
		"truncated after":      `{"data":{"value":"` + b64 + `"`,
		"truncated outer":      `{"data":{"value":"` + b64 + `"}`,
		"trailing garbage":     statementJSON(b64, false) + `x`,
		"two answers":          statementJSON(b64, false) + `{}`,
		"bad tail":             `{"data":{"value":"` + b64 + `",}}`,
		"control char":         statementJSON(b64[:8]+"\n"+b64[8:], false),
		"bad escape":           statementJSON(b64[:8]+`\x`+b64[8:], false),
		"bad unicode escape":   statementJSON(b64[:8]+`\u00zz`+b64[8:], false),
		"quote escape":         statementJSON(b64[:8]+`\"`+b64[8:], false),
		"corrupt gzip":         statementJSON(base64.StdEncoding.EncodeToString(corrupt), true),
		"gzip then garbage":    statementJSON(base64.StdEncoding.EncodeToString(append(gzb, "junk"...)), true),
		"truncated gzip":       statementJSON(base64.StdEncoding.EncodeToString(gzb[:len(gzb)/2]), true),
		"bad mimeType type":    `{"data":{"mimeType":5,"value":"` + b64 + `"}}`,
		"bad gzip flag after":  `{"data":{"value":"` + b64 + `","gzip":"yes"}}`,
		"bad key before value": `{"data":{"mimeType":}}`,
		"second value":         `{"data":{"value":"` + b64 + `","Value":"JVBERi0="}}`,
		"second data":          `{"data":{"value":"` + b64 + `"},"Data":{"value":"JVBERi0="}}`,
		"missing colon":        `{"data":{"value""JVBERi0="}}`,
		"missing colon empty":  `{"data":{"value"""}}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeStatement(io.Discard, strings.NewReader(body))
			if !errors.Is(err, ErrStatementFormat) {
				t.Fatalf("err = %v, want ErrStatementFormat", err)
			}
		})
	}
}

type failAfterWriter struct{ after int }

var errWriterFull = errors.New("disk full")

func (f *failAfterWriter) Write(p []byte) (int, error) {
	if f.after < len(p) {
		n := f.after
		f.after = 0
		return n, errWriterFull
	}
	f.after -= len(p)
	return len(p), nil
}

func TestDecodeStatementWriterError(t *testing.T) {
	pdf := fakePDF(200_000, 3)
	body := statementJSON(base64.StdEncoding.EncodeToString(pdf), false)
	info, err := DecodeStatement(&failAfterWriter{after: 70_000}, strings.NewReader(body))
	if !errors.Is(err, errWriterFull) || errors.Is(err, ErrStatementFormat) {
		t.Fatalf("err = %v, want the writer's error untouched", err)
	}
	if info.Written != 70_000 {
		t.Errorf("Written = %d", info.Written)
	}
}

// TestDecodeStatementMemory checks the streaming promise: decoding a 2 MB
// document allocates a small fraction of its size.
func TestDecodeStatementMemory(t *testing.T) {
	const size = 2 << 20
	for _, gz := range []bool{false, true} {
		pdf := fakePDF(size, 4)
		payload := pdf
		if gz {
			payload = gzipped(t, pdf)
		}
		body := []byte(statementJSON(base64.StdEncoding.EncodeToString(payload), gz))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		info, err := DecodeStatement(io.Discard, bytes.NewReader(body))
		runtime.ReadMemStats(&after)
		if err != nil || info.Written != size {
			t.Fatalf("gzip=%v: %+v, %v", gz, info, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/8 {
			t.Errorf("gzip=%v: decoding a %d-byte document allocated %d bytes", gz, size, alloc)
		}
	}
}

// referenceDecode is the obvious, memory-hungry decoding the streaming
// decoder must agree with.
func referenceDecode(body []byte) ([]byte, error) {
	var resp gen.GetStatementsResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	if resp.Data == nil || resp.Data.Value == nil {
		return nil, errors.New("no value")
	}
	raw, err := base64.StdEncoding.DecodeString(*resp.Data.Value)
	if err != nil {
		return nil, err
	}
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	return raw, nil
}

func FuzzStatementDecode(f *testing.F) {
	small := fakePDF(300, 5)
	f.Add([]byte(statementJSON(base64.StdEncoding.EncodeToString(small), false)))
	f.Add([]byte(statementJSON(base64.StdEncoding.EncodeToString(gzipped(f, small)), true)))
	f.Add([]byte(`{"data":{"value":"JVBERi0=\/\/"}}`))
	f.Add([]byte(`{"x":[{}],"data":{"gzip":false,"value":"JVBE\u0052i0="},"y":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var out bytes.Buffer
		info, err := DecodeStatement(&out, bytes.NewReader(body))
		if err != nil {
			if !errors.Is(err, ErrStatementFormat) {
				t.Fatalf("error does not match ErrStatementFormat: %v", err)
			}
			return
		}
		if info.Written != int64(out.Len()) {
			t.Fatalf("Written %d, wrote %d", info.Written, out.Len())
		}
		// Whatever the streaming decoder accepts, the obvious decoding
		// accepts too and yields the same bytes. (The converse does not
		// hold: the decoder is stricter about duplicate keys.)
		want, err := referenceDecode(body)
		if err != nil {
			t.Fatalf("accepted an answer the reference refuses (%v): %q", err, body)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("decoded %q, reference %q", out.Bytes(), want)
		}
	})
}

func BenchmarkStatementDecode(b *testing.B) {
	const size = 8 << 20
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("gzip=%v", gz), func(b *testing.B) {
			pdf := fakePDF(size, 6)
			payload := pdf
			if gz {
				payload = gzipped(b, pdf)
			}
			body := []byte(statementJSON(wrapMIME(base64.StdEncoding.EncodeToString(payload)), gz))
			b.SetBytes(size)
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				if _, err := DecodeStatement(io.Discard, bytes.NewReader(body)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			// Bytes allocated per decode relative to the document's size:
			// an upper bound on the decoder's peak memory (2.0 would be
			// "the whole file twice").
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/size, "alloc/filesize")
		})
	}
}

func TestStatementRange(t *testing.T) {
	ny := time.FixedZone("EST", -5*3600)
	good := []struct {
		r      StatementRange
		period StatementPeriod
	}{
		{DailyStatement(time.Date(2024, 2, 29, 23, 0, 0, 0, ny)), StatementCustom},
		{CustomStatementRange(ymd(2023, 1, 1), ymd(2023, 12, 31)), StatementCustom},
		{CustomStatementRange(ymd(2024, 1, 2), ymd(2024, 12, 31)), StatementCustom},
		{MonthlyStatements(ymd(2023, 4, 1), ymd(2023, 4, 30)), StatementMonthly},
		{MonthlyStatements(ymd(2024, 1, 1), ymd(2024, 12, 1)), StatementMonthly},
		{MonthlyStatements(ymd(2023, 7, 1), ymd(2024, 6, 1)), StatementMonthly},
		{AnnualStatement(2024), StatementAnnual},
	}
	for _, g := range good {
		if err := g.r.Validate(); err != nil {
			t.Errorf("%+v refused: %v", g.r, err)
		}
		if p := g.r.Period(); p != g.period {
			t.Errorf("%+v.Period() = %v, want %v", g.r, p, g.period)
		}
	}
	if r := DailyStatement(time.Date(2024, 2, 29, 23, 0, 0, 0, ny)); r.Start != "20240229" || r.End != "20240229" {
		t.Errorf("DailyStatement = %+v", r)
	}
	if r := AnnualStatement(2023); r.Start != "2023" || r.End != "2023" {
		t.Errorf("AnnualStatement = %+v", r)
	}
	bad := []struct {
		start, end, field string
		cause             error
	}{
		{"", "", "startDate", ErrDate},
		{"2023-01-01", "2023-01-31", "startDate", ErrDate},
		{"20230", "20230", "startDate", ErrDate},
		{"2023010A", "20230131", "startDate", ErrDate},
		{"20230101", "202301", "endDate", ErrDate},
		{"20230230", "20230301", "startDate", ErrDate},
		{"20230101", "20231332", "endDate", ErrDate},
		{"202313", "202313", "startDate", ErrDate},
		{"20230201", "20230131", "endDate", ErrDateRange},
		{"20230101", "20240101", "endDate", ErrDateRange},
		{"20240101", "20241231", "endDate", ErrDateRange},
		{"202301", "202401", "endDate", ErrDateRange},
		{"2022", "2023", "endDate", ErrDateRange},
		{"2023", "2022", "endDate", ErrDateRange},
	}
	for _, tt := range bad {
		_, err := ParseStatementRange(tt.start, tt.end)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, tt.cause) {
			t.Errorf("ParseStatementRange(%q, %q) = %v, want %s / %v", tt.start, tt.end, err, tt.field, tt.cause)
		}
	}
	if StatementMonthly.String() != "monthly" || StatementPeriod(9).String() != "StatementPeriod(9)" {
		t.Error("StatementPeriod.String")
	}
}
