package shell

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"sync"
)

// DefaultHistorySize is how many lines a History keeps.
const DefaultHistorySize = 1000

// History keeps the lines typed into the shell, most recent last, in
// memory and, when it has a file, appended to that file as they come (mode
// 0600: a line may hold a password). It implements the History interface of
// golang.org/x/term, so the terminal's arrow keys walk it. Lines that set a
// password are kept in memory for the session but written to the file with
// the password masked, and empty lines are not kept. It is safe for
// concurrent use.
type History struct {
	mu    sync.Mutex // guards lines and err
	lines []string
	max   int
	path  string
	err   error // the first failure to write the file, if any
}

// OpenHistory returns a History of at most max lines (DefaultHistorySize if
// max <= 0) loaded from the file at path, if it exists; path "" keeps the
// history in memory only. Errors: reading an existing file.
func OpenHistory(path string, max int) (*History, error) {
	if max <= 0 {
		max = DefaultHistorySize
	}
	h := &History{max: max, path: path}
	if path == "" {
		return h, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			h.lines = append(h.lines, line)
		}
	}
	if len(h.lines) > max {
		h.lines = h.lines[len(h.lines)-max:]
	}
	return h, sc.Err()
}

// Add records a line as the most recent entry.
func (h *History) Add(line string) {
	line = strings.TrimRight(line, "\r\n")
	if strings.TrimSpace(line) == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.lines); n > 0 && h.lines[n-1] == line {
		return // like readline's ignoredups
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > h.max {
		h.lines = h.lines[len(h.lines)-h.max:]
	}
	if h.path == "" || h.err != nil {
		return
	}
	f, err := os.OpenFile(h.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = f.WriteString(MaskPasswords(line) + "\n")
		err = errors.Join(err, f.Close())
	}
	h.err = err
}

// Len returns the number of entries.
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.lines)
}

// At returns an entry: 0 is the most recent. It panics for an index out of
// range, as the x/term History contract says.
func (h *History) At(i int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lines[len(h.lines)-1-i]
}

// Lines returns the entries, oldest first.
func (h *History) Lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.lines...)
}

// Err returns the first error writing the history file, if any; the shell
// reports it once and goes on without the file.
func (h *History) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

// MaskPasswords replaces the literal after PASSWORD (and HASHED PASSWORD)
// in a line with '*******', as Cassandra's PasswordObfuscator does in its
// logs, so that the history file never holds a password.
func MaskPasswords(line string) string {
	upper := strings.ToUpper(line)
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(upper[i:], "PASSWORD")
		if j < 0 {
			break
		}
		j += i + len("PASSWORD")
		k := j
		for k < len(line) && (line[k] == ' ' || line[k] == '\t' || line[k] == '=' || line[k] == ':') {
			k++
		}
		if k >= len(line) || line[k] != '\'' && !strings.HasPrefix(line[k:], "$$") {
			b.WriteString(line[i:j])
			i = j
			continue
		}
		end := literalEnd(line, k)
		b.WriteString(line[i:k])
		b.WriteString("'*******'")
		i = end
	}
	b.WriteString(line[i:])
	return b.String()
}

// literalEnd returns the index just after the string literal starting at
// k (quoted with ' and doubled quotes inside, or $$...$$), or len(s) if
// it does not end.
func literalEnd(s string, k int) int {
	if strings.HasPrefix(s[k:], "$$") {
		if e := strings.Index(s[k+2:], "$$"); e >= 0 {
			return k + 2 + e + 2
		}
		return len(s)
	}
	for i := k + 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(s)
}
