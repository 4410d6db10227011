package ibkr_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// A statement answer streamed straight to a file: the base64 string is
// decoded and, being gzip-compressed here, decompressed on the way, so
// the PDF is never held in memory, let alone twice.
func ExampleDecodeStatement() {
	// What IBKR answers to POST /gw/api/v1/statements with gzip: true.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("%PDF-1.7\n% activity statement\n%%EOF\n"))
	zw.Close()
	body := `{"data":{"dataType":"String","encoding":"base64","gzip":true,"mimeType":"application/pdf","value":"` +
		base64.StdEncoding.EncodeToString(gz.Bytes()) + `"}}`

	dir, _ := os.MkdirTemp("", "statements")
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "U1234567-202304.pdf"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()

	info, err := ibkr.DecodeStatement(f, strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.MimeType, info.Compressed, info.Written)
	// Output: application/pdf true 36
}

// Statement ranges in IBKR's three formats, checked before sending.
func ExampleStatementRange() {
	for _, r := range []ibkr.StatementRange{
		ibkr.AnnualStatement(2023),
		{Start: "202304", End: "202304"},
		{Start: "20230401", End: "20230425"},
		{Start: "20230101", End: "20240101"},
	} {
		fmt.Println(r.Start, r.End, r.Period(), r.Validate())
	}
	// Output:
	// 2023 2023 annual <nil>
	// 202304 202304 monthly <nil>
	// 20230401 20230425 custom <nil>
	// 20230101 20240101 custom ibkr: invalid endDate: covers 366 days, at most 365 per request
}
