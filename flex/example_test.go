package flex_test

import (
	"fmt"
	"strings"

	"github.com/ibkrweb/ibkr-go/flex"
	"github.com/ibkrweb/ibkr-go/wire"
)

const statement = `<FlexQueryResponse queryName="Balances" type="AF">
<FlexStatements count="1">
<FlexStatement accountId="U7654321" fromDate="20260301" toDate="20260304" period="" whenGenerated="20260305;091502">
<AccountInformation accountId="U7654321" currency="USD" />
<EquitySummaryInBase>
<EquitySummaryByReportDateInBase accountId="U7654321" currency="USD" reportDate="20260304" cash="1520.50" stock="8400" total="9920.50" />
</EquitySummaryInBase>
<CashReport>
<CashReportCurrency accountId="U7654321" currency="BASE_SUMMARY" endingCash="1520.50" />
<CashReportCurrency accountId="U7654321" currency="USD" endingCash="1520.50" />
</CashReport>
<CashTransactions>
<CashTransaction accountId="U7654321" currency="USD" type="Deposits &amp; Withdrawals" amount="250.00" dateTime="20260303;101500" description="ACH CREDIT" transactionID="9001" />
</CashTransactions>
</FlexStatement>
</FlexStatements>
</FlexQueryResponse>`

func ExampleBalances() {
	balances, err := flex.Balances(strings.NewReader(statement))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range balances {
		fmt.Println(b.AccountID, b.AsOf, "NAV", b.NAV, b.Currency, "cash", b.Cash, "USD cash", b.CashByCurrency["USD"])
	}
	// Output: U7654321 2026-03-04 NAV 9920.50 USD cash 1520.50 USD cash 1520.50
}

func ExampleMatchDeposit() {
	txs, err := flex.Deposits(strings.NewReader(statement), flex.Date{Year: 2026, Month: 3, Day: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := flex.MatchDeposit(txs, flex.Expected{Amount: wire.MustDecimal("250"), Currency: "USD", From: flex.Date{Year: 2026, Month: 3, Day: 2}})
	fmt.Println(m.Status, m.Matches[0].TransactionID, m.Matches[0].Date())
	// Output: arrived 9001 2026-03-03
}

func ExampleCashTransactions() {
	// Iterate over a section's rows without holding the statement.
	for tx, err := range flex.CashTransactions(strings.NewReader(statement)) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(tx.Type, tx.Amount, tx.Currency)
	}
	// Output: Deposits & Withdrawals 250.00 USD
}
