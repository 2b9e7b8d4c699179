package dump

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxRecord bounds the bytes of one CSV record, so a file without line
// breaks or with an unterminated quote cannot take all memory.
const maxRecord = 16 << 20

// csvReader reads CSV as cqlsh's COPY TO writes it: Python's csv module with
// cqlsh's default dialect (delimiter ',', quote '"', escape '\\', no
// doubled quotes) and '\r\n' or '\n' line ends. Within any field '\\'
// makes the next character literal. As an extension for files written by
// other tools, a doubled quote inside a quoted field is a literal quote
// (RFC 4180). A bare quote inside an unquoted field, text after a closing
// quote, an unterminated quote and an escape at the end of the input are
// syntax errors. Blank lines are skipped.
type csvReader struct {
	r    *bufio.Reader
	line int // line of the next byte, 1-based
	bom  bool
}

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{r: bufio.NewReader(r), line: 1}
}

// csvSyntaxError is a CSV syntax error at a line.
type csvSyntaxError struct {
	Line int
	Msg  string
}

func (e *csvSyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

type csvState int

const (
	fieldStart csvState = iota
	inField
	inQuoted
	afterQuote // a quote inside a quoted field: closing, or the first of two
)

// read returns the next record and the line it starts on, or io.EOF after
// the last one. Other errors are *csvSyntaxError or the reader's.
func (c *csvReader) read() ([]string, int, error) {
	if !c.bom {
		c.bom = true
		if b, err := c.r.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
			c.r.Discard(3)
		}
	}
	var (
		fields []string
		field  []byte
		state  = fieldStart
		start  = c.line
		size   int
		opened int // line of the opening quote of the current field
	)
	endField := func() {
		fields = append(fields, string(field))
		field = field[:0]
		state = fieldStart
	}
	for {
		b, err := c.r.ReadByte()
		if errors.Is(err, io.EOF) {
			switch {
			case state == inQuoted:
				return nil, start, &csvSyntaxError{Line: opened, Msg: "unterminated quoted field (the quote opened here runs to the end of the input)"}
			case state == fieldStart && len(fields) == 0:
				return nil, start, io.EOF
			}
			endField()
			return fields, start, nil
		}
		if err != nil {
			return nil, start, err
		}
		if size++; size > maxRecord {
			return nil, start, &csvSyntaxError{Line: c.line, Msg: fmt.Sprintf("record longer than %d bytes", maxRecord)}
		}
		if b == '\n' {
			c.line++
		}
		switch state {
		case fieldStart, inField:
			switch b {
			case ',':
				endField()
			case '\r', '\n':
				if b == '\r' {
					c.skipLF()
				}
				if state == fieldStart && len(fields) == 0 {
					start, size = c.line, 0 // a blank line
					continue
				}
				endField()
				return fields, start, nil
			case '"':
				if state == inField {
					return nil, start, &csvSyntaxError{Line: c.line, Msg: `bare " in an unquoted field (quote the field, or escape the quote as \")`}
				}
				state, opened = inQuoted, c.line
			case '\\':
				if err := c.escaped(&field); err != nil {
					return nil, start, err
				}
				state = inField
			default:
				field = append(field, b)
				state = inField
			}
		case inQuoted:
			switch b {
			case '"':
				state = afterQuote
			case '\\':
				if err := c.escaped(&field); err != nil {
					return nil, start, err
				}
			default:
				field = append(field, b)
			}
		case afterQuote:
			switch b {
			case '"':
				field = append(field, '"')
				state = inQuoted
			case ',':
				endField()
			case '\r', '\n':
				if b == '\r' {
					c.skipLF()
				}
				endField()
				return fields, start, nil
			default:
				line := c.line
				if b == '\n' {
					line--
				}
				return nil, start, &csvSyntaxError{Line: line, Msg: fmt.Sprintf("unexpected %q after the closing quote of a field", b)}
			}
		}
	}
}

// escaped appends the byte after an escape character.
func (c *csvReader) escaped(field *[]byte) error {
	b, err := c.r.ReadByte()
	if errors.Is(err, io.EOF) {
		return &csvSyntaxError{Line: c.line, Msg: `escape character \ at the end of the input`}
	}
	if err != nil {
		return err
	}
	if b == '\n' {
		c.line++
	}
	*field = append(*field, b)
	return nil
}

// skipLF ends a line at a '\r': it consumes the '\n' of a "\r\n" line end
// and counts the line either way.
func (c *csvReader) skipLF() {
	if b, err := c.r.Peek(1); err == nil && b[0] == '\n' {
		c.r.Discard(1)
	}
	c.line++
}
