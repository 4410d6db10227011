package ibkr_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Statements: see what exists, then stream yesterday's statement and a
// monthly one to writers (a file, an HTTP response ...), decoded from
// IBKR's base64 and, with Gzip, decompressed on the way.
func ExampleClient_Statement() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	_ = sb.SetBalance(acct, "USD", ibkr.MustDecimal("2500")) // funded today
	sb.Advance(40 * 24 * time.Hour)

	avail, err := c.AvailableStatements(ctx, acct)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("daily", avail.Daily.Start, "to", avail.Daily.End, "months", avail.Months)

	end, _ := time.Parse("20060102", avail.Daily.End)
	for _, req := range []ibkr.StatementRequest{
		{AccountID: acct, Range: ibkr.DailyStatement(end)},
		{AccountID: acct, Range: ibkr.StatementRange{Start: avail.Months[0], End: avail.Months[0]}, Gzip: true},
	} {
		var pdf bytes.Buffer
		info, err := c.Statement(ctx, &pdf, req)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(req.Range.Period(), info.MimeType, info.Compressed, bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")), info.Written == int64(pdf.Len()))
	}

	// More than 365 days is refused before sending.
	_, err = c.Statement(ctx, &bytes.Buffer{}, ibkr.StatementRequest{AccountID: acct, Range: ibkr.StatementRange{Start: "20240101", End: "20250301"}})
	fmt.Println(err)
	// Output:
	// daily 20250304 to 20250412 months [202503]
	// custom application/pdf false true true
	// monthly application/pdf true true true
	// ibkr: invalid endDate: covers 426 days, at most 365 per request
}

// Tax documents and trade confirmations stream the same way.
func ExampleClient_TaxDocument() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID
	_ = sb.SetBalance(acct, "USD", ibkr.MustDecimal("2500"))
	_ = sb.AddTradeConfirmation(acct, sb.Now(), "BOT 10 AAPL @ 170.00")
	sb.Advance(320 * 24 * time.Hour) // into 2026

	docs, err := c.AvailableTaxDocuments(ctx, acct, 2025)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range docs {
		var pdf bytes.Buffer
		info, err := c.TaxDocument(ctx, &pdf, ibkr.TaxDocumentRequest{AccountID: acct, Year: 2025, Type: d.Name, Format: d.Formats[0]})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(d.Name, info.MimeType, bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")))
	}

	days, err := c.AvailableTradeConfirmations(ctx, acct)
	if err != nil {
		fmt.Println(err)
		return
	}
	day, _ := time.Parse("20060102", days[0])
	var pdf bytes.Buffer
	if _, err := c.TradeConfirmations(ctx, &pdf, ibkr.TradeConfirmationRequest{AccountID: acct, Range: ibkr.DailyStatement(day)}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(days, bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")))
	// Output:
	// 1099 application/pdf true
	// [20250304] true
}
