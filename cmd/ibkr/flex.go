package main

import (
	"context"
	"errors"
	"flag"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/flex"
)

// Environment variables of the flex command.
const (
	envFlexToken = "IBKR_FLEX_TOKEN"
	envFlexURL   = "IBKR_FLEX_URL"
)

var flexCommand = &command{
	name:    "flex",
	args:    "balance|deposits|check",
	summary: "balance and deposits of an account you own, through IBKR's Flex Web Service",
	help: `Reads an account through IBKR's Flex Web Service: what a person who owns
the account (a self-directed account) can give an app, with a Flex query
and a Flex Web Service token made in IBKR's portal (Performance & Reports
> Flex Queries). No OAuth client or key is needed.

  ibkr flex balance  --query ID     NAV, cash and cash by currency per account
  ibkr flex deposits --query ID --since YYYY-MM-DD
                                    deposits and withdrawals since that day
                                    (inclusive; withdrawals are negative)
  ibkr flex check    --query ID     what the query lacks for the two above,
                                    and how to add it in IBKR's portal

The token comes from $` + envFlexToken + ` (or --token; the environment keeps it
out of the process list). IBKR generates the statement on request, which
takes seconds to minutes: the command waits up to --max-wait. IBKR allows
one request per second and ten per minute per token; the command keeps to
that. --flex-url points at another Flex service, e.g. a local sandbox's
http://127.0.0.1:7788` + "/AccountManagement/FlexWebService" + `.

The query needs the sections Account Information, Net Asset Value (NAV)
in Base, Cash Report (with Currency Breakout) and Cash Transactions (with
Deposits & Withdrawals), and XML output; a query that lacks one is an
error saying what to add. Read-only.`,
	run: runFlex,
}

type flexFlags struct {
	token   string
	query   string
	url     string
	maxWait time.Duration
	since   string
}

type flexBalanceJSON struct {
	AccountID      string            `json:"accountId"`
	Currency       string            `json:"currency"`
	AsOf           string            `json:"asOf"`
	NAV            string            `json:"nav"`
	Cash           string            `json:"cash"`
	CashByCurrency map[string]string `json:"cashByCurrency"`
}

type flexTransactionJSON struct {
	AccountID     string `json:"accountId"`
	Date          string `json:"date"`
	Currency      string `json:"currency"`
	Amount        string `json:"amount"`
	Type          string `json:"type"`
	Description   string `json:"description"`
	TransactionID string `json:"transactionId"`
}

func runFlex(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			a.commandHelp(a.stdout, a.current, flag.NewFlagSet("", flag.ContinueOnError))
			return flag.ErrHelp
		}
		return usagef("give a subcommand: balance, deposits or check")
	}
	sub := args[0]
	switch sub {
	case "balance", "deposits", "check":
	default:
		return usagef("unknown subcommand %q: use balance, deposits or check", sub)
	}
	a.cmd = "flex " + sub
	fs := a.newFlags()
	var f flexFlags
	fs.StringVar(&f.token, "token", "", "Flex Web Service token (default $"+envFlexToken+")")
	fs.StringVar(&f.query, "query", "", "Flex Query ID, 6 or 7 digits (required)")
	fs.StringVar(&f.url, "flex-url", "", "base URL of SendRequest and GetStatement (default $"+envFlexURL+", else IBKR's "+flex.DefaultBaseURL+")")
	fs.DurationVar(&f.maxWait, "max-wait", flex.DefaultMaxWait, "how long to wait for a statement IBKR is generating")
	if sub == "deposits" {
		fs.StringVar(&f.since, "since", "", "first day, YYYY-MM-DD, inclusive (default: 30 days ago)")
	}
	if err := a.parseOnly(fs, args[1:]); err != nil {
		return err
	}
	c, err := f.client(a)
	if err != nil {
		return err
	}
	switch sub {
	case "balance":
		return flexErr(flexBalance(ctx, a, c, f))
	case "check":
		return flexErr(flexCheck(ctx, a, c, f))
	}
	return flexErr(flexDeposits(ctx, a, c, f))
}

// client checks the flags and makes the Flex client; nothing is sent yet.
func (f *flexFlags) client(a *app) (*flex.Client, error) {
	token := firstNonEmpty(f.token, a.getenv(envFlexToken))
	if token == "" {
		return nil, usagef("no Flex token: set $%s (or --token) to the Current Token of %s", envFlexToken, "IBKR's Flex Web Service Configuration")
	}
	if err := flex.ValidateToken(token); err != nil {
		return nil, usagef("%s", flexMessage(err))
	}
	if f.query == "" {
		return nil, usagef("--query is required: the Flex Query ID shown next to the query in IBKR's portal")
	}
	if err := flex.ValidateQueryID(f.query); err != nil {
		return nil, usagef("--query: %s", flexMessage(err))
	}
	if f.maxWait <= 0 {
		return nil, usagef("--max-wait must be a positive duration, e.g. 5m")
	}
	base := firstNonEmpty(f.url, a.getenv(envFlexURL), flex.DefaultBaseURL)
	c, err := flex.New(token, flex.WithBaseURL(strings.TrimRight(base, "/")), flex.WithClock(a.clock()), flex.WithMaxWait(f.maxWait))
	if err != nil {
		return nil, usagef("--flex-url: %s", flexMessage(err))
	}
	return c, nil
}

