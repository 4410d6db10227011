package flex

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// textReader passes valid UTF-8 through and reads every byte that is not
// part of a valid UTF-8 sequence as ISO-8859-1. IBKR labels its XML
// ISO-8859-1 while other producers write UTF-8, and real statements carry
// no XML declaration to tell; this reads both without failing on an
// accented name.
type textReader struct {
	r       io.Reader
	carry   []byte // an incomplete UTF-8 sequence at the end of the last read
	pending []byte // converted bytes that did not fit the caller's buffer
	err     error
}

func newTextReader(r io.Reader) *textReader { return &textReader{r: r} }

func (t *textReader) Read(p []byte) (int, error) {
	if len(t.pending) > 0 {
		n := copy(p, t.pending)
		t.pending = t.pending[n:]
		return n, nil
	}
	if len(p) < 2*utf8.UTFMax {
		var tmp [64]byte
		n, err := t.Read(tmp[:])
		k := copy(p, tmp[:n])
		t.pending = append(t.pending, tmp[k:n]...)
		return k, err
	}
	if t.err != nil && len(t.carry) == 0 {
		return 0, t.err
	}
	n := copy(p, t.carry)
	t.carry = t.carry[:0]
	if t.err == nil {
		m, err := t.r.Read(p[n:])
		n += m
		t.err = err
	}
	data := p[:n]
	i := 0
	for i < len(data) && data[i] < utf8.RuneSelf {
		i++
	}
	if i == len(data) {
		if n == 0 {
			return 0, t.err
		}
		return n, nil
	}
	conv := t.convert(data[i:], t.err != nil)
	k := copy(p[i:], conv)
	t.pending = append(t.pending[:0], conv[k:]...)
	return i + k, nil
}

// convert rewrites b, keeping an incomplete sequence at its end in carry
// unless the input has ended.
func (t *textReader) convert(b []byte, atEOF bool) []byte {
	out := make([]byte, 0, len(b)+len(b)/4)
	for j := 0; j < len(b); {
		c := b[j]
		if c < utf8.RuneSelf {
			out = append(out, c)
			j++
			continue
		}
		if !utf8.FullRune(b[j:]) && !atEOF {
			t.carry = append(t.carry, b[j:]...)
			break
		}
		r, size := utf8.DecodeRune(b[j:])
		if r == utf8.RuneError && size <= 1 {
			out = utf8.AppendRune(out, rune(c))
			j++
			continue
		}
		out = append(out, b[j:j+size]...)
		j += size
	}
	return out
}

// charsetReader accepts the encodings a statement may declare. The input
// is already UTF-8 (see textReader), so they need no further decoding.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii", "utf8":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", clip(label))
}
