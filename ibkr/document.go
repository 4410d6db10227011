package ibkr

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// ErrDocument is the cause (InputError.Err) when a document attachment
// breaks one of IBKR's rules (format, size, file name, signer, timestamps).
var ErrDocument = errors.New("ibkr: invalid document")

// Documented limits of document attachments. IBKR states "10 MB" per file
// and "25 MB" per upload without saying which megabyte; the limits use the
// smaller, decimal reading so a file passing here passes either way.
const (
	// MaxDocumentSize is the largest file IBKR accepts, in bytes.
	MaxDocumentSize = 10_000_000
	// MaxDocumentUploadSize is the largest total of files in one upload.
	MaxDocumentUploadSize = 25_000_000
	// MaxDocumentFileNameLen is the longest file name IBKR stores. Longer
	// names fail inside IBKR with an opaque database error.
	MaxDocumentFileNameLen = 20
)

// TimestampLayout is IBKR's YYYYMMDDHHMMSS timestamp, sent as a JSON
// number (execTimestamp, execLoginTimestamp).
const TimestampLayout = "20060102150405"

// FormatTimestamp returns t (in its own location) as the number
// YYYYMMDDHHMMSS, e.g. 20210929123113. It returns 0 for a year outside
// 1000–9999, which has no 14-digit form.
func FormatTimestamp(t time.Time) int64 {
	if y := t.Year(); y < 1000 || y > 9999 {
		return 0
	}
	n, _ := strconv.ParseInt(t.Format(TimestampLayout), 10, 64)
	return n
}

// ParseTimestamp reads a YYYYMMDDHHMMSS number back as a time in loc
// (UTC if loc is nil).
func ParseTimestamp(n int64, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s := strconv.FormatInt(n, 10)
	t, err := time.ParseInLocation(TimestampLayout, s, loc)
	if err != nil || len(s) != len(TimestampLayout) {
		return time.Time{}, inputErr("timestamp", ErrDate, "must be a YYYYMMDDHHMMSS number")
	}
	return t, nil
}

// documentFormats maps a file extension to the MIME type IBKR expects and
// the leading bytes every such file starts with.
var documentFormats = map[string]struct {
	mime  string
	magic []byte
}{
	"pdf":  {"application/pdf", []byte("%PDF-")},
	"jpg":  {"image/jpeg", []byte{0xff, 0xd8, 0xff}},
	"jpeg": {"image/jpeg", []byte{0xff, 0xd8, 0xff}},
	"png":  {"image/png", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}},
}

// HolderName composes a name the way IBKR compares signedBy: first name, the
// middle initial if there is a middle name, and last name, separated by
// single spaces ("Jane Q Doe"). IBKR's comparison is case and space
// sensitive, so pass the parts exactly as submitted on the application.
func HolderName(first, middle, last string) string {
	parts := []string{first}
	if middle != "" {
		r := []rune(middle)
		parts = append(parts, string(r[0]))
	}
	return strings.Join(append(parts, last), " ")
}

// DocumentSpec describes a document to attach: an IBKR form or a KYC
// document (proof of identity, address, source of wealth). Build it into a
// Document with NewDocument or ReadDocument.
type DocumentSpec struct {
	// FormNumber is IBKR's four-digit form number, e.g. 8001 (proof of
	// identity) or 8002 (proof of address); see the account's
	// registration tasks.
	FormNumber FormNumber
	// FileName is the file's name with its extension: .pdf, .jpeg, .jpg or
	// .png; at most MaxDocumentFileNameLen printable ASCII characters.
	FileName string
	// SignedBy names who executed the document. Each entry must equal one
	// of HolderNames exactly (case and spaces included).
	SignedBy []string
	// HolderNames are the names on the application, as IBKR holds them
	// (see HolderName). They are checked against SignedBy and not sent.
	HolderNames []string
	// ExecutedAt is when the client signed or executed the document.
	ExecutedAt time.Time
	// LoginAt is when the client's session started (when they logged in
	// and acknowledged the document); not after ExecutedAt.
	LoginAt time.Time
	// ProofOfIdentityType, ProofOfAddressType and DocumentType describe KYC
	// documents with IBKR's enumerated names, e.g. "Passport", "Utility
	// Bill", "Bank Statement". Leave empty when not applicable.
	ProofOfIdentityType string
	ProofOfAddressType  string
	DocumentType        string
	// ValidAddress, with a driver license as proof of identity, says the
	// same document also proves the address.
	ValidAddress *bool
	// ExpirationDate is the ID document's expiry (driver license,
	// passport); zero when not applicable.
	ExpirationDate time.Time
	// ExternalIndividualID identifies, in the caller's system, the
	// individual executing the document (joint and entity accounts).
	ExternalIndividualID string
	// ExternalAccountID identifies the account in the caller's system.
	ExternalAccountID string
	// OmitPayload leaves the file's bytes out of the Document, sending only
	// its name, length and checksum (when the file travels separately).
	OmitPayload bool
}

