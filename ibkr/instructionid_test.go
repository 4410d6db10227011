package ibkr

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/clock"
	"github.com/ibkrweb/ibkr-go/wire"
)

func TestClockAllocatorIncreasingAcrossGoroutines(t *testing.T) {
	clk := clock.NewFake(harnessStart)
	a := NewClockAllocator(clk)
	const workers, each = 8, 500
	got := make([][]ID, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id, err := a.Next(bg)
				if err != nil {
					t.Error(err)
					return
				}
				got[w] = append(got[w], id)
				if i%100 == 0 {
					clk.Advance(time.Millisecond)
				}
			}
		}(w)
	}
	wg.Wait()
	all := map[ID]bool{}
	floor := NewID(uint64(harnessStart.UnixMilli()) * 1000)
	for _, ids := range got {
		for i, id := range ids {
			if all[id] {
				t.Fatalf("id %s handed out twice", id)
			}
			all[id] = true
			if len(id.String()) > 20 || id.Cmp(floor) < 0 {
				t.Fatalf("id %s: more than 20 digits or below the clock floor", id)
			}
			if i > 0 && id.Cmp(ids[i-1]) <= 0 {
				t.Fatalf("ids not increasing: %s after %s", id, ids[i-1])
			}
		}
	}
	if len(all) != workers*each {
		t.Fatalf("%d unique ids", len(all))
	}
}

func TestClockAllocatorIncreasingAcrossRestart(t *testing.T) {
	clk := clock.NewFake(harnessStart)
	a := NewClockAllocator(clk)
	var last ID
	for i := 0; i < 999; i++ {
		last, _ = a.Next(bg)
	}
	clk.Advance(time.Millisecond) // a restart takes at least a millisecond
	b := NewClockAllocator(clk)
	first, err := b.Next(bg)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cmp(last) <= 0 {
		t.Fatalf("after restart %s is not above %s", first, last)
	}
	if len(first.String()) != 16 {
		t.Fatalf("today's ids have 16 digits, got %s", first)
	}
}

