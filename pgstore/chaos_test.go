package pgstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// The chaos test: 4 replica processes (this test binary run again) make
// deposits through a fault-injecting transport to one sandbox, sharing a
// PostgreSQL store; replicas are killed with SIGKILL at random and
// restarted. See TestChaosReplicas.

const (
	chaosEnv      = "IBKR_CHAOS_REPLICA"
	chaosReplicas = 4
	chaosRate     = 40 // the store's shared budget per endpoint
	chaosSandbox  = 50 // the sandbox's limit per endpoint (burst 10, like its default 10/s, burst 10)
	// 4 replicas limiting themselves alone (40/s each) would send 160/s.
	chaosLeaseTTL  = 2 * time.Second
	chaosAccountID = ibkrtest.DemoAccountID
)

func chaosAmount(i int) ibkr.Decimal {
	return ibkr.MustDecimal(fmt.Sprintf("%d.%02d", 1+i/100, i%100))
}

// chaosTransport loses some requests to the deposit endpoint: before they
// reach the server, or after it committed them (the answer is dropped).
type chaosTransport struct {
	base http.RoundTripper
	rng  *rand.Rand
	mu   sync.Mutex
}

func (c *chaosTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path != "/gw/api/v1/external-cash-transfers" {
		return c.base.RoundTrip(req)
	}
	c.mu.Lock()
	roll := c.rng.IntN(100)
	c.mu.Unlock()
	switch {
	case roll < 5: // lost on the way
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, errors.New("chaos: connection reset before the request was written")
	case roll < 12: // committed, answer lost
		resp, err := c.base.RoundTrip(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		return nil, errors.New("chaos: connection reset after the request was sent")
	}
	return c.base.RoundTrip(req)
}

// TestChaosReplica is one replica process; it does nothing in a normal
// test run.
func TestChaosReplica(t *testing.T) {
	spec := os.Getenv(chaosEnv)
	if spec == "" {
		t.Skip("replica process of TestChaosReplicas")
	}
	var cfg struct {
		replica, from, to int
		faults            bool
		url, schema, out  string
		clientID, keyID   string
		keyPEM            []byte
	}
	parts := strings.Split(spec, "|")
	cfg.replica, _ = strconv.Atoi(parts[0])
	cfg.from, _ = strconv.Atoi(parts[1])
	cfg.to, _ = strconv.Atoi(parts[2])
	cfg.faults = parts[3] == "1"
	cfg.url, cfg.schema, cfg.out, cfg.clientID, cfg.keyID = parts[4], parts[5], parts[6], parts[7], parts[8]
	pem, err := os.ReadFile(parts[9])
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pcfg, err := pgxpool.ParseConfig(testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	pcfg.ConnConfig.RuntimeParams["search_path"] = cfg.schema
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(ctx, pool, cfg.clientID, WithRate(chaosRate, 1))
	if err != nil {
		t.Fatal(err)
	}
	var tr http.RoundTripper = http.DefaultTransport
	if cfg.faults {
		tr = &chaosTransport{base: tr, rng: rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))}
	}
	c, err := ibkr.New(ibkr.WithBaseURL(cfg.url), ibkr.WithPrivateKeyPEM(cfg.clientID, cfg.keyID, pem), ibkr.WithStore(st),
		ibkr.WithHTTPClient(&http.Client{Transport: tr, Timeout: 20 * time.Second}), ibkr.WithoutMaintenanceWindows(), ibkr.WithLeaseTTL(chaosLeaseTTL))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(cfg.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	var outMu sync.Mutex
	logf := func(format string, a ...any) {
		outMu.Lock()
		fmt.Fprintf(out, format+"\n", a...) // one write per line: survives SIGKILL
		outMu.Unlock()
	}
	// The reconciler, beside the live traffic.
	done := make(chan struct{})
	var loop sync.WaitGroup
	loop.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(300 * time.Millisecond):
			}
			res, _ := c.ReconcileJournal(ctx, st)
			for _, r := range res {
				if r.Outcome.Settled() {
					logf("R %s %s %d", r.Entry.ClientInstructionID, r.Outcome.State, cfg.replica)
				}
			}
		}
	})
	// This replica's share, minus what a previous life journaled.
	recs, err := st.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	journaled := map[string]bool{}
	for _, r := range recs {
		journaled[r.Entry.Amount.String()] = true
	}
	var work sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := cfg.from + cfg.replica; i < cfg.to; i += chaosReplicas {
		a := chaosAmount(i)
		if journaled[a.String()] {
			continue
		}
		sem <- struct{}{}
		work.Go(func() {
			defer func() { <-sem }()
			_, err := c.DepositACH(ctx, ibkr.ACHDeposit{AccountID: chaosAccountID, InstructionName: "Checking", Amount: a})
			kind := "ok"
			var ou *ibkr.OutcomeUnknownError
			if errors.As(err, &ou) {
				kind = "unknown"
			} else if err != nil {
				kind = "failed"
			}
			logf("D %s %s", a, kind)
		})
	}
	work.Wait()
	close(done)
	loop.Wait()
	logf("DONE %d", cfg.replica)
}

