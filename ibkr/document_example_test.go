package ibkr_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// A proof of identity attached to an application: the builder computes
// the checksum and length, base64-encodes the file and checks IBKR's rules
// (format, size, 20-character file name, exact signer name, timestamps)
// before anything is sent.
func ExampleNewDocument() {
	pdf := []byte("%PDF-1.4\n% a scanned passport\n%%EOF\n")
	signed := time.Date(2021, 9, 29, 12, 31, 13, 0, time.UTC)

	doc, err := ibkr.NewDocument(ibkr.DocumentSpec{
		FormNumber:          8001, // proof of identity
		FileName:            "ProofOfId.pdf",
		SignedBy:            []string{"Jane Doe"},
		HolderNames:         []string{ibkr.HolderName("Jane", "", "Doe")},
		ExecutedAt:          signed,
		LoginAt:             signed.Add(-2 * time.Minute),
		ProofOfIdentityType: "Passport",
	}, pdf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.AttachedFile.FileLength, doc.AttachedFile.SHA1Checksum)
	fmt.Println(doc.ExecTimestamp, doc.Payload.MimeType)

	body, err := ibkr.NewDocumentUploadBody(ibkr.DocumentBatch{Documents: []ibkr.Document{doc}, InputLanguage: "en"})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := json.Marshal(body)
	fmt.Println(len(b) > 0)

	// A name longer than IBKR stores is refused locally.
	_, err = ibkr.NewDocument(ibkr.DocumentSpec{
		FormNumber: 8001, FileName: "passport-scan-front.pdf",
		SignedBy: []string{"Jane Doe"}, HolderNames: []string{"Jane Doe"},
		ExecutedAt: signed, LoginAt: signed,
	}, pdf)
	fmt.Println(err)
	// Output:
	// 36 5fee403e7a21dfdd481f343d3196b2858710780d
	// 20210929123113 application/pdf
	// true
	// ibkr: invalid attachedFile.fileName: must be at most 20 characters (got 23); IBKR fails on longer names
}