func TestClaimRefusesReuse(t *testing.T) {
	a := NewClockAllocator(clock.NewFake(harnessStart))
	if err := a.Claim(bg, NewID(5)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []uint64{5, 4} {
		err := a.Claim(bg, NewID(id))
		wantErr(t, err, ErrInstructionIDReused)
		wantErr(t, err, ErrInvalidInput)
	}
	if err := a.Claim(bg, NewID(6)); err != nil {
		t.Fatal(err)
	}
	next, _ := a.Next(bg)
	if next.Cmp(NewID(6)) <= 0 {
		t.Fatalf("Next %s not above the claimed 6", next)
	}
	wantErr(t, a.Claim(bg, next), ErrInstructionIDReused)
}

func TestFileAllocatorAcrossInstances(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ids")
	a1, err := NewFileAllocator(path)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := NewFileAllocator(path) // another process, as far as flock goes
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[ID]bool{}
	var wg sync.WaitGroup
	for _, a := range []*FileAllocator{a1, a2, a1, a2} {
		wg.Add(1)
		go func(a *FileAllocator) {
			defer wg.Done()
			var prev ID
			for i := 0; i < 25; i++ {
				id, err := a.Next(bg)
				if err != nil {
					t.Error(err)
					return
				}
				if id.Cmp(prev) <= 0 {
					t.Errorf("not increasing: %s after %s", id, prev)
				}
				prev = id
				mu.Lock()
				if seen[id] {
					t.Errorf("id %s handed out twice", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		}(a)
	}
	wg.Wait()
	var max ID
	for id := range seen {
		if id.Cmp(max) > 0 {
			max = id
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != max.String()+"\n" {
		t.Fatalf("mark %q, want %s", b, max)
	}
	// Reopened (a restart): continues above the mark.
	a3, err := NewFileAllocator(path)
	if err != nil {
		t.Fatal(err)
	}
	next, err := a3.Next(bg)
	if err != nil || next.Cmp(max) <= 0 {
		t.Fatalf("after reopen %s, %v; want above %s", next, err, max)
	}
	wantErr(t, a3.Claim(bg, max), ErrInstructionIDReused)
	// Claims far above the clock raise the mark durably.
	big := NewID(uint64(time.Now().UnixMilli())*1000 + 1e12)
	if err := a3.Claim(bg, big); err != nil {
		t.Fatal(err)
	}
	a4, _ := NewFileAllocator(path)
	if n, _ := a4.Next(bg); n.Cmp(big) <= 0 {
		t.Fatalf("%s not above the claimed %s", n, big)
	}
}

func TestFileAllocatorRefusesCorruptMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ids")
	if err := os.WriteFile(path, []byte("12ab\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := NewFileAllocator(path)
	noteErr(err)
	if err == nil {
		t.Fatal("a corrupt mark must be an error, never a restart")
	}
	_, err = NewFileAllocator("")
	wantErr(t, err, ErrInvalidInput)
}

func TestInstructionIDsInBodies(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	send := func(body string) error {
		_, err := c.Raw().CreateBankInstructionsWithBodyWithResponse(bg, "application/json", jsonReader(body))
		return err
	}
	ach := func(id string) string {
		return `{"instructionType":"ACH_INSTRUCTION","instruction":{"clientInstructionId":` + id + `,"clientAccountInfo":{"bankAccountNumber":"` + secretAccountNumber + `"}}}`
	}

	// Missing or zero: the client fills in a fresh id.
	for _, body := range []string{`{"instructionType":"ACH_INSTRUCTION","instruction":{"achType":"DEBIT"}}`, ach("0"), ach("null")} {
		if err := send(body); err != nil {
			t.Fatal(err)
		}
	}
	ids := postIDs(f, "createBankInstructions")
	if len(ids) != 3 || ids[0] == ids[1] || ids[1] == ids[2] {
		t.Fatalf("filled-in ids %v", ids)
	}
	for _, id := range ids {
		if len(id) != 16 {
			t.Fatalf("filled-in id %q", id)
		}
	}

	// An id from NewInstructionID passes once; a second use is refused
	// before anything is sent.
	id, _ := c.NewInstructionID(bg)
	if err := send(ach(id.String())); err != nil {
		t.Fatal(err)
	}
	before := len(f.requests(""))
	wantErr(t, send(ach(id.String())), ErrInstructionIDReused)
	// Ids the allocator already handed out, or below its mark, are reused.
	wantErr(t, send(ach(ids[0])), ErrInstructionIDReused)
	wantErr(t, send(ach(`"`+ids[1]+`"`)), ErrInstructionIDReused)
	// Malformed or over 20 digits.
	for _, bad := range []string{"123456789012345678901", `"12a"`, "1.5", "-3", "true", `{}`} {
		err := send(ach(bad))
		wantErr(t, err, ErrInvalidInput)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "instruction.clientInstructionId" {
			t.Fatalf("%s: %#v", bad, err)
		}
	}
	// Duplicates inside a bulk request.
	n1, _ := c.NewInstructionID(bg)
	_, err := c.Raw().BulkBankInstructionsWithBodyWithResponse(bg, "application/json", jsonReader(
		`{"instructionType":"ACH_INSTRUCTION","instructions":[{"clientInstructionId":`+n1.String()+`},{"clientInstructionId":`+n1.String()+`}]}`))
	wantErr(t, err, ErrInstructionIDReused)
	if after := len(f.requests("")); after != before {
		t.Fatalf("%d requests sent for refused ids", after-before)
	}
}

func TestCallerIDsAboveTheMark(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	big := strconv.FormatUint(uint64(f.clk.Now().UnixMilli())*1000+5_000_000, 10)
	body := `{"instructionType":"ACH_INSTRUCTION","instruction":{"clientInstructionId":` + big + `}}`
	if _, err := c.Raw().CreateBankInstructionsWithBodyWithResponse(bg, "application/json", jsonReader(body)); err != nil {
		t.Fatal(err)
	}
	// The client's own ids continue above the caller's.
	next, _ := c.NewInstructionID(bg)
	if next.Cmp(wire.MustID(big)) <= 0 {
		t.Fatalf("allocator at %s, below the claimed %s", next, big)
	}
}

func TestOverlongIDRefusedBeforeAnyRequest(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	_, err := c.Raw().CreateExternalCashTransfersWithBodyWithResponse(bg, "application/json",
		jsonReader(`{"instructionType":"DEPOSIT","instruction":{"clientInstructionId":100000000000000000000}}`))
	wantErr(t, err, ErrInvalidInput)
	if f.tokenCount.Load() != 0 || len(f.requests("")) != 0 {
		t.Fatal("a request was made")
	}
}

func TestIDsStaySorted(t *testing.T) {
	// Ids compare numerically, not as text, in the allocator's mark.
	a := NewClockAllocator(clock.NewFake(time.Unix(0, 0)))
	var got []ID
	for i := 0; i < 12; i++ {
		id, _ := a.Next(bg)
		got = append(got, id)
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Cmp(got[j]) < 0 }) || got[0] != NewID(1) || got[11] != NewID(12) {
		t.Fatalf("ids %v", got)
	}
}