// Document is one attached document in IBKR's wire form, ready to be placed
// in a request body. It owns its JSON: unlike the generated gen.Document,
// whose int32 timestamps cannot hold YYYYMMDDHHMMSS values, it encodes the
// timestamps as 14-digit numbers.
type Document struct {
	SignedBy             []string         `json:"signedBy,omitempty"`
	AttachedFile         AttachedFile     `json:"attachedFile"`
	FormNumber           FormNumber       `json:"formNumber"`
	ValidAddress         *bool            `json:"validAddress,omitempty"`
	ExecLoginTimestamp   int64            `json:"execLoginTimestamp"`
	ExecTimestamp        int64            `json:"execTimestamp"`
	DocumentType         string           `json:"documentType,omitempty"`
	ProofOfIdentityType  string           `json:"proofOfIdentityType,omitempty"`
	ProofOfAddressType   string           `json:"proofOfAddressType,omitempty"`
	ExpirationDate       string           `json:"expirationDate,omitempty"`
	ExternalAccountID    string           `json:"externalAccountId,omitempty"`
	ExternalIndividualID string           `json:"externalIndividualId,omitempty"`
	Payload              *DocumentPayload `json:"payload,omitempty"`
}

// AttachedFile identifies a document's file: its name, its length in bytes
// and the lower-case hex SHA-1 of its bytes, which IBKR checks.
type AttachedFile struct {
	FileName     string `json:"fileName"`
	FileLength   int    `json:"fileLength"`
	SHA1Checksum string `json:"sha1Checksum"`
}

// DocumentPayload carries a document's bytes: Data is their standard
// base64 encoding.
type DocumentPayload struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

// NewDocument checks spec and the file's bytes against IBKR's rules and
// returns the Document: SHA-1 checksum, length and base64 payload computed
// from data. Every refusal is an *InputError whose cause is ErrDocument (or
// ErrDate for a malformed date).
func NewDocument(spec DocumentSpec, data []byte) (Document, error) {
	mime, err := checkDocumentSpec(spec)
	if err != nil {
		return Document{}, err
	}
	if len(data) == 0 {
		return Document{}, inputErr("attachedFile", ErrDocument, "file is empty")
	}
	if len(data) > MaxDocumentSize {
		return Document{}, inputErr("attachedFile.fileLength", ErrDocument, "file is %d bytes, IBKR accepts at most %d", len(data), MaxDocumentSize)
	}
	ext := documentExt(spec.FileName)
	if !bytes.HasPrefix(data, documentFormats[ext].magic) {
		return Document{}, inputErr("attachedFile", ErrDocument, "content is not a %s file (its leading bytes do not match)", strings.ToUpper(ext))
	}
	sum := sha1.Sum(data)
	doc := Document{
		SignedBy: append([]string(nil), spec.SignedBy...),
		AttachedFile: AttachedFile{
			FileName:     spec.FileName,
			FileLength:   len(data),
			SHA1Checksum: hex.EncodeToString(sum[:]),
		},
		FormNumber:           spec.FormNumber,
		ValidAddress:         spec.ValidAddress,
		ExecLoginTimestamp:   FormatTimestamp(spec.LoginAt),
		ExecTimestamp:        FormatTimestamp(spec.ExecutedAt),
		DocumentType:         spec.DocumentType,
		ProofOfIdentityType:  spec.ProofOfIdentityType,
		ProofOfAddressType:   spec.ProofOfAddressType,
		ExternalAccountID:    spec.ExternalAccountID,
		ExternalIndividualID: spec.ExternalIndividualID,
	}
	if !spec.ExpirationDate.IsZero() {
		doc.ExpirationDate = FormatDate(spec.ExpirationDate)
	}
	if !spec.OmitPayload {
		doc.Payload = &DocumentPayload{MimeType: mime, Data: base64.StdEncoding.EncodeToString(data)}
	}
	return doc, nil
}

