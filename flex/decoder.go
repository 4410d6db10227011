package flex

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"iter"
	"strconv"
	"strings"
)

// Element names of the statement's frame.
const (
	elemQueryResponse     = "FlexQueryResponse"
	elemStatementResponse = "FlexStatementResponse"
	elemStatements        = "FlexStatements"
	elemStatement         = "FlexStatement"
)

// Section names this package types (the names of the elements directly
// inside a FlexStatement).
const (
	SectionAccountInformation = "AccountInformation"
	SectionEquitySummary      = "EquitySummaryInBase"
	SectionChangeInNAV        = "ChangeInNAV"
	SectionCashReport         = "CashReport"
	SectionOpenPositions      = "OpenPositions"
	SectionCashTransactions   = "CashTransactions"
	SectionTransfers          = "Transfers"
	SectionConversionRates    = "ConversionRates"
)

// Kind is what a Record announces.
type Kind int

const (
	// KindStatement: a FlexStatement (one account's statement) begins;
	// Record.Statement holds its header.
	KindStatement Kind = iota + 1
	// KindSection: a section begins (an element directly inside the
	// FlexStatement). Sections without rows are announced too.
	KindSection
	// KindRow: a data element (one with attributes) inside a section, or a
	// section that is itself a single data element (AccountInformation,
	// ChangeInNAV).
	KindRow
	// KindStatementEnd: the FlexStatement ends.
	KindStatementEnd
)

// StatementInfo is the header of one FlexStatement.
type StatementInfo struct {
	AccountID     string
	FromDate      Date
	ToDate        Date
	Period        string
	WhenGenerated DateTime
	Extra         Attrs
}

// Record is one step of a statement read as a stream. The typed methods
// (CashTransaction, OpenPosition, ...) read a row's attributes.
type Record struct {
	Kind Kind
	// Statement is the header of the FlexStatement the record belongs to.
	Statement *StatementInfo
	// Section is the section's element name, e.g. "CashTransactions".
	Section string
	// Name is the element's name, e.g. "CashTransaction".
	Name string
	// Attrs are the element's attributes, as written.
	Attrs []xml.Attr
	// Line is the line of the document the element starts on.
	Line  int
	order DateOrder
}

