package ibkr

import "time"

// The tracker's adaptive schedule. Every tracked instruction has a
// SettleProfile, picked by its kind (an ACH deposit, a wire deposit, a
// withdrawal, an internal transfer, anything else). With age the time
// since the instruction was created (or began to be tracked), the next
// look at it is:
//
//   - quiet phase, age < Expected-Window: nothing can have settled yet;
//     look every Quiet (a safety net for early rejections), and once more
//     exactly when the near phase begins;
//   - near phase, Expected-Window <= age < Expected+Window: settlement is
//     due; look every Near, which bounds the delivery latency;
//   - late phase, age >= Expected+Window: it is late; the interval grows
//     with the lateness, a quarter of (age-Expected), kept between Near
//     and Quiet, so a deposit days late costs a few looks a day.
//
// With callbacks (TrackerOptions.Callbacks), IBKR announces each status
// change and the tracker confirms it at once; the schedule is then only
// the net for a lost callback: no quiet or near looks, the first at
// Expected+Window, then the late phase.
//
// Looks at instructions that one query covers are merged: a look at one
// instruction of an instruction set refreshes the whole set, and a look at
// an account with several instructions due within TrackerOptions.Batch
// refreshes all of them (see Tracker).

// SettleProfile is the schedule of one kind of instruction (see above).
type SettleProfile struct {
	// Expected is how long after creation the instruction usually
	// settles.
	Expected time.Duration
	// Window is how far around Expected the near phase reaches.
	Window time.Duration
	// Near is the interval of the near phase.
	Near time.Duration
	// Quiet is the interval of the quiet phase, and the longest interval
	// of the late phase.
	Quiet time.Duration
}

// Schedule maps instruction kinds to their profiles. Keys are the kinds
// TrackKind returns: "DEPOSIT/ACH", "DEPOSIT/WIRE", "WITHDRAWAL",
// "INTERNAL_CASH_TRANSFER", "ACH_INSTRUCTION"; "" is the profile of every
// other kind. A kind missing from a Schedule takes DefaultSchedule's.
type Schedule map[string]SettleProfile

// DefaultSchedule is the schedule unless TrackerOptions.Schedule
// overrides profiles. It assumes an ACH deposit or a withdrawal settles
// about one day after it is made (IBKR: the next business day, and the
// sandbox's default timing), a wire in about an hour, an internal
// transfer and an ACH bank verification in minutes. Without callbacks, an
// ACH deposit settling on time costs 8 looks: at 8 h and 16 h, then every
// 10 minutes from 23 h 15 m, and is delivered within 10 minutes.
var DefaultSchedule = Schedule{
	"DEPOSIT/ACH":            {Expected: 24 * time.Hour, Window: 45 * time.Minute, Near: 10 * time.Minute, Quiet: 8 * time.Hour},
	"WITHDRAWAL":             {Expected: 24 * time.Hour, Window: 45 * time.Minute, Near: 10 * time.Minute, Quiet: 8 * time.Hour},
	"DEPOSIT/WIRE":           {Expected: time.Hour, Window: 45 * time.Minute, Near: 5 * time.Minute, Quiet: 30 * time.Minute},
	"INTERNAL_CASH_TRANSFER": {Expected: time.Minute, Window: 5 * time.Minute, Near: 30 * time.Second, Quiet: 5 * time.Minute},
	"ACH_INSTRUCTION":        {Expected: 10 * time.Minute, Window: 8 * time.Minute, Near: time.Minute, Quiet: 5 * time.Minute},
	"":                       {Expected: 10 * time.Minute, Window: 10 * time.Minute, Near: time.Minute, Quiet: 30 * time.Minute},
}

// TrackKind returns the schedule key of an instruction type and, for
// deposits, its bank instruction method ("ACH", "WIRE", ...).
func TrackKind(instructionType, method string) string {
	if instructionType == "DEPOSIT" {
		if method == "" {
			method = "ACH"
		}
		return "DEPOSIT/" + method
	}
	return instructionType
}

// profile returns the profile of kind: s's, else DefaultSchedule's, else
// the "" entry of either; zero fields are filled in sensibly.
func (s Schedule) profile(kind string) SettleProfile {
	p, ok := s[kind]
	if !ok {
		if p, ok = DefaultSchedule[kind]; !ok {
			if p, ok = s[""]; !ok {
				p = DefaultSchedule[""]
			}
		}
	}
	if p.Near <= 0 {
		p.Near = time.Minute
	}
	if p.Quiet < p.Near {
		p.Quiet = p.Near
	}
	if p.Window < 0 {
		p.Window = 0
	}
	return p
}

// next returns the wait before the next look at an instruction of age
// age (see the schedule above), and how much later than that the look
// may come, so that looks at one account's or set's instructions can be
// merged: a look at the start of the near phase (or the callback net's
// look) may come up to Near later; a late look up to a quarter of its
// interval; a near look on time.
func (p SettleProfile) next(age time.Duration, callbacks bool) (wait, slack time.Duration) {
	start, end := p.Expected-p.Window, p.Expected+p.Window
	switch {
	case callbacks && age < end:
		return end - age, p.Near
	case age < start:
		return min(p.Quiet, start-age), p.Near
	case age < end:
		return p.Near, 0
	}
	d := min(max((age-p.Expected)/4, p.Near), p.Quiet)
	return d, d / 4
}
