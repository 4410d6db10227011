package ibkr

import (
	"bufio"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrStatementFormat reports a statement, tax document or trade
// confirmation answer that could not be decoded: not the documented JSON
// shape, no data.value, bad base64 or a corrupt gzip stream.
var ErrStatementFormat = errors.New("ibkr: malformed statement answer")

// StatementInfo describes a decoded statement, tax document or trade
// confirmation answer.
type StatementInfo struct {
	// MimeType is the answer's data.mimeType, e.g. "application/pdf".
	MimeType string
	// DataType and Encoding are the answer's data.dataType and
	// data.encoding, as sent.
	DataType, Encoding string
	// Gzip is the answer's data.gzip flag.
	Gzip bool
	// Compressed reports that the payload really was gzip-compressed and
	// was decompressed. It is detected from the bytes, so a missing or
	// late gzip flag does not matter.
	Compressed bool
	// Written is the number of document bytes written.
	Written int64
}

// DecodeStatement reads the JSON answer of a statement, tax document or
// trade confirmation request from body — {"data": {"value": <base64>,
// "mimeType": ..., "gzip": ...}} — and writes the decoded document (a PDF,
// typically) to w, decompressing it if it is gzip-compressed.
//
// It streams: the base64 string is never held whole, nor is the document,
// so a decode allocates about 150 KB of buffers whatever the file size
// (BenchmarkStatementDecode: under 2% of an 8 MB document). Fields
// may come in any order and the string may use JSON escapes (such as \/ and
// \n). If the answer turns out malformed after some bytes were written, w
// holds a partial document and the error matches ErrStatementFormat; an
// error writing to w is returned as is.
func DecodeStatement(w io.Writer, body io.Reader) (StatementInfo, error) {
	var info StatementInfo
	br := bufio.NewReaderSize(body, 32<<10)
	dec := json.NewDecoder(br)
	if err := expectDelim(dec, '{'); err != nil {
		return info, err
	}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return info, err
		}
		if key != "data" {
			if err := skipValue(dec); err != nil {
				return info, err
			}
			continue
		}
		if err := expectDelim(dec, '{'); err != nil {
			return info, err
		}
		for dec.More() {
			key, err := objectKey(dec)
			if err != nil {
				return info, err
			}
			if key == "value" {
				// Hand over to the streaming path; the rest of the answer is
				// checked there.
				rest := bufio.NewReaderSize(io.MultiReader(dec.Buffered(), br), 32<<10)
				return decodeStatementValue(w, rest, info)
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return info, statementErr("data.%s: %v", key, err)
			}
			if err := info.set(key, raw); err != nil {
				return info, err
			}
		}
		return info, statementErr("the answer carries no document (data.value is missing)")
	}
	return info, statementErr("the answer carries no document (no data object)")
}

func statementErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrStatementFormat, fmt.Sprintf(format, args...))
}

// set records one of data's small fields.
func (info *StatementInfo) set(key string, raw json.RawMessage) error {
	var dst any
	switch key {
	case "mimeType":
		dst = &info.MimeType
	case "dataType":
		dst = &info.DataType
	case "encoding":
		dst = &info.Encoding
	case "gzip":
		dst = &info.Gzip
	default:
		return nil
	}
	if string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return statementErr("data.%s: %v", key, err)
	}
	return nil
}

// statementTail receives data's fields that follow value.
type statementTail struct {
	Value    *json.RawMessage `json:"value"`
	MimeType *string          `json:"mimeType"`
	DataType *string          `json:"dataType"`
	Encoding *string          `json:"encoding"`
	Gzip     *bool            `json:"gzip"`
}

