package flex

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the statement decoder and types
// every row: it must never panic, must end (EOF or one error), must yield
// at most one record per few bytes of input (nothing is invented), and
// every error must belong to the package's vocabulary.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(twoAccounts))
	f.Add([]byte(`<FlexStatementResponse><Status>Warn</Status><ErrorCode>1019</ErrorCode><ErrorMessage>x</ErrorMessage></FlexStatementResponse>`))
	f.Add([]byte(`<FlexQueryResponse><FlexStatements count="1"><FlexStatement accountId="U1" toDate="14/03/26"><CashTransactions><CashTransaction amount="1,0.5" dateTime="14-Mar-26;1605" /></CashTransactions></FlexStatement></FlexStatements></FlexQueryResponse>`))
	f.Add([]byte("\"BOF\",\"U1\"\n"))
	f.Add([]byte("<FlexQueryResponse>\xe9\xc3</FlexQueryResponse>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(bytes.NewReader(data))
		n := 0
		for {
			rec, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrBadResponse) && !errors.Is(err, ErrNotXML) && !errors.Is(err, ErrBadValue) && !isServiceError(err) {
					t.Fatalf("error outside the vocabulary: %T %v", err, err)
				}
				if _, again := d.Next(); again == nil || again.Error() != err.Error() {
					t.Fatalf("error not sticky: %v then %v", err, again)
				}
				break
			}
			n++
			if n > len(data)/3+2 {
				t.Fatalf("%d records from %d bytes", n, len(data))
			}
			if rec.Kind == KindRow {
				_, _ = rec.CashTransaction()
				_, _ = rec.EquitySummary()
				_, _ = rec.CashReportRow()
				_, _ = rec.OpenPosition()
				_, _ = rec.Transfer()
				_, _ = rec.ConversionRate()
				_, _ = rec.AccountInformation()
				_, _ = rec.ChangeInNAV()
			}
		}
		// The helpers read the same stream; they may refuse it but must
		// not fail in any other way.
		if _, err := Balances(bytes.NewReader(data)); errors.Is(err, ErrInvalidInput) {
			t.Fatalf("Balances: %v", err)
		}
		if txs, err := Deposits(bytes.NewReader(data), Date{}); err == nil && txs == nil {
			t.Fatal("Deposits: nil list without an error")
		}
	})
}

func isServiceError(err error) bool {
	var se *ServiceError
	return errors.As(err, &se)
}