// TestChaosReplicas: a no-fault phase (all replicas together never draw
// a 429 from the sandbox), then a chaos phase (lost requests and answers,
// SIGKILL at random, restarts). At the end every deposit the sandbox
// holds is in the journal exactly once and accepted, none is held twice,
// and every entry settled by reconciliation was settled by one replica.
func TestChaosReplicas(t *testing.T) {
	testDSN(t)
	calm, total := 400, 2000
	if testing.Short() {
		calm, total = 120, 400
	}
	srv := ibkrtest.NewServer(t, ibkrtest.WithRealClock(), ibkrtest.WithResponseValidation(false), ibkrtest.WithMaintenance(false),
		ibkrtest.WithRateLimit(chaosSandbox, 10), ibkrtest.WithTimings(ibkrtest.Timings{ACHVerification: time.Millisecond}),
		ibkrtest.WithRequestRecordLimit(100000))
	pool, schema := testSchema(t)
	ctx := context.Background()
	if err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	st, err := New(ctx, pool, srv.ClientID, WithRate(chaosRate, 1))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyFile, srv.PrivateKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	// The bank account every deposit comes from.
	admin, err := ibkr.New(ibkr.WithBaseURL(srv.URL), ibkr.WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM), ibkr.WithStore(st),
		ibkr.WithoutMaintenanceWindows(), ibkr.WithLeaseTTL(chaosLeaseTTL))
	if err != nil {
		t.Fatal(err)
	}
	link, err := admin.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: chaosAccountID, InstructionName: "Checking",
		AccountNumber: ibkr.NewSecret("000123456789"), RoutingNumber: ibkrtest.RoutingNumberVerified, BankName: "Example Bank"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.WaitForBankVerification(ctx, link.ClientInstructionID, time.Minute); err != nil {
		t.Fatal(err)
	}

	outFile := func(r int) string { return filepath.Join(dir, fmt.Sprintf("replica-%d.log", r)) }
	start := func(r, from, to int, faults bool) *exec.Cmd {
		f := "0"
		if faults {
			f = "1"
		}
		spec := strings.Join([]string{strconv.Itoa(r), strconv.Itoa(from), strconv.Itoa(to), f, srv.URL, schema, outFile(r), srv.ClientID, srv.KeyID, keyFile}, "|")
		cmd := exec.Command(os.Args[0], "-test.run=^TestChaosReplica$", "-test.count=1")
		cmd.Env = append(os.Environ(), chaosEnv+"="+spec)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}

	// Phase 1: no faults, no kills.
	var cmds []*exec.Cmd
	for r := range chaosReplicas {
		cmds = append(cmds, start(r, 0, calm, false))
	}
	for r, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("replica %d (no-fault phase): %v", r, err)
		}
	}
	for _, op := range []string{"createExternalCashTransfers", "getClientInstructions"} {
		if n := srv.RequestCount(op, http.StatusTooManyRequests); n != 0 {
			t.Errorf("no-fault phase: the sandbox answered %s with 429 %d times", op, n)
		}
	}

	// Phase 2: faults, and replicas killed at random and restarted.
	rng := rand.New(rand.NewPCG(7, 9))
	type proc struct {
		cmd    *exec.Cmd
		exited chan error
	}
	procs := make([]*proc, chaosReplicas)
	launch := func(r int) {
		cmd := start(r, calm, total, true)
		p := &proc{cmd: cmd, exited: make(chan error, 1)}
		go func() { p.exited <- cmd.Wait() }()
		procs[r] = p
	}
	for r := range chaosReplicas {
		launch(r)
	}
	kills := 0
	finished := make([]bool, chaosReplicas)
	deadline := time.Now().Add(4 * time.Minute)
	nextKill := time.Now().Add(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
	for left := chaosReplicas; left > 0; {
		if time.Now().After(deadline) {
			t.Fatal("chaos phase did not finish in 4 minutes")
		}
		if time.Now().After(nextKill) {
			nextKill = time.Now().Add(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
			if r := rng.IntN(chaosReplicas); !finished[r] && kills < 12 {
				_ = procs[r].cmd.Process.Signal(syscall.SIGKILL)
				<-procs[r].exited
				kills++
				launch(r)
			}
		}
		for r, p := range procs {
			if finished[r] {
				continue
			}
			select {
			case err := <-p.exited:
				if err != nil {
					t.Fatalf("replica %d: %v", r, err)
				}
				finished[r] = true
				left--
			default:
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if kills == 0 {
		t.Error("no replica was killed")
	}

	// Settle what the killed replicas left behind (their leases expire).
	settleBy := time.Now().Add(time.Minute)
	for {
		res, err := admin.ReconcileJournal(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Outcome.Settled() {
				appendLine(t, outFile(chaosReplicas), fmt.Sprintf("R %s %s %d", r.Entry.ClientInstructionID, r.Outcome.State, chaosReplicas))
			}
		}
		p, err := st.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) == 0 {
			break
		}
		if time.Now().After(settleBy) {
			t.Fatalf("%d entries still pending a minute after the chaos", len(p))
		}
		time.Sleep(chaosLeaseTTL / 2)
	}

	// Every deposit the sandbox holds: once, in the journal once, accepted.
	held := map[string][]ibkrtest.InstructionInfo{}
	for _, in := range srv.Instructions() {
		if in.Type == "DEPOSIT" {
			held[in.Amount.String()] = append(held[in.Amount.String()], in)
		}
	}
	recs, err := st.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byAmount := map[string][]ibkr.JournalRecord{}
	for _, r := range recs {
		if r.Entry.InstructionType == "DEPOSIT" {
			byAmount[r.Entry.Amount.String()] = append(byAmount[r.Entry.Amount.String()], r)
		}
	}
	for a, ins := range held {
		if len(ins) != 1 {
			t.Errorf("deposit of %s held %d times by the sandbox", a, len(ins))
			continue
		}
		js := byAmount[a]
		if len(js) != 1 || js[0].Entry.ClientInstructionID != ins[0].ClientInstructionID || js[0].State() != ibkr.JournalAccepted {
			t.Errorf("deposit of %s (id %s) at the sandbox; journal has %+v", a, ins[0].ClientInstructionID, js)
		}
	}
	for a, js := range byAmount {
		for _, r := range js {
			if r.State() == ibkr.JournalAccepted && len(held[a]) == 0 {
				t.Errorf("journal entry %s (%s) accepted but the sandbox never got it", r.Entry.ClientInstructionID, a)
			}
		}
	}
	// Every entry settled by reconciliation was settled by one replica.
	settledBy := map[string]map[string]bool{}
	for r := 0; r <= chaosReplicas; r++ {
		f, err := os.Open(outFile(r))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) == 4 && fs[0] == "R" {
				if settledBy[fs[1]] == nil {
					settledBy[fs[1]] = map[string]bool{}
				}
				settledBy[fs[1]][fs[3]] = true
			}
		}
		_ = f.Close()
	}
	for id, who := range settledBy {
		if len(who) > 1 {
			t.Errorf("entry %s settled by replicas %v", id, who)
		}
	}
	t.Logf("%d deposits held by the sandbox of %d asked, %d journal entries, %d kills, %d entries settled by reconciliation, 429s: %d",
		len(held), total, len(recs), kills, len(settledBy), srv.RequestCount("createExternalCashTransfers", http.StatusTooManyRequests))
}

func appendLine(t *testing.T, path, line string) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}