func flexBalance(ctx context.Context, a *app, c *flex.Client, f flexFlags) error {
	list, err := c.Balances(ctx, f.query)
	if err != nil {
		return err
	}
	out := struct {
		Accounts []flexBalanceJSON `json:"accounts"`
	}{Accounts: []flexBalanceJSON{}}
	for _, b := range list {
		j := flexBalanceJSON{AccountID: b.AccountID, Currency: b.Currency, AsOf: b.AsOf.String(), NAV: b.NAV.String(),
			Cash: b.Cash.String(), CashByCurrency: map[string]string{}}
		for ccy, v := range b.CashByCurrency {
			j.CashByCurrency[ccy] = v.String()
		}
		out.Accounts = append(out.Accounts, j)
	}
	if a.json {
		a.emit(out)
		return nil
	}
	if len(out.Accounts) == 0 {
		a.say("the statement holds no accounts")
	}
	for _, b := range out.Accounts {
		a.say("%s  as of %s  NAV %s %s  cash %s %s", b.AccountID, b.AsOf, b.NAV, b.Currency, b.Cash, b.Currency)
		ccys := make([]string, 0, len(b.CashByCurrency))
		for c := range b.CashByCurrency {
			ccys = append(ccys, c)
		}
		sort.Strings(ccys)
		for _, c := range ccys {
			a.say("  %-4s %s", c, b.CashByCurrency[c])
		}
	}
	return nil
}

func flexDeposits(ctx context.Context, a *app, c *flex.Client, f flexFlags) error {
	var since flex.Date
	if f.since == "" {
		since = flex.DateOf(a.clock().Now().In(eastern()).AddDate(0, 0, -30))
	} else {
		d, err := flex.ParseDate(f.since)
		if err != nil || len(f.since) != 10 {
			return usagef("--since %q: give a day as YYYY-MM-DD", f.since)
		}
		since = d
	}
	txs, err := c.Deposits(ctx, f.query, since)
	if err != nil {
		var ie *flex.InputError
		if errors.As(err, &ie) && ie.Field == "since" {
			return usagef("--since: %s", ie.Reason)
		}
		return err
	}
	out := struct {
		Transactions []flexTransactionJSON `json:"transactions"`
	}{Transactions: []flexTransactionJSON{}}
	for _, t := range txs {
		out.Transactions = append(out.Transactions, flexTransactionJSON{AccountID: t.AccountID, Date: t.Date().String(), Currency: t.Currency,
			Amount: t.Amount.String(), Type: t.Type, Description: t.Description, TransactionID: t.TransactionID})
	}
	if a.json {
		a.emit(out)
		return nil
	}
	if len(out.Transactions) == 0 {
		a.say("no deposits or withdrawals since %s", since)
		return nil
	}
	for _, t := range out.Transactions {
		a.say("%s  %s  %12s %s  %s  (%s)", t.Date, t.AccountID, t.Amount, t.Currency, orDash(t.Description), orDash(t.TransactionID))
	}
	return nil
}

type flexMissingJSON struct {
	AccountID string   `json:"accountId"`
	Section   string   `json:"section"`
	Fields    []string `json:"fields"`
	HowTo     string   `json:"howTo"`
}

func flexCheck(ctx context.Context, a *app, c *flex.Client, f flexFlags) error {
	missing, err := c.CheckQuery(ctx, f.query)
	if err != nil {
		return err
	}
	out := struct {
		Missing []flexMissingJSON `json:"missing"`
	}{Missing: []flexMissingJSON{}}
	for _, m := range missing {
		fields := m.Fields
		if fields == nil {
			fields = []string{}
		}
		out.Missing = append(out.Missing, flexMissingJSON{AccountID: m.AccountID, Section: m.Section, Fields: fields, HowTo: m.HowTo})
	}
	if a.json {
		a.emit(out)
		return nil
	}
	if len(out.Missing) == 0 {
		a.say("query %s has every section and column ibkr flex balance and deposits need", f.query)
		return nil
	}
	for _, m := range out.Missing {
		a.say("%s  %s: %s", m.AccountID, m.Section, m.HowTo)
	}
	return nil
}

// flexError carries a flex error to the exit codes without the package's
// "flex: " prefix in the message.
type flexError struct{ err error }

func (e *flexError) Error() string { return flexMessage(e.err) }

func (e *flexError) Unwrap() error { return e.err }

func flexErr(err error) error {
	if err == nil {
		return nil
	}
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return &flexError{err: err}
}

func flexMessage(err error) string { return strings.TrimPrefix(err.Error(), "flex: ") }

// flexExitCode maps the flex package's errors to the exit codes (0: not
// a flex error).
func flexExitCode(err error) int {
	var fe *flexError
	if !errors.As(err, &fe) {
		return 0
	}
	var se *flex.ServiceError
	var fmtErr *flex.FormatError
	var ve *flex.ValueError
	var me *flex.MissingSectionsError
	switch {
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, flex.ErrInvalidInput):
		return exitUsage
	case errors.Is(err, flex.ErrAuth):
		return exitAuth
	case errors.Is(err, flex.ErrTimeout), errors.As(err, &se), errors.As(err, &fmtErr), errors.As(err, &ve), errors.As(err, &me):
		return exitAPI
	}
	return 0
}

// flexHint suggests the next step for a failed flex command.
func flexHint(err error) string {
	var fe *flexError
	if !errors.As(err, &fe) {
		return ""
	}
	switch {
	case errors.Is(err, flex.ErrTimeout):
		return "IBKR is still generating the statement: try again later, or allow more time with --max-wait"
	case isNetwork(err):
		return "check --flex-url (or $" + envFlexURL + "), your network and proxy settings"
	}
	return ""
}
