package shell

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// LineReader reads the shell's input one line at a time, showing prompt
// first when it is interactive. It returns io.EOF at the end of the input.
type LineReader interface {
	ReadLine(prompt string) (string, error)
}

// maxLineBytes bounds one input line.
const maxLineBytes = 1 << 20

// StreamReader reads lines from a plain stream (a pipe, a file, a test's
// buffer). With Prompt set, it writes each prompt to Out first; lines are
// added to History when it is set.
type StreamReader struct {
	r       *bufio.Reader
	Out     io.Writer
	Prompt  bool
	History *History
}

// NewStreamReader returns a StreamReader over r.
func NewStreamReader(r io.Reader) *StreamReader {
	return &StreamReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// ReadLine returns the next line without its line ending. A last line
// without a newline is returned before io.EOF. Errors: io.EOF, the
// stream's, or ErrLineTooLong.
func (s *StreamReader) ReadLine(prompt string) (string, error) {
	if s.Prompt && s.Out != nil {
		if _, err := io.WriteString(s.Out, prompt); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	for {
		chunk, err := s.r.ReadSlice('\n')
		if b.Len()+len(chunk) > maxLineBytes {
			return "", ErrLineTooLong
		}
		b.Write(chunk)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && b.Len() > 0 {
			break
		}
		if err != nil {
			return "", err
		}
		break
	}
	line := strings.TrimRight(b.String(), "\r\n")
	if s.History != nil {
		s.History.Add(line)
	}
	return line, nil
}

// ErrLineTooLong: an input line of more than 1 MiB.
var ErrLineTooLong = errors.New("shell: input line longer than 1 MiB")

// TerminalReader reads lines from a terminal with line editing and
// history on the arrow keys (golang.org/x/term), putting the terminal in
// raw mode only while a line is read, so that output between reads is
// written as usual. Ctrl-D on an empty line and Ctrl-C end the input.
type TerminalReader struct {
	fd int
	t  *term.Terminal
}

// NewTerminalReader returns a reader on the terminal in and out (usually
// os.Stdin and os.Stdout), whose up and down keys walk h.
func NewTerminalReader(in, out *os.File, h *History) *TerminalReader {
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, out}, "")
	if h != nil {
		t.History = h
	}
	if w, hgt, err := term.GetSize(int(out.Fd())); err == nil {
		_ = t.SetSize(w, hgt)
	}
	return &TerminalReader{fd: int(in.Fd()), t: t}
}

// ReadLine shows prompt and returns the line typed. Errors: io.EOF, or the
// terminal's.
func (r *TerminalReader) ReadLine(prompt string) (string, error) {
	state, err := term.MakeRaw(r.fd)
	if err != nil {
		return "", err
	}
	defer func() { _ = term.Restore(r.fd, state) }()
	r.t.SetPrompt(prompt)
	line, err := r.t.ReadLine()
	if errors.Is(err, term.ErrPasteIndicator) {
		err = nil // a pasted line is a line
	}
	return line, err
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// ReadPassword shows prompt on out and reads a line from the terminal in
// without echo. Errors: in is not a terminal, or the terminal's.
func ReadPassword(in, out *os.File, prompt string) (string, error) {
	if !IsTerminal(in) {
		return "", errors.New("cannot prompt for a password: standard input is not a terminal (use -p or CASSAUTH_PASSWORD)")
	}
	if _, err := io.WriteString(out, prompt); err != nil {
		return "", err
	}
	b, err := term.ReadPassword(int(in.Fd()))
	_, _ = io.WriteString(out, "\n")
	return string(b), err
}
