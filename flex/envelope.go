package flex

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// envelope is a FlexStatementResponse: the answer of SendRequest, and of
// GetStatement while the statement is not ready or on an error.
type envelope struct {
	Status        string
	ReferenceCode string
	URL           string
	ErrorCode     string
	ErrorMessage  string
}

// err turns a Fail/Warn envelope into its *ServiceError (nil for
// Success).
func (e *envelope) err(endpoint string) error {
	if strings.EqualFold(e.Status, "Success") && e.ErrorCode == "" {
		return nil
	}
	code, convErr := strconv.Atoi(strings.TrimSpace(e.ErrorCode))
	if convErr != nil || code <= 0 {
		return &FormatError{Endpoint: endpoint, Reason: "status " + strconv.Quote(clip(e.Status)) + " without a usable error code"}
	}
	return &ServiceError{Endpoint: endpoint, Code: code, Message: clip(strings.TrimSpace(e.ErrorMessage))}
}

// Bounds of an envelope: a handful of short text elements.
const (
	maxEnvelopeTokens = 200
	maxEnvelopeText   = 2048
)

// readEnvelopeBody reads the children of a FlexStatementResponse whose
// start element has been read, up to its end.
func readEnvelopeBody(x *xml.Decoder, env *envelope) error {
	depth := 1
	var field *string
	for n := 0; ; n++ {
		if n > maxEnvelopeTokens {
			return &FormatError{Reason: "error envelope too long"}
		}
		tok, err := x.RawToken()
		if err == io.EOF {
			return &FormatError{Reason: "error envelope cut short", err: io.ErrUnexpectedEOF}
		}
		if err != nil {
			return &FormatError{Reason: "malformed error envelope: " + err.Error(), err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			field = nil
			if depth == 2 {
				switch strings.ToLower(t.Name.Local) {
				case "status":
					field = &env.Status
				case "referencecode":
					field = &env.ReferenceCode
				case "url":
					field = &env.URL
				case "errorcode", "code":
					field = &env.ErrorCode
				case "errormessage":
					field = &env.ErrorMessage
				}
			}
		case xml.CharData:
			if field != nil && len(*field)+len(t) <= maxEnvelopeText {
				*field += string(t)
			}
		case xml.EndElement:
			depth--
			field = nil
			if depth == 0 {
				env.Status = strings.TrimSpace(env.Status)
				env.ReferenceCode = strings.TrimSpace(env.ReferenceCode)
				env.URL = strings.TrimSpace(env.URL)
				return nil
			}
		}
	}
}

// parseEnvelope reads a whole FlexStatementResponse document.
func parseEnvelope(r io.Reader, endpoint string) (*envelope, error) {
	x := xml.NewDecoder(newTextReader(r))
	x.CharsetReader = charsetReader
	for n := 0; n < maxEnvelopeTokens; n++ {
		tok, err := x.RawToken()
		if err != nil {
			return nil, &FormatError{Endpoint: endpoint, Reason: "not a Flex answer", err: err}
		}
		if t, ok := tok.(xml.StartElement); ok {
			if t.Name.Local != elemStatementResponse {
				return nil, &FormatError{Endpoint: endpoint, Reason: "root element <" + clip(t.Name.Local) + "> is not a Flex answer"}
			}
			env := &envelope{}
			if err := readEnvelopeBody(x, env); err != nil {
				if fe, ok := err.(*FormatError); ok {
					fe.Endpoint = endpoint
				}
				return nil, err
			}
			return env, nil
		}
	}
	return nil, &FormatError{Endpoint: endpoint, Reason: "not a Flex answer"}
}