// decodeStatementValue streams data.value, which starts at the colon after
// its key in rest, then checks and records the remainder of the answer.
func decodeStatementValue(w io.Writer, rest *bufio.Reader, info StatementInfo) (StatementInfo, error) {
	// encoding/json consumes the colon after a key lazily, with the next
	// token, so it is still ahead.
	c, err := skipSpace(rest)
	if err == nil && c != ':' {
		return info, statementErr("expected ':' after data.value's key")
	}
	if err == nil {
		c, err = skipSpace(rest)
	}
	if err != nil {
		return info, statementErr("truncated after data.value")
	}
	if c != '"' {
		return info, statementErr("data.value is not a string")
	}
	str := &jsonStringReader{br: rest}
	payload := bufio.NewReaderSize(base64.NewDecoder(base64.StdEncoding, str), 32<<10)
	var src io.Reader = payload
	if magic, _ := payload.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(payload)
		if err != nil {
			return info, statementErr("gzip: %v", err)
		}
		defer zr.Close()
		info.Compressed = true
		src = zr
	}
	n, err := io.Copy(w, stmtReadTagger{src})
	info.Written = n
	if err != nil {
		var re stmtReadErr
		if errors.As(err, &re) {
			return info, statementErr("data.value: %v", re.err)
		}
		return info, err
	}
	// The document ended; so must the JSON string (a gzip stream ends
	// only at the end of its input, a plain one is read to the end).
	if !str.done {
		return info, statementErr("data.value has data after the document")
	}

	// Check the rest of data, then the rest of the answer, by letting
	// encoding/json finish each object behind a stand-in for what was
	// already read.
	tailDec := json.NewDecoder(io.MultiReader(strings.NewReader(`{"value":null`), rest))
	var tail statementTail
	if err := tailDec.Decode(&tail); err != nil {
		return info, statementErr("after data.value: %v", err)
	}
	if tail.Value != nil {
		return info, statementErr("data has a second value")
	}
	if tail.MimeType != nil {
		info.MimeType = *tail.MimeType
	}
	if tail.DataType != nil {
		info.DataType = *tail.DataType
	}
	if tail.Encoding != nil {
		info.Encoding = *tail.Encoding
	}
	if tail.Gzip != nil {
		info.Gzip = *tail.Gzip
	}
	outer := json.NewDecoder(io.MultiReader(strings.NewReader(`{"data":null`), tailDec.Buffered(), rest))
	// encoding/json matches keys case-insensitively: a second "data" in
	// any case would be ambiguous.
	var outerTail struct {
		Data *json.RawMessage `json:"data"`
	}
	if err := outer.Decode(&outerTail); err != nil {
		return info, statementErr("after data: %v", err)
	}
	if outerTail.Data != nil {
		return info, statementErr("the answer has a second data object")
	}
	if _, err := outer.Token(); err != io.EOF {
		return info, statementErr("data after the answer's end")
	}
	return info, nil
}

// stmtReadErr marks an error from the decoding side of the copy, so it is not
// confused with an error of the caller's writer.
type stmtReadErr struct{ err error }

func (e stmtReadErr) Error() string { return e.err.Error() }

type stmtReadTagger struct{ r io.Reader }

func (t stmtReadTagger) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		err = stmtReadErr{err}
	}
	return n, err
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return statementErr("%v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return statementErr("expected %q, found %v", string(want), tok)
	}
	return nil
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", statementErr("%v", err)
	}
	k, ok := tok.(string)
	if !ok {
		return "", statementErr("expected an object key, found %v", tok)
	}
	return k, nil
}

func skipValue(dec *json.Decoder) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return statementErr("%v", err)
	}
	return nil
}

func skipSpace(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, nil
	}
}

// jsonStringReader yields the unescaped contents of a JSON string whose
// opening quote was already read, and stops at the closing quote.
type jsonStringReader struct {
	br      *bufio.Reader
	done    bool
	pending []byte
	buf     [utf8.UTFMax]byte
}

func (s *jsonStringReader) Read(p []byte) (int, error) {
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	for n < len(p) && !s.done {
		if _, err := s.br.Peek(1); err != nil {
			return n, errors.New("unterminated string")
		}
		buf, _ := s.br.Peek(s.br.Buffered())
		i := 0
		for i < len(buf) && n+i < len(p) {
			if c := buf[i]; c == '"' || c == '\\' || c < 0x20 {
				break
			}
			i++
		}
		n += copy(p[n:], buf[:i])
		s.br.Discard(i)
		if n == len(p) || i == len(buf) {
			continue
		}
		c, _ := s.br.ReadByte()
		switch {
		case c == '"':
			s.done = true
		case c < 0x20:
			return n, errors.New("control character in string")
		default: // backslash
			out, err := s.escape()
			if err != nil {
				return n, err
			}
			k := copy(p[n:], out)
			n += k
			s.pending = out[k:]
		}
	}
	if n == 0 && s.done {
		return 0, io.EOF
	}
	return n, nil
}

