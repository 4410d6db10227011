package ibkr

import (
	"log/slog"
	"time"
)

// Logging: the client logs operation ids, attempts, statuses, durations,
// request ids and instruction ids only; never headers, bodies, tokens,
// assertions or keys. The default logger discards everything.

const (
	levelDebug = slog.LevelDebug
	levelInfo  = slog.LevelInfo
	levelWarn  = slog.LevelWarn
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func attrOp(id string) slog.Attr                  { return slog.String("op", id) }
func attrAttempt(n int) slog.Attr                 { return slog.Int("attempt", n) }
func attrStatus(code int) slog.Attr               { return slog.Int("status", code) }
func attrID(id ID) slog.Attr                      { return slog.String("clientInstructionId", id.String()) }
func attrDur(k string, d time.Duration) slog.Attr { return slog.Duration(k, d) }
func attrTime(k string, t time.Time) slog.Attr    { return slog.Time(k, t) }

// attrErr logs an error's text. Errors built by this package hold no
// secrets; transport errors name hosts and paths only.
func attrErr(err error) slog.Attr { return slog.String("error", err.Error()) }
