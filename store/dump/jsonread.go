package dump

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"unicode/utf8"
)

// jsonDoc reads a JSON document token by token and turns byte offsets into
// Locations (line, column, JSON path).
type jsonDoc struct {
	name       string
	data       []byte
	lineStarts []int // offsets at which lines start
}

func newJSONDoc(name string, data []byte) *jsonDoc {
	d := &jsonDoc{name: name, data: data, lineStarts: []int{0}}
	for i, b := range data {
		if b == '\n' {
			d.lineStarts = append(d.lineStarts, i+1)
		}
	}
	return d
}

// loc returns the location of byte offset off, with path as Field.
func (d *jsonDoc) loc(off int64, path string) Location {
	o := int(min(max(off, 0), int64(len(d.data))))
	line := sort.Search(len(d.lineStarts), func(i int) bool { return d.lineStarts[i] > o })
	start := d.lineStarts[line-1]
	return Location{File: d.name, Line: line, Column: utf8.RuneCount(d.data[start:o]) + 1, Field: path}
}

// cursor walks one JSON value of the document: src is the value's bytes,
// base its offset in the document.
type cursor struct {
	doc  *jsonDoc
	src  []byte
	base int64
	dec  *json.Decoder
}

func (d *jsonDoc) cursor(src []byte, base int64) *cursor {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	return &cursor{doc: d, src: src, base: base, dec: dec}
}

// next returns the document offset at which the next token starts.
func (c *cursor) next() int64 {
	o := c.dec.InputOffset()
	for o < int64(len(c.src)) {
		switch c.src[o] {
		case ' ', '\t', '\r', '\n', ',', ':':
			o++
			continue
		}
		break
	}
	return c.base + o
}

// token reads the next token and returns it with its document offset.
func (c *cursor) token(path string) (json.Token, int64, error) {
	off := c.next()
	tok, err := c.dec.Token()
	if err != nil {
		return nil, off, c.syntaxErr(err, off, path)
	}
	return tok, off, nil
}

func (c *cursor) syntaxErr(err error, off int64, path string) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return inputErr(c.doc.loc(c.base+se.Offset, path), ErrMalformed, "invalid JSON: %s", se.Error())
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return inputErr(c.doc.loc(c.base+int64(len(c.src)), path), ErrMalformed, "invalid JSON: unexpected end of input")
	}
	return inputErr(c.doc.loc(off, path), ErrMalformed, "invalid JSON: %v", err)
}

func kindOf(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			return "an array"
		case '{':
			return "an object"
		}
		return "'" + t.String() + "'"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

func (c *cursor) wrongType(tok json.Token, off int64, path, want string) error {
	return inputErr(c.doc.loc(off, path), ErrMalformed, "expected %s, found %s", want, kindOf(tok))
}

// array reads an array (or null, which counts as empty when nullOK) and
// calls elem for each element; elem must consume exactly one value.
func (c *cursor) array(path string, nullOK bool, elem func(i int, path string) error) error {
	tok, off, err := c.token(path)
	if err != nil {
		return err
	}
	if tok == nil && nullOK {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return c.wrongType(tok, off, path, "an array")
	}
	for i := 0; c.dec.More(); i++ {
		if err := elem(i, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	_, _, err = c.token(path) // the closing ']'
	return err
}

// object reads an object and calls field for each member; field must
// consume exactly one value. Duplicate member names are errors. It returns
// the object's offset.
func (c *cursor) object(path string, field func(key string, keyOff int64, path string) error) (int64, error) {
	tok, off, err := c.token(path)
	if err != nil {
		return off, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return off, c.wrongType(tok, off, path, "an object")
	}
	seen := map[string]bool{}
	for c.dec.More() {
		ktok, koff, err := c.token(path)
		if err != nil {
			return off, err
		}
		key := ktok.(string) // the decoder only returns strings as keys
		kpath := key
		if path != "" {
			kpath = path + "." + key
		}
		if seen[key] {
			return off, inputErr(c.doc.loc(koff, kpath), ErrMalformed, "duplicate field %q", key)
		}
		seen[key] = true
		if err := field(key, koff, kpath); err != nil {
			return off, err
		}
	}
	_, _, err = c.token(path) // the closing '}'
	return off, err
}

// str reads a string; with nonEmpty an empty string is an error naming what.
func (c *cursor) str(path, what string, nonEmpty bool) (string, int64, error) {
	tok, off, err := c.token(path)
	if err != nil {
		return "", off, err
	}
	s, ok := tok.(string)
	if !ok {
		return "", off, c.wrongType(tok, off, path, "a string")
	}
	if nonEmpty && s == "" {
		return "", off, inputErr(c.doc.loc(off, path), ErrMalformed, "empty %s", what)
	}
	return s, off, nil
}

// optStr reads a string; null counts as "".
func (c *cursor) optStr(path string) (string, error) {
	tok, off, err := c.token(path)
	if err != nil {
		return "", err
	}
	switch s := tok.(type) {
	case string:
		return s, nil
	case nil:
		return "", nil
	}
	return "", c.wrongType(tok, off, path, "a string")
}

// boolean reads a boolean (null counts as false).
func (c *cursor) boolean(path string) (bool, error) {
	tok, off, err := c.token(path)
	if err != nil {
		return false, err
	}
	switch b := tok.(type) {
	case bool:
		return b, nil
	case nil:
		return false, nil
	}
	return false, c.wrongType(tok, off, path, "a boolean")
}

// strings reads an array of non-empty strings (null counts as empty) and
// returns each with its location.
func (c *cursor) strings(path, what string) ([]string, []Location, error) {
	var out []string
	var locs []Location
	err := c.array(path, true, func(_ int, p string) error {
		s, off, err := c.str(p, what, true)
		if err != nil {
			return err
		}
		out = append(out, s)
		locs = append(locs, c.doc.loc(off, p))
		return nil
	})
	return out, locs, err
}

// stringMap reads an object of strings (null counts as empty).
func (c *cursor) stringMap(path string) (map[string]string, error) {
	off := c.next()
	if bytes.HasPrefix(c.src[off-c.base:], []byte("null")) {
		_, _, err := c.token(path)
		return nil, err
	}
	m := map[string]string{}
	_, err := c.object(path, func(key string, _ int64, p string) error {
		v, err := c.optStr(p)
		m[key] = v
		return err
	})
	return m, err
}

// end checks that nothing but white space follows the value.
func (c *cursor) end(path string) error {
	off := c.next()
	tok, err := c.dec.Token()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return c.syntaxErr(err, off, path)
	}
	return inputErr(c.doc.loc(off, path), ErrMalformed, "found %s after the end of the dump", kindOf(tok))
}