// Attr returns the value of the attribute named name.
func (r *Record) Attr(name string) (string, bool) {
	for _, a := range r.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// Row returns the record's attributes as an untyped Attrs list.
func (r *Record) Row() Attrs {
	out := make(Attrs, len(r.Attrs))
	for i, a := range r.Attrs {
		out[i] = Attr{Name: a.Name.Local, Value: a.Value}
	}
	return out
}

// DecodeOption configures a Decoder.
type DecodeOption func(*decodeOptions)

type decodeOptions struct {
	order DateOrder
}

// WithDateOrder says how to read slash dates whose day and month are both
// 12 or less (MonthFirst unless told).
func WithDateOrder(o DateOrder) DecodeOption { return func(d *decodeOptions) { d.order = o } }

// Decoder reads a Flex statement (a FlexQueryResponse document) as a
// stream of records, with memory that does not grow with the document:
// it holds one element at a time. Documents may hold several account
// statements (FlexStatements count="N").
type Decoder struct {
	br       *bufio.Reader
	x        *xml.Decoder
	o        decodeOptions
	started  bool
	rootDone bool
	err      error

	// QueryName and Type are the FlexQueryResponse's attributes, set once
	// the first record has been read.
	QueryName string
	Type      string

	stack      []string
	stmt       *StatementInfo
	stmtDepth  int
	section    string
	count      int // FlexStatements@count, -1 if absent
	statements int
	queue      []Record
}

// NewDecoder reads a statement from r.
func NewDecoder(r io.Reader, opts ...DecodeOption) *Decoder {
	d := &Decoder{br: bufio.NewReaderSize(r, 64<<10), count: -1}
	for _, o := range opts {
		o(&d.o)
	}
	return d
}

// Next returns the next record, or io.EOF after the document's end. A
// document that is not a Flex statement gives a *FormatError; an error
// envelope (FlexStatementResponse) gives its *ServiceError. After an error
// every call returns the same error.
func (d *Decoder) Next() (Record, error) {
	if d.err != nil {
		return Record{}, d.err
	}
	rec, err := d.next()
	if err != nil {
		d.err = err
	}
	return rec, err
}

// All returns the records as a sequence; it stops after the first error,
// which it yields.
func (d *Decoder) All() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for {
			rec, err := d.Next()
			if err == io.EOF {
				return
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

func (d *Decoder) start() error {
	d.started = true
	head, _ := d.br.Peek(512)
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return &FormatError{Reason: "empty document"}
	case trimmed[0] != '<':
		if bytes.HasPrefix(trimmed, []byte(`"BOF"`)) || bytes.HasPrefix(trimmed, []byte("BOF,")) || bytes.IndexByte(firstLine(trimmed), ',') >= 0 {
			return &FormatError{Reason: "the statement is CSV or text, not XML", notXML: true}
		}
		return &FormatError{Reason: "the document is not XML"}
	}
	lower := strings.ToLower(string(trimmed[:min(len(trimmed), 64)]))
	if strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html") {
		return &FormatError{Reason: "an HTML page instead of a statement (wrong URL?)"}
	}
	d.x = xml.NewDecoder(newTextReader(d.br))
	d.x.CharsetReader = charsetReader
	return nil
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

func (d *Decoder) next() (Record, error) {
	if !d.started {
		if err := d.start(); err != nil {
			return Record{}, err
		}
	}
	if len(d.queue) > 0 {
		r := d.queue[0]
		d.queue = d.queue[1:]
		return r, nil
	}
	for {
		tok, err := d.x.RawToken()
		if err == io.EOF {
			if !d.rootDone {
				return Record{}, &FormatError{Reason: "the document ends early (cut short?)", err: io.ErrUnexpectedEOF}
			}
			return Record{}, io.EOF
		}
		if err != nil {
			return Record{}, &FormatError{Reason: "malformed XML: " + err.Error(), err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			rec, emit, err := d.startElement(t)
			if err != nil {
				return Record{}, err
			}
			if emit {
				return rec, nil
			}
		case xml.EndElement:
			rec, emit, err := d.endElement(t)
			if err != nil {
				return Record{}, err
			}
			if emit {
				return rec, nil
			}
		}
	}
}

func (d *Decoder) line() int {
	l, _ := d.x.InputPos()
	return l
}

func (d *Decoder) startElement(t xml.StartElement) (Record, bool, error) {
	name := t.Name.Local
	depth := len(d.stack)
	if depth == 0 {
		if d.rootDone {
			return Record{}, false, &FormatError{Reason: "more than one root element"}
		}
		switch name {
		case elemQueryResponse:
		case elemStatementResponse:
			return Record{}, false, d.envelope()
		default:
			return Record{}, false, &FormatError{Reason: "root element <" + clip(name) + "> is not a Flex statement"}
		}
		for _, a := range t.Attr {
			switch a.Name.Local {
			case "queryName":
				d.QueryName = a.Value
			case "type":
				d.Type = a.Value
			}
		}
		d.stack = append(d.stack, name)
		return Record{}, false, nil
	}
	d.stack = append(d.stack, name)
	if d.stmt == nil {
		switch name {
		case elemStatements:
			if v, ok := attr(t.Attr, "count"); ok {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return Record{}, false, &ValueError{Element: name, Attr: "count", Value: clip(v), Line: d.line()}
				}
				d.count = n
			}
		case elemStatement:
			info, err := d.statementInfo(t.Attr)
			if err != nil {
				return Record{}, false, err
			}
			d.stmt, d.stmtDepth, d.section = info, len(d.stack), ""
			d.statements++
			return Record{Kind: KindStatement, Statement: info, Name: name, Attrs: t.Attr, Line: d.line(), order: d.o.order}, true, nil
		}
		return Record{}, false, nil
	}
	rec := Record{Kind: KindRow, Statement: d.stmt, Name: name, Attrs: t.Attr, Line: d.line(), order: d.o.order}
	if len(d.stack) == d.stmtDepth+1 {
		d.section = name
		rec.Section = name
		sec := rec
		sec.Kind = KindSection
		if !hasData(t.Attr) {
			return sec, true, nil
		}
		d.queue = append(d.queue[:0], rec)
		return sec, true, nil
	}
	if !hasData(t.Attr) {
		return Record{}, false, nil // a nested container
	}
	rec.Section = d.section
	return rec, true, nil
}

func (d *Decoder) endElement(t xml.EndElement) (Record, bool, error) {
	if len(d.stack) == 0 || d.stack[len(d.stack)-1] != t.Name.Local {
		return Record{}, false, &FormatError{Reason: "malformed XML: unexpected </" + clip(t.Name.Local) + ">"}
	}
	depth := len(d.stack)
	d.stack = d.stack[:depth-1]
	switch {
	case depth == 1:
		d.rootDone = true
		if d.count >= 0 && d.count != d.statements {
			return Record{}, false, &FormatError{Reason: "FlexStatements count is " + strconv.Itoa(d.count) + " but the document holds " + strconv.Itoa(d.statements)}
		}
	case d.stmt != nil && depth == d.stmtDepth:
		info := d.stmt
		d.stmt, d.section = nil, ""
		return Record{Kind: KindStatementEnd, Statement: info, Name: t.Name.Local, Line: d.line(), order: d.o.order}, true, nil
	case d.stmt != nil && depth == d.stmtDepth+1:
		d.section = ""
	}
	return Record{}, false, nil
}

func hasData(attrs []xml.Attr) bool {
	for _, a := range attrs {
		if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
			return true
		}
	}
	return false
}

func attr(attrs []xml.Attr, name string) (string, bool) {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (d *Decoder) statementInfo(attrs []xml.Attr) (*StatementInfo, error) {
	info := &StatementInfo{}
	f := fields{elem: elemStatement, order: d.o.order, line: d.line()}
	for _, a := range attrs {
		switch a.Name.Local {
		case "accountId":
			info.AccountID = cleanString(a.Value)
		case "fromDate":
			info.FromDate = f.date(a)
		case "toDate":
			info.ToDate = f.date(a)
		case "period":
			info.Period = cleanString(a.Value)
		case "whenGenerated":
			info.WhenGenerated = f.dateTime(a)
		default:
			f.keep(a)
		}
	}
	var err error
	info.Extra, err = f.done()
	return info, err
}

// envelope reads a FlexStatementResponse found where a statement was
// expected and returns its error.
func (d *Decoder) envelope() error {
	var env envelope
	d.stack = append(d.stack, elemStatementResponse)
	if err := readEnvelopeBody(d.x, &env); err != nil {
		return err
	}
	return env.err("")
}