// escape decodes the escape sequence after a backslash.
func (s *jsonStringReader) escape() ([]byte, error) {
	e, err := s.br.ReadByte()
	if err != nil {
		return nil, errors.New("unterminated escape")
	}
	switch e {
	case '"', '\\', '/':
		s.buf[0] = e
	case 'b':
		s.buf[0] = '\b'
	case 'f':
		s.buf[0] = '\f'
	case 'n':
		s.buf[0] = '\n'
	case 'r':
		s.buf[0] = '\r'
	case 't':
		s.buf[0] = '\t'
	case 'u':
		var r rune
		for range 4 {
			h, err := s.br.ReadByte()
			if err != nil {
				return nil, errors.New("unterminated escape")
			}
			switch {
			case h >= '0' && h <= '9':
				r = r<<4 | rune(h-'0')
			case h >= 'a' && h <= 'f':
				r = r<<4 | rune(h-'a'+10)
			case h >= 'A' && h <= 'F':
				r = r<<4 | rune(h-'A'+10)
			default:
				return nil, errors.New("bad \\u escape")
			}
		}
		// Base64 is ASCII; anything else is passed on encoded and refused
		// by the base64 decoder.
		return s.buf[:utf8.EncodeRune(s.buf[:], r)], nil
	default:
		return nil, fmt.Errorf("bad escape \\%c", e)
	}
	return s.buf[:1], nil
}

// StatementPeriod is the granularity of a statement request, implied by
// the format of its dates.
type StatementPeriod int

// Statement periods and their date formats.
const (
	// StatementCustom: a custom range (a daily statement is a one-day
	// range), dates YYYYMMDD, at most MaxStatementDays days.
	StatementCustom StatementPeriod = iota + 1
	// StatementMonthly: whole months, dates YYYYMM, at most 12 months.
	StatementMonthly
	// StatementAnnual: one calendar year, dates YYYY, start equal to end.
	StatementAnnual
)

// String names the period.
func (p StatementPeriod) String() string {
	switch p {
	case StatementCustom:
		return "custom"
	case StatementMonthly:
		return "monthly"
	case StatementAnnual:
		return "annual"
	}
	return fmt.Sprintf("StatementPeriod(%d)", int(p))
}

// MaxStatementDays is the longest range one statement request may cover.
const MaxStatementDays = 365

// StatementRange is the startDate and endDate of a statement request, in
// IBKR's formats: YYYY (annual), YYYYMM (monthly) or YYYYMMDD (custom and
// daily). Build one with DailyStatement, MonthlyStatements,
// AnnualStatement or CustomStatementRange, or parse with
// ParseStatementRange.
type StatementRange struct {
	Start, End string
}

// DailyStatement is the range of the one day of t (in t's location).
func DailyStatement(t time.Time) StatementRange {
	d := t.Format("20060102")
	return StatementRange{Start: d, End: d}
}

// MonthlyStatements is the range of whole months from the month of from to
// the month of to.
func MonthlyStatements(from, to time.Time) StatementRange {
	return StatementRange{Start: from.Format("200601"), End: to.Format("200601")}
}

// AnnualStatement is the range of one calendar year.
func AnnualStatement(year int) StatementRange {
	y := fmt.Sprintf("%04d", year)
	return StatementRange{Start: y, End: y}
}

// CustomStatementRange is the range of days from from to to, inclusive.
func CustomStatementRange(from, to time.Time) StatementRange {
	return StatementRange{Start: from.Format("20060102"), End: to.Format("20060102")}
}

// ParseStatementRange reads and validates IBKR-format start and end dates.
func ParseStatementRange(start, end string) (StatementRange, error) {
	r := StatementRange{Start: start, End: end}
	if err := r.Validate(); err != nil {
		return StatementRange{}, err
	}
	return r, nil
}

