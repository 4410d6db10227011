package ibkr

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	testPDF  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
	testPNG  = append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, []byte("IHDR....")...)
	testJPEG = append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte("JFIF")...)
)

func goodDocSpec() DocumentSpec {
	exec := time.Date(2021, 9, 29, 12, 31, 13, 0, time.UTC)
	return DocumentSpec{
		FormNumber:          8001,
		FileName:            "ProofOfId.pdf",
		SignedBy:            []string{"Jane Doe"},
		HolderNames:         []string{HolderName("Jane", "", "Doe")},
		ExecutedAt:          exec,
		LoginAt:             exec.Add(-5 * time.Minute),
		ProofOfIdentityType: "Passport",
		ExpirationDate:      time.Date(2030, 1, 31, 0, 0, 0, 0, time.UTC),
	}
}

func TestNewDocument(t *testing.T) {
	doc, err := NewDocument(goodDocSpec(), testPDF)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(testPDF)
	if doc.AttachedFile.SHA1Checksum != hex.EncodeToString(sum[:]) {
		t.Errorf("checksum = %s", doc.AttachedFile.SHA1Checksum)
	}
	if doc.AttachedFile.FileLength != len(testPDF) || doc.AttachedFile.FileName != "ProofOfId.pdf" {
		t.Errorf("attachedFile = %+v", doc.AttachedFile)
	}
	if doc.ExecTimestamp != 20210929123113 || doc.ExecLoginTimestamp != 20210929122613 {
		t.Errorf("timestamps = %d, %d", doc.ExecTimestamp, doc.ExecLoginTimestamp)
	}
	if doc.Payload == nil || doc.Payload.MimeType != "application/pdf" {
		t.Fatalf("payload = %+v", doc.Payload)
	}
	raw, err := base64.StdEncoding.DecodeString(doc.Payload.Data)
	if err != nil || !bytes.Equal(raw, testPDF) {
		t.Errorf("payload does not decode to the file: %v", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	for _, want := range []string{`"execTimestamp":20210929123113`, `"formNumber":8001`, `"signedBy":["Jane Doe"]`,
		`"expirationDate":"2030-01-31"`, `"proofOfIdentityType":"Passport"`, `"sha1Checksum":"` + doc.AttachedFile.SHA1Checksum + `"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON %s lacks %s", js, want)
		}
	}
	if strings.Contains(js, "HolderNames") || strings.Contains(js, "documentType") {
		t.Errorf("JSON carries fields it should not: %s", js)
	}

	s := goodDocSpec()
	s.OmitPayload = true
	s.FileName = "id.PNG"
	doc, err = NewDocument(s, testPNG)
	if err != nil || doc.Payload != nil {
		t.Fatalf("OmitPayload: %+v, %v", doc, err)
	}
	s.FileName = "selfie.jpeg"
	s.OmitPayload = false
	if doc, err = NewDocument(s, testJPEG); err != nil || doc.Payload.MimeType != "image/jpeg" {
		t.Fatalf("jpeg: %+v, %v", doc.Payload, err)
	}

	s.FileName = "ProofOfIdentity1.pdf" // exactly 20 characters
	if _, err := NewDocument(s, testPDF); err != nil {
		t.Fatalf("20-character name refused: %v", err)
	}

	doc2, err := ReadDocument(goodDocSpec(), bytes.NewReader(testPDF))
	if err != nil || doc2.AttachedFile != (AttachedFile{"ProofOfId.pdf", len(testPDF), hex.EncodeToString(sum[:])}) {
		t.Fatalf("ReadDocument = %+v, %v", doc2.AttachedFile, err)
	}
}

func TestDocumentRefusals(t *testing.T) {
	big := append(append([]byte(nil), testPDF...), make([]byte, MaxDocumentSize)...)
	tests := []struct {
		name  string
		edit  func(*DocumentSpec)
		data  []byte
		field string
		cause error
	}{
		{"form number short", func(s *DocumentSpec) { s.FormNumber = 801 }, testPDF, "formNumber", ErrDocument},
		{"file name 21 chars", func(s *DocumentSpec) { s.FileName = "ProofOfIdentity12.pdf" }, testPDF, "attachedFile.fileName", ErrDocument},
		{"file name empty", func(s *DocumentSpec) { s.FileName = "" }, testPDF, "attachedFile.fileName", ErrDocument},
		{"file name non-ascii", func(s *DocumentSpec) { s.FileName = "Päss.pdf" }, testPDF, "attachedFile.fileName", ErrDocument},
		{"file name path", func(s *DocumentSpec) { s.FileName = "a/b.pdf" }, testPDF, "attachedFile.fileName", ErrDocument},
		{"file name hidden", func(s *DocumentSpec) { s.FileName = ".pdf" }, testPDF, "attachedFile.fileName", ErrDocument},
		{"format gif", func(s *DocumentSpec) { s.FileName = "id.gif" }, testPDF, "attachedFile.fileName", ErrDocument},
		{"format none", func(s *DocumentSpec) { s.FileName = "id" }, testPDF, "attachedFile.fileName", ErrDocument},
		{"content mismatch", func(s *DocumentSpec) { s.FileName = "id.png" }, testPDF, "attachedFile", ErrDocument},
		{"content empty", nil, nil, "attachedFile", ErrDocument},
		{"content too big", nil, big, "attachedFile.fileLength", ErrDocument},
		{"signedBy missing", func(s *DocumentSpec) { s.SignedBy = nil }, testPDF, "signedBy", ErrDocument},
		{"signedBy case", func(s *DocumentSpec) { s.SignedBy = []string{"jane doe"} }, testPDF, "signedBy", ErrDocument},
		{"signedBy spacing", func(s *DocumentSpec) { s.SignedBy = []string{"Jane  Doe"} }, testPDF, "signedBy", ErrDocument},
		{"signedBy no holders", func(s *DocumentSpec) { s.HolderNames = nil }, testPDF, "signedBy", ErrDocument},
		{"signedBy padded holder", func(s *DocumentSpec) { s.SignedBy = []string{"Jane Doe "}; s.HolderNames = []string{"Jane Doe "} }, testPDF, "signedBy", ErrDocument},
		{"exec missing", func(s *DocumentSpec) { s.ExecutedAt = time.Time{} }, testPDF, "execTimestamp", ErrDocument},
		{"login missing", func(s *DocumentSpec) { s.LoginAt = time.Time{} }, testPDF, "execLoginTimestamp", ErrDocument},
		{"login after exec", func(s *DocumentSpec) { s.LoginAt = s.ExecutedAt.Add(time.Second) }, testPDF, "execLoginTimestamp", ErrDocument},
		{"exec year 5 digits", func(s *DocumentSpec) { s.ExecutedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, testPDF, "execTimestamp", ErrDate},
		{"identity type typo", func(s *DocumentSpec) { s.ProofOfIdentityType = "Drivers License" }, testPDF, "proofOfIdentityType", ErrDocument},
		{"address type unknown", func(s *DocumentSpec) { s.ProofOfAddressType = "Postcard" }, testPDF, "proofOfAddressType", ErrDocument},
		{"document type unknown", func(s *DocumentSpec) { s.DocumentType = "Selfie" }, testPDF, "documentType", ErrDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := goodDocSpec()
			if tt.edit != nil {
				tt.edit(&s)
			}
			_, err := NewDocument(s, tt.data)
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalidInput) || !errors.Is(err, tt.cause) {
				t.Fatalf("err = %v, want an InputError caused by %v", err, tt.cause)
			}
			if ie.Field != tt.field {
				t.Errorf("Field = %q, want %q (%v)", ie.Field, tt.field, err)
			}
		})
	}
	// An oversized stream is refused after reading at most one byte past
	// the limit.
	r := &countReader{r: bytes.NewReader(append(big, make([]byte, 1<<20)...))}
	if _, err := ReadDocument(goodDocSpec(), r); !errors.Is(err, ErrDocument) {
		t.Fatalf("ReadDocument(oversized) = %v", err)
	}
	if r.n > MaxDocumentSize+1 {
		t.Errorf("ReadDocument read %d bytes, limit is %d", r.n, MaxDocumentSize+1)
	}
}

type countReader struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestTimestamps(t *testing.T) {
	ny := time.FixedZone("EST", -5*3600)
	ts := time.Date(2024, 2, 29, 23, 59, 58, 999, ny)
	if got := FormatTimestamp(ts); got != 20240229235958 {
		t.Errorf("FormatTimestamp = %d", got)
	}
	back, err := ParseTimestamp(20240229235958, ny)
	if err != nil || !back.Equal(ts.Truncate(time.Second)) {
		t.Errorf("ParseTimestamp = %v, %v", back, err)
	}
	for _, bad := range []int64{0, 2024022923595, 20241301000000, 20240230000000, -20240229235958} {
		if _, err := ParseTimestamp(bad, nil); !errors.Is(err, ErrDate) {
			t.Errorf("ParseTimestamp(%d) = %v", bad, err)
		}
	}
	if FormatTimestamp(time.Time{}) != 0 {
		t.Error("zero time must format as 0")
	}
	if got := HolderName("Jane", "Quinn", "Doe"); got != "Jane Q Doe" {
		t.Errorf("HolderName = %q", got)
	}
	if got := HolderName("Zoë", "Ångström", "Lé"); got != "Zoë Å Lé" {
		t.Errorf("HolderName = %q", got)
	}
}

func TestDocumentBatch(t *testing.T) {
	poi, _ := NewDocument(goodDocSpec(), testPDF)
	s := goodDocSpec()
	s.FormNumber, s.FileName, s.ProofOfIdentityType, s.ProofOfAddressType = 8002, "bill.png", "", "Utility Bill"
	poa, err := NewDocument(s, testPNG)
	if err != nil {
		t.Fatal(err)
	}
	body, err := NewDocumentUploadBody(DocumentBatch{Documents: []Document{poi, poa}, InputLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(body)
	var back struct {
		ProcessDocuments struct {
			Documents []struct {
				FormNumber    FormNumber `json:"formNumber"`
				ExecTimestamp int64      `json:"execTimestamp"`
			} `json:"documents"`
			InputLanguage string `json:"inputLanguage"`
		} `json:"processDocuments"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if pd := back.ProcessDocuments; len(pd.Documents) != 2 || pd.Documents[1].FormNumber != 8002 || pd.InputLanguage != "en" || pd.Documents[0].ExecTimestamp != 20210929123113 {
		t.Errorf("round trip = %+v", pd)
	}

	huge := poi
	huge.AttachedFile.FileLength = MaxDocumentSize
	huge2, huge3 := huge, huge
	huge2.FormNumber, huge3.FormNumber = 8002, 8541
	bad := []struct {
		name  string
		batch DocumentBatch
		field string
	}{
		{"empty", DocumentBatch{}, "documents"},
		{"same form twice", DocumentBatch{Documents: []Document{poi, poi}}, "documents"},
		{"over 25 MB", DocumentBatch{Documents: []Document{huge, huge2, huge3}}, "documents"},
		{"language", DocumentBatch{Documents: []Document{poi}, InputLanguage: "EN"}, "inputLanguage"},
	}
	for _, tt := range bad {
		_, err := NewDocumentUploadBody(tt.batch)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, ErrDocument) {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

func FuzzDocumentBuilder(f *testing.F) {
	f.Add("ProofOfId.pdf", testPDF, "Jane Doe", "Jane Doe", 8001, int64(1632918673))
	f.Add("bill.png", testPNG, "Jane Doe", "Jane  Doe", 8002, int64(0))
	f.Add("a.jpg", testJPEG, "", "", 1, int64(-1))
	f.Add("x.pdf\x00", []byte("%PDF"), "Ä", "Ä", 9999, int64(253402300800))
	f.Fuzz(func(t *testing.T, name string, data []byte, signer, holder string, form int, unix int64) {
		exec := time.Unix(unix, 0).UTC()
		spec := DocumentSpec{
			FormNumber: FormNumber(form), FileName: name, SignedBy: []string{signer}, HolderNames: []string{holder},
			ExecutedAt: exec, LoginAt: exec,
		}
		doc, err := NewDocument(spec, data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalidInput) || ie.Field == "" {
				t.Fatalf("refusal is not a field-naming InputError: %v", err)
			}
			return
		}
		if len(name) > MaxDocumentFileNameLen || len(name) == 0 {
			t.Fatalf("accepted a %d-character name", len(name))
		}
		for i := 0; i < len(name); i++ {
			if name[i] < 0x20 || name[i] > 0x7e {
				t.Fatalf("accepted non-ASCII name %q", name)
			}
		}
		if signer != holder {
			t.Fatalf("accepted signer %q for holder %q", signer, holder)
		}
		if len(data) == 0 || len(data) > MaxDocumentSize || doc.AttachedFile.FileLength != len(data) {
			t.Fatalf("fileLength %d for %d bytes", doc.AttachedFile.FileLength, len(data))
		}
		sum := sha1.Sum(data)
		if doc.AttachedFile.SHA1Checksum != hex.EncodeToString(sum[:]) {
			t.Fatal("checksum does not match the bytes")
		}
		raw, err := base64.StdEncoding.DecodeString(doc.Payload.Data)
		if err != nil || !bytes.Equal(raw, data) {
			t.Fatal("payload does not decode to the bytes")
		}
		if doc.ExecTimestamp < 10000101000000 || doc.ExecTimestamp > 99991231235959 {
			t.Fatalf("execTimestamp %d is not 14 digits", doc.ExecTimestamp)
		}
		if back, err := ParseTimestamp(doc.ExecTimestamp, time.UTC); err != nil || !back.Equal(exec) {
			t.Fatalf("execTimestamp %d does not parse back to %v: %v", doc.ExecTimestamp, exec, err)
		}
		if _, err := json.Marshal(doc); err != nil {
			t.Fatal(err)
		}
	})
}
