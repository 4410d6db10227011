package main

import (
	"context"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

var accountCommand = &command{
	name:    "account",
	args:    "ACCOUNT_ID",
	summary: "status of an account or application, with its pending tasks",
	help: `Prints an account's status as IBKR reports it (GET
/gw/api/v1/accounts/{accountId}/status): the one-letter status and its
meaning, the application state, the dates it was started, opened or
closed, and, for pending applications (N, P), the tasks IBKR still needs
(forms to sign, documents to send). Read-only.`,
	run: runAccount,
}

type accountJSON struct {
	AccountID     string     `json:"accountId"`
	Status        string     `json:"status"`
	StatusName    string     `json:"statusName"`
	Description   string     `json:"description,omitempty"`
	State         string     `json:"state,omitempty"`
	MasterAccount string     `json:"masterAccountId,omitempty"`
	Message       string     `json:"message,omitempty"`
	Started       string     `json:"started,omitempty"`
	Opened        string     `json:"opened,omitempty"`
	Closed        string     `json:"closed,omitempty"`
	PendingTasks  []taskJSON `json:"pendingTasks,omitempty"`
}

type taskJSON struct {
	Form                int    `json:"form"`
	Name                string `json:"name,omitempty"`
	Action              string `json:"action,omitempty"`
	State               string `json:"state,omitempty"`
	RequiredForApproval bool   `json:"requiredForApproval"`
}

func runAccount(ctx context.Context, a *app, args []string) error {
	flags := a.newFlags()
	var cf connFlags
	cf.register(flags)
	pos, err := a.parseWithArgs(flags, args, "ACCOUNT_ID")
	if err != nil {
		return err
	}
	if err := ibkr.ValidateAccountID("accountId", pos[0]); err != nil {
		return usagef("%s", errorMessage(err))
	}
	cl, _, err := cf.newClient(a, ibkr.WithClock(a.clock()))
	if err != nil {
		return err
	}
	st, err := cl.AccountStatus(ctx, pos[0])
	if err != nil {
		return err
	}
	out := accountJSON{
		AccountID: orString(st.AccountID, pos[0]), Status: string(st.Status), StatusName: st.Status.String(),
		Description: st.Description, State: string(st.State), MasterAccount: st.MasterAccountID, Message: st.Message,
		Started: day(st.Started), Opened: day(st.Opened), Closed: day(st.Closed),
	}
	if st.Status.Pending() {
		tasks, err := cl.PendingTasks(ctx, pos[0])
		if err != nil {
			return err
		}
		for _, t := range tasks.Tasks {
			out.PendingTasks = append(out.PendingTasks, taskJSON{Form: int(t.Form), Name: t.FormName, Action: t.Action, State: t.State, RequiredForApproval: t.RequiredForApproval})
		}
	}
	if a.json {
		a.emit(out)
		return nil
	}
	a.say("%s: %s", out.AccountID, statusText(st.Status))
	row := func(k, v string) {
		if v != "" {
			a.say("  %-14s %s", k, v)
		}
	}
	row("description", out.Description)
	row("state", out.State)
	row("master", out.MasterAccount)
	row("message", out.Message)
	row("started", out.Started)
	row("opened", out.Opened)
	row("closed", out.Closed)
	if len(out.PendingTasks) > 0 {
		a.say("  pending tasks:")
		for _, t := range out.PendingTasks {
			req := ""
			if t.RequiredForApproval {
				req = ", required for approval"
			}
			a.say("    %d %s: %s%s", t.Form, t.Name, joinNonEmpty(", ", t.Action, t.State), req)
		}
	}
	return nil
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