// ReadDocument is NewDocument for a file read from r. It reads at most
// MaxDocumentSize+1 bytes, so an oversized file is refused without being
// read whole.
func ReadDocument(spec DocumentSpec, r io.Reader) (Document, error) {
	if _, err := checkDocumentSpec(spec); err != nil {
		return Document{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return Document{}, err
	}
	if len(data) > MaxDocumentSize {
		return Document{}, inputErr("attachedFile.fileLength", ErrDocument, "file is larger than the %d bytes IBKR accepts", MaxDocumentSize)
	}
	return NewDocument(spec, data)
}

// documentExt returns the lower-case extension of name, without the dot.
func documentExt(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	return strings.ToLower(name[i+1:])
}

// checkDocumentSpec applies every rule that does not need the bytes and
// returns the MIME type the file name implies.
func checkDocumentSpec(s DocumentSpec) (string, error) {
	if s.FormNumber < 1000 || s.FormNumber > 9999 {
		return "", inputErr("formNumber", ErrDocument, "must be IBKR's four-digit form number")
	}
	mime, err := checkDocumentFileName(s.FileName)
	if err != nil {
		return "", err
	}
	if err := checkSigners(s.SignedBy, s.HolderNames); err != nil {
		return "", err
	}
	if s.ExecutedAt.IsZero() {
		return "", inputErr("execTimestamp", ErrDocument, "is required (when the client executed the document)")
	}
	if s.LoginAt.IsZero() {
		return "", inputErr("execLoginTimestamp", ErrDocument, "is required (when the client's session started)")
	}
	if FormatTimestamp(s.ExecutedAt) == 0 {
		return "", inputErr("execTimestamp", ErrDate, "year must be between 1000 and 9999")
	}
	if FormatTimestamp(s.LoginAt) == 0 {
		return "", inputErr("execLoginTimestamp", ErrDate, "year must be between 1000 and 9999")
	}
	if s.LoginAt.After(s.ExecutedAt) {
		return "", inputErr("execLoginTimestamp", ErrDocument, "login time is after the execution time")
	}
	if t := s.ProofOfIdentityType; t != "" && !gen.DocumentProofOfIdentityType(t).Valid() {
		return "", inputErr("proofOfIdentityType", ErrDocument, "%q is not one of IBKR's proof of identity types", clipText(t))
	}
	if t := s.ProofOfAddressType; t != "" && !gen.DocumentProofOfAddressType(t).Valid() {
		return "", inputErr("proofOfAddressType", ErrDocument, "%q is not one of IBKR's proof of address types", clipText(t))
	}
	if t := s.DocumentType; t != "" && !gen.DocumentDocumentType(t).Valid() {
		return "", inputErr("documentType", ErrDocument, "%q is not one of IBKR's document types", clipText(t))
	}
	if err := checkDocumentKind(s); err != nil {
		return "", err
	}
	if y := s.ExpirationDate.Year(); !s.ExpirationDate.IsZero() && (y < 1000 || y > 9999) {
		return "", inputErr("expirationDate", ErrDate, "year must be between 1000 and 9999")
	}
	return mime, nil
}

func checkDocumentFileName(name string) (string, error) {
	const field = "attachedFile.fileName"
	if name == "" {
		return "", inputErr(field, ErrDocument, "is required")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x20 || c > 0x7e {
			return "", inputErr(field, ErrDocument, "must be printable ASCII (byte %d is not)", i)
		}
		if strings.IndexByte(`/\:*?"<>|`, c) >= 0 {
			return "", inputErr(field, ErrDocument, "must not contain %q", string(c))
		}
	}
	if len(name) > MaxDocumentFileNameLen {
		return "", inputErr(field, ErrDocument, "must be at most %d characters (got %d); IBKR fails on longer names", MaxDocumentFileNameLen, len(name))
	}
	if name[0] == ' ' || name[len(name)-1] == ' ' || name[0] == '.' {
		return "", inputErr(field, ErrDocument, "must not start with a dot or space, nor end with a space")
	}
	f, ok := documentFormats[documentExt(name)]
	if !ok {
		return "", inputErr(field, ErrDocument, "must end in .pdf, .jpeg, .jpg or .png")
	}
	return f.mime, nil
}

func checkSigners(signedBy, holders []string) error {
	const field = "signedBy"
	if len(signedBy) == 0 {
		return inputErr(field, ErrDocument, "is required (the holder's name exactly as on the application)")
	}
	if len(holders) == 0 {
		return inputErr(field, ErrDocument, "cannot be checked: no holder names given")
	}
	for i, s := range signedBy {
		match := false
		for _, h := range holders {
			if s == h {
				match = true
				break
			}
		}
		if !match {
			return inputErr(field, ErrDocument, "entry %d does not match any holder's name exactly (IBKR compares case and spaces)", i)
		}
		if s == "" || strings.TrimSpace(s) != s || strings.Contains(s, "  ") {
			return inputErr(field, ErrDocument, "entry %d has empty, leading, trailing or doubled spaces", i)
		}
	}
	return nil
}

// clipText bounds an echoed (non-secret) value in an error message.
func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// DocumentBatch is the documents of one submission, with the language they
// are written in: the processDocuments of POST /gw/api/v1/accounts/documents
// (see DocumentUploadBody) or the documents of a documentSubmission
// maintenance request.
type DocumentBatch struct {
	Documents []Document `json:"documents"`
	// InputLanguage is the documents' language, one of IBKR's codes ("en",
	// "zh-Hans", "ja", "ru", "fr", "pt", "es", "it", "ar-AE", "de",
	// "he-IL", "hu"); empty to leave it out.
	InputLanguage string `json:"inputLanguage,omitempty"`
	// Translation says the documents are translations.
	Translation *bool `json:"translation,omitempty"`
}

// Validate checks the batch as a whole: at least one document, one
// document per form number (IBKR keeps only one per form; combine pages
// into a single file), a known language, and file bytes totalling at most
// MaxDocumentUploadSize.
func (b DocumentBatch) Validate() error {
	if len(b.Documents) == 0 {
		return inputErr("documents", ErrDocument, "at least one document is required")
	}
	seen := make(map[FormNumber]bool, len(b.Documents))
	total := 0
	for i, d := range b.Documents {
		if seen[d.FormNumber] {
			return inputErr("documents", ErrDocument, "document %d repeats form %d; IBKR takes one file per form", i, d.FormNumber)
		}
		seen[d.FormNumber] = true
		total += d.AttachedFile.FileLength
	}
	if total > MaxDocumentUploadSize {
		return inputErr("documents", ErrDocument, "files total %d bytes, IBKR accepts at most %d per upload", total, MaxDocumentUploadSize)
	}
	if l := b.InputLanguage; l != "" && !gen.ProcessDocumentsInputLanguage(l).Valid() {
		return inputErr("inputLanguage", ErrDocument, "%q is not a language IBKR accepts", clipText(l))
	}
	return nil
}

// DocumentUploadBody is the request body of POST
// /gw/api/v1/accounts/documents.
type DocumentUploadBody struct {
	ProcessDocuments DocumentBatch `json:"processDocuments"`
}

// NewDocumentUploadBody validates b and wraps it as the upload body.
func NewDocumentUploadBody(b DocumentBatch) (DocumentUploadBody, error) {
	if err := b.Validate(); err != nil {
		return DocumentUploadBody{}, err
	}
	return DocumentUploadBody{ProcessDocuments: b}, nil
}

// sourceOfWealthDocuments lists the document types IBKR accepts for each
// proof-of-source-of-wealth form.
var sourceOfWealthDocuments = map[FormNumber][]string{
	FormSOWAllowance:    {"Bank Statement", "Pay Slip", "Employer Confirmation", "Divorce Settlement", "Company Ownership"},
	FormSOWDisability:   {"Bank Statement", "Entitlement to Payments", "Severance"},
	FormSOWIncome:       {"Pay Slip", "Bank Statement", "Employer Confirmation"},
	FormSOWInheritance:  {"Letter", "Bank Statement", "Check", "Will", "Brokerage Statement"},
	FormSOWInterest:     {"Brokerage Statement", "Tax Return"},
	FormSOWMarketProfit: {"Ownership", "Brokerage Statement", "Tax Return"},
	FormSOWOther:        {"Proof of Winnings", "Bank Statement", "Tax Return", "Brokerage Statement"},
	FormSOWPension:      {"Bank Statement", "Pay Slip"},
	FormSOWProperty:     {"Proof of Sale", "Current Lease"},
}

// checkDocumentKind applies the documented pairings of form numbers and
// document kinds: the document types of each source-of-wealth form, the
// passport or national ID of a selfie, and validAddress only for a driver
// license proving identity.
func checkDocumentKind(s DocumentSpec) error {
	if allowed, ok := sourceOfWealthDocuments[s.FormNumber]; ok && s.DocumentType != "" {
		found := false
		for _, a := range allowed {
			found = found || a == s.DocumentType
		}
		if !found {
			return inputErr("documentType", ErrDocument, "form %d takes %s", int(s.FormNumber), strings.Join(allowed, ", "))
		}
	}
	if s.FormNumber == FormSelfie && s.ProofOfIdentityType != "" && s.ProofOfIdentityType != "Passport" && s.ProofOfIdentityType != "National ID Card" {
		return inputErr("proofOfIdentityType", ErrDocument, "a selfie (form 8205) shows a passport or a national ID card")
	}
	if s.ValidAddress != nil && *s.ValidAddress && (s.FormNumber != FormProofOfIdentity || s.ProofOfIdentityType != "Driver License") {
		return inputErr("validAddress", ErrDocument, "only a driver license proving identity (form 8001) can also prove the address")
	}
	return nil
}
