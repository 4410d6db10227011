package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

var statementCommand = &command{
	name:    "statement",
	args:    "ACCOUNT_ID",
	summary: "download an activity statement (PDF) to a file, or list the available ones",
	help: `Downloads an account's activity statement as a PDF (POST
/gw/api/v1/statements, signed) and writes it to --out, streaming: the
document is decoded (base64, gzip) on its way to the file and never held
in memory whole. The file is written with mode 0600 under a temporary
name and renamed when complete, so an interrupted download leaves
nothing behind; an existing file is kept unless --force.

The period is --from and --to (default: --from) in IBKR's formats: YYYY
for an annual statement, YYYYMM for whole months (at most 12), YYYYMMDD
for days (at most 365). --available lists what IBKR can generate.
Read-only.`,
	run: runStatement,
}

type statementJSON struct {
	AccountID  string `json:"accountId"`
	Start      string `json:"startDate"`
	End        string `json:"endDate"`
	Period     string `json:"period"`
	File       string `json:"file"`
	Bytes      int64  `json:"bytes"`
	MimeType   string `json:"mimeType,omitempty"`
	Compressed bool   `json:"compressed"`
}

type availableJSON struct {
	AccountID  string   `json:"accountId"`
	DailyStart string   `json:"dailyStart,omitempty"`
	DailyEnd   string   `json:"dailyEnd,omitempty"`
	Months     []string `json:"months"`
	Years      []string `json:"years"`
}

func runStatement(ctx context.Context, a *app, args []string) error {
	flags := a.newFlags()
	var cf connFlags
	cf.register(flags)
	from := flags.String("from", "", "first day, month or year: YYYYMMDD, YYYYMM or YYYY")
	to := flags.String("to", "", "last day, month or year, same format as --from (default: --from)")
	out := flags.String("out", "", "file to write the PDF to")
	force := flags.Bool("force", false, "replace --out if it exists")
	gzip := flags.Bool("gzip", false, "ask IBKR to compress the document in transit")
	lang := flags.String("language", "", "statement language: en (default), tw, cn, fr, de, es, it, ru, ja, pt")
	available := flags.Bool("available", false, "list the statements IBKR can generate instead of downloading one")
	pos, err := a.parseWithArgs(flags, args, "ACCOUNT_ID")
	if err != nil {
		return err
	}
	account := pos[0]
	if err := ibkr.ValidateAccountID("accountId", account); err != nil {
		return usagef("%s", errorMessage(err))
	}
	if *available {
		cl, _, err := cf.newClient(a, ibkr.WithClock(a.clock()))
		if err != nil {
			return err
		}
		return listStatements(ctx, a, cl, account)
	}
	if *from == "" {
		return usagef("--from is required (YYYYMMDD, YYYYMM or YYYY)")
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	rng, err := ibkr.ParseStatementRange(*from, firstNonEmpty(*to, *from))
	if err != nil {
		return usagef("%s", strings.NewReplacer("startDate", "--from", "endDate", "--to").Replace(errorMessage(err)))
	}
	req := ibkr.StatementRequest{AccountID: account, Range: rng, Language: *lang, Gzip: *gzip}
	if err := req.Validate(); err != nil {
		return usagef("%s", errorMessage(err))
	}
	if !*force {
		if _, err := os.Lstat(*out); err == nil {
			return fmt.Errorf("%s exists (--force replaces it)", *out)
		}
	}
	cl, _, err := cf.newClient(a, ibkr.WithClock(a.clock()))
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".part-*")
	if err != nil {
		return fmt.Errorf("cannot write next to %s: %w", *out, unwrapPath(err))
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	info, err := cl.Statement(ctx, tmp, req)
	if err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// Without --force, a file that appeared meanwhile is kept.
	if err := publishFile(tmp.Name(), *out, *force); err != nil {
		return err
	}
	done = true
	res := statementJSON{AccountID: account, Start: rng.Start, End: rng.End, Period: rng.Period().String(),
		File: *out, Bytes: info.Written, MimeType: info.MimeType, Compressed: info.Compressed}
	if a.json {
		a.emit(res)
		return nil
	}
	extra := ""
	if info.Compressed {
		extra = ", gzip-compressed in transit"
	}
	a.say("wrote %s: %s statement of %s for %s, %d bytes, %s%s", *out, res.Period, account, rangeText(rng), info.Written, orDash(info.MimeType), extra)
	return nil
}

func rangeText(r ibkr.StatementRange) string {
	if r.Start == r.End {
		return r.Start
	}
	return r.Start + "-" + r.End
}

func listStatements(ctx context.Context, a *app, cl *ibkr.Client, account string) error {
	av, err := cl.AvailableStatements(ctx, account)
	if err != nil {
		return err
	}
	res := availableJSON{AccountID: account, DailyStart: av.Daily.Start, DailyEnd: av.Daily.End, Months: av.Months, Years: av.Years}
	if res.Months == nil {
		res.Months = []string{}
	}
	if res.Years == nil {
		res.Years = []string{}
	}
	if a.json {
		a.emit(res)
		return nil
	}
	a.say("statements available for %s:", account)
	if av.Daily.Start != "" {
		a.say("  daily    %s to %s", av.Daily.Start, av.Daily.End)
	} else {
		a.say("  daily    none")
	}
	a.say("  monthly  %s", orDash(strings.Join(av.Months, " ")))
	a.say("  annual   %s", orDash(strings.Join(av.Years, " ")))
	return nil
}
