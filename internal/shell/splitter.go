package shell

import "strings"

// lexState is where the splitter is inside a statement.
type lexState uint8

const (
	stNormal  lexState = iota
	stSingle           // inside '...' ('' is a quote)
	stDouble           // inside "..." ("" is a quote)
	stDollar           // inside $$...$$
	stComment          // inside /* ... */
)

// Splitter cuts the lines of an input into statements the way cqlsh does:
// a statement ends at a semicolon that is not inside a string literal, a
// quoted name, a $$ string or a comment, and may span many lines. The zero
// value is ready to use; it is not safe for concurrent use.
type Splitter struct {
	buf       strings.Builder
	state     lexState
	substance bool // the pending text holds more than blanks and comments
	startLine int  // line number of the pending statement's first line
	line      int  // lines fed so far
}

// Statement is a complete statement and the line it starts on (1-based).
type Statement struct {
	Text string
	Line int
}

// Feed adds one line (without its newline) and returns the statements it
// completes, each with its terminating semicolon. Statements made only of
// blanks and comments are dropped.
func (s *Splitter) Feed(line string) []Statement {
	s.line++
	var out []Statement
	if s.buf.Len() == 0 {
		s.startLine = s.line
	} else {
		s.buf.WriteByte('\n')
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		next := byte(0)
		if i+1 < len(line) {
			next = line[i+1]
		}
		switch s.state {
		case stSingle:
			s.buf.WriteByte(c)
			if c == '\'' {
				if next == '\'' {
					s.buf.WriteByte(next)
					i++
				} else {
					s.state = stNormal
				}
			}
			continue
		case stDouble:
			s.buf.WriteByte(c)
			if c == '"' {
				if next == '"' {
					s.buf.WriteByte(next)
					i++
				} else {
					s.state = stNormal
				}
			}
			continue
		case stDollar:
			s.buf.WriteByte(c)
			if c == '$' && next == '$' {
				s.buf.WriteByte(next)
				i++
				s.state = stNormal
			}
			continue
		case stComment:
			s.buf.WriteByte(c)
			if c == '*' && next == '/' {
				s.buf.WriteByte(next)
				i++
				s.state = stNormal
			}
			continue
		}
		switch {
		case c == '-' && next == '-', c == '/' && next == '/':
			s.buf.WriteString(line[i:]) // a comment to the end of the line
			i = len(line)
			continue
		case c == '/' && next == '*':
			s.buf.WriteString("/*")
			i++
			s.state = stComment
			continue
		case c == '\'':
			s.state = stSingle
		case c == '"':
			s.state = stDouble
		case c == '$' && next == '$':
			s.buf.WriteString("$$")
			i++
			s.state = stDollar
			s.substance = true
			continue
		case c == ';':
			s.buf.WriteByte(';')
			if s.substance {
				out = append(out, Statement{Text: strings.TrimSpace(s.buf.String()), Line: s.startLine})
			}
			s.buf.Reset()
			s.substance = false
			s.startLine = s.line
			continue
		}
		if c != ' ' && c != '\t' && c != '\r' {
			s.substance = true
		}
		s.buf.WriteByte(c)
	}
	if !s.substance && s.state == stNormal {
		s.buf.Reset() // only blanks and comments so far
	}
	return out
}

// Pending reports whether a statement has been started but not ended.
func (s *Splitter) Pending() bool { return s.substance || s.state != stNormal }

// Rest returns the unterminated text pending, trimmed, and the line it
// starts on; "" if there is none.
func (s *Splitter) Rest() Statement {
	if !s.Pending() {
		return Statement{}
	}
	return Statement{Text: strings.TrimSpace(s.buf.String()), Line: s.startLine}
}

// Reset drops the pending text.
func (s *Splitter) Reset() {
	s.buf.Reset()
	s.state = stNormal
	s.substance = false
}