var statementLayouts = map[int]struct {
	layout string
	period StatementPeriod
}{
	4: {"2006", StatementAnnual},
	6: {"200601", StatementMonthly},
	8: {"20060102", StatementCustom},
}

// Period returns the period the dates' format implies, or 0 if Start is
// in none of the formats.
func (r StatementRange) Period() StatementPeriod {
	if l, ok := statementLayouts[len(r.Start)]; ok {
		return l.period
	}
	return 0
}

// Validate checks the range: both dates in the same format and real
// calendar values, end not before start, and within IBKR's limit of 365
// days per request (one year for annual, twelve months for monthly
// statements, so leap years are not refused).
func (r StatementRange) Validate() error {
	l, ok := statementLayouts[len(r.Start)]
	if !ok || !allDigits(r.Start) {
		return inputErr("startDate", ErrDate, "must be YYYY, YYYYMM or YYYYMMDD")
	}
	if len(r.End) != len(r.Start) || !allDigits(r.End) {
		return inputErr("endDate", ErrDate, "must have the same format as startDate (%s)", formatName(l.period))
	}
	start, err := time.Parse(l.layout, r.Start)
	if err != nil {
		return inputErr("startDate", ErrDate, "%s is not a real %s date", r.Start, formatName(l.period))
	}
	end, err := time.Parse(l.layout, r.End)
	if err != nil {
		return inputErr("endDate", ErrDate, "%s is not a real %s date", r.End, formatName(l.period))
	}
	if end.Before(start) {
		return inputErr("endDate", ErrDateRange, "%s is before startDate %s", r.End, r.Start)
	}
	switch l.period {
	case StatementAnnual:
		if !end.Equal(start) {
			return inputErr("endDate", ErrDateRange, "an annual statement covers one year; endDate must equal startDate")
		}
	case StatementMonthly:
		if months := (end.Year()-start.Year())*12 + int(end.Month()-start.Month()) + 1; months > 12 {
			return inputErr("endDate", ErrDateRange, "covers %d months, at most 12 per request", months)
		}
	case StatementCustom:
		if days := int(end.Sub(start).Hours()/24) + 1; days > MaxStatementDays {
			return inputErr("endDate", ErrDateRange, "covers %d days, at most %d per request", days, MaxStatementDays)
		}
	}
	return nil
}

// StatementHistoryYears is how far back IBKR offers statements: the
// current year to date and the two calendar years before it.
const StatementHistoryYears = 2

// ValidateAt checks the range as Validate does and against the calendar
// at now (in US Eastern time, IBKR's business day): no date after today,
// and startDate not before 1 January StatementHistoryYears years ago, the
// oldest statement IBKR offers. Statement and TradeConfirmations check
// this with the client's clock before sending.
func (r StatementRange) ValidateAt(now time.Time) error {
	if err := r.Validate(); err != nil {
		return err
	}
	l := statementLayouts[len(r.Start)]
	start, _ := time.Parse(l.layout, r.Start)
	end, _ := time.Parse(l.layout, r.End)
	et := now.In(eastern())
	today := time.Date(et.Year(), et.Month(), et.Day(), 0, 0, 0, 0, time.UTC)
	if start.After(today) {
		return inputErr("startDate", ErrDateRange, "%s is in the future (today is %s in US Eastern time)", r.Start, today.Format("2006-01-02"))
	}
	if end.After(today) {
		return inputErr("endDate", ErrDateRange, "%s is in the future (today is %s in US Eastern time)", r.End, today.Format("2006-01-02"))
	}
	if oldest := et.Year() - StatementHistoryYears; start.Year() < oldest {
		return inputErr("startDate", ErrDateRange, "%s is before %d: IBKR offers statements for the year to date and the %d years before", r.Start, oldest, StatementHistoryYears)
	}
	return nil
}

func formatName(p StatementPeriod) string {
	switch p {
	case StatementAnnual:
		return "YYYY"
	case StatementMonthly:
		return "YYYYMM"
	}
	return "YYYYMMDD"
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
