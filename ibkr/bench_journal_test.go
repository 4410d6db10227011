package ibkr

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchDeposit is a journal entry the size of a real ACH deposit's.
func benchDeposit(id uint64) JournalEntry {
	cid := NewID(id)
	return JournalEntry{ClientInstructionID: cid, Operation: opExternalCash.op.ID, InstructionType: "DEPOSIT",
		AccountID: "U1234567", Amount: MustDecimal("1250.00"), Currency: "USD", Summary: `ACH deposit of 1250.00 USD to U1234567 from "Checking"`,
		Body: json.RawMessage(`{"instruction":{"accountId":"U1234567","amount":1250.00,"bankInstructionMethod":"ACH","bankInstructionName":"Checking","clientInstructionId":` +
			cid.String() + `,"currency":"USD"},"instructionType":"DEPOSIT"}`),
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(id) * time.Millisecond)}
}

// writeBenchJournal writes, without the journal's fsyncs, a journal of n
// settled deposits and 10 pending ones: all in the journal file
// (compacted false, as a journal that was never compacted), or the
// settled ones in the settled file (as compaction leaves them).
func writeBenchJournal(tb testing.TB, path string, n int, compacted bool) {
	tb.Helper()
	write := func(p string, magic []byte, fn func(w *bufio.Writer, enc *json.Encoder)) {
		f, err := os.Create(p)
		if err != nil {
			tb.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.Write(magic)
		fn(w, json.NewEncoder(w))
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		_ = f.Close()
	}
	done := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	settled := func(enc *json.Encoder, pair bool) {
		for i := 1; i <= n; i++ {
			e := benchDeposit(uint64(i))
			fin := &fileJournalEnd{ClientInstructionID: e.ClientInstructionID, JournalOutcome: JournalOutcome{State: JournalAccepted, Status: InstructionProcessed, InstructionID: NewID(uint64(900000000 + i)), Time: done}}
			if pair {
				_ = enc.Encode(fileJournalLine{Begin: &e, Finish: fin})
			} else {
				_ = enc.Encode(fileJournalLine{Begin: &e})
				_ = enc.Encode(fileJournalLine{Finish: fin})
			}
		}
	}
	if compacted {
		write(path+".settled", journalSettledMagic, func(_ *bufio.Writer, enc *json.Encoder) { settled(enc, true) })
	}
	write(path, journalMagic, func(_ *bufio.Writer, enc *json.Encoder) {
		if !compacted {
			settled(enc, false)
		}
		for i := n + 1; i <= n+10; i++ {
			e := benchDeposit(uint64(i))
			_ = enc.Encode(fileJournalLine{Begin: &e})
		}
	})
}

// benchJournalDir returns a directory holding a journal of n settled
// entries, written once per machine and reused by later runs.
func benchJournalDir(tb testing.TB, n int, compacted bool) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("ibkr-go-bench-journal-v1-%d-%v", n, compacted))
	if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
		return dir
	}
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	writeBenchJournal(tb, filepath.Join(dir, "journal"), n, compacted)
	if err := os.WriteFile(filepath.Join(dir, "ready"), nil, 0o600); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// Opening a compacted journal reads only the pending entries, however
// many settled ones the settled file holds.
func BenchmarkFileJournalOpenCompacted100k(b *testing.B) { benchOpenCompacted(b, 100_000) }

// BenchmarkFileJournalOpenCompacted1M is the same at 1,000,000 settled
// entries.
func BenchmarkFileJournalOpenCompacted1M(b *testing.B) { benchOpenCompacted(b, 1_000_000) }

func benchOpenCompacted(b *testing.B, n int) {
	path := filepath.Join(benchJournalDir(b, n, true), "journal")
	b.ReportAllocs()
	for b.Loop() {
		j, err := OpenFileJournal(path)
		if err != nil {
			b.Fatal(err)
		}
		if j.Len() != 10 {
			b.Fatalf("%d entries read", j.Len())
		}
		_ = j.Close()
	}
}

// BenchmarkFileJournalOpenUncompacted100k opens a journal file holding
// 100,000 settled entries (as journals were before compaction existed):
// the open reads them all once and compacts.
func BenchmarkFileJournalOpenUncompacted100k(b *testing.B) {
	src := filepath.Join(benchJournalDir(b, 100_000, false), "journal")
	dir := b.TempDir()
	path := filepath.Join(dir, "journal")
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		_ = os.Remove(path + ".settled")
		copyFile(b, src, path)
		b.StartTimer()
		j, err := OpenFileJournal(path)
		if err != nil {
			b.Fatal(err)
		}
		if j.Len() != 10 {
			b.Fatalf("%d entries after the compacting open", j.Len())
		}
		_ = j.Close()
	}
}

func copyFile(tb testing.TB, src, dst string) {
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	_ = out.Close()
}

// BenchmarkFileJournalBeginFinish is one deposit's journaling: Begin
// (leased, as a sending call does) and Finish, each fsynced.
func BenchmarkFileJournalBeginFinish(b *testing.B) {
	j, err := OpenFileJournal(filepath.Join(b.TempDir(), "journal"))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	ctx := context.Background()
	var i uint64
	b.ReportAllocs()
	for b.Loop() {
		i++
		e := benchDeposit(i)
		if err := j.BeginLeased(ctx, e, "bench", time.Minute); err != nil {
			b.Fatal(err)
		}
		if err := j.Finish(ctx, e.ClientInstructionID, JournalOutcome{State: JournalAccepted, Status: InstructionPending, InstructionID: NewID(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deposits/s")
}
