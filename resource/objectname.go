package resource

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrInvalidObjectName is the sentinel wrapped by every [ObjectNameError]:
// the text is not a valid JMX object name.
var ErrInvalidObjectName = errors.New("invalid JMX object name")

// ObjectNameError reports a malformed JMX object name. Error returns
// Cassandra's message for a bad MBEAN name ("<input> is not a valid JMX object
// name"); Reason says what is wrong, in the words of Java's
// MalformedObjectNameException where Java has them, and Offset is the byte
// offset in Input where the problem was found. It unwraps to
// [ErrInvalidObjectName].
type ObjectNameError struct {
	Input  string // the text given to ParseObjectName
	Offset int    // byte offset in Input of the offending character
	Reason string // what is wrong, e.g. "Invalid ending comma"
}

// Error returns Cassandra's message: "<input> is not a valid JMX object name".
func (e *ObjectNameError) Error() string {
	return e.Input + " is not a valid JMX object name"
}

// Unwrap returns [ErrInvalidObjectName].
func (e *ObjectNameError) Unwrap() error { return ErrInvalidObjectName }

// ObjectName is a parsed JMX object name, domain:key=value,..., possibly a
// pattern, with the semantics of Java's javax.management.ObjectName.
//
// It is an immutable value: comparable with ==, and two ObjectNames are equal
// exactly when their canonical forms ([ObjectName.String]) are equal. It is
// safe for concurrent use. The zero value is not a valid name: its String is
// "", it is not a pattern, and it matches nothing and is matched by nothing.
type ObjectName struct {
	canonical string // domain ":" sorted key properties [",*" or "*"]
	domain    string // canonical[:len(domain)]
	props     string // the sorted key properties, without the pattern marker

	domainPattern bool // the domain holds '*' or '?'
	listPattern   bool // the key property list holds a '*' element
	valuePattern  bool // some value holds an unescaped '*' or '?'
}

// onProp is one key property while parsing.
type onProp struct {
	key, value string
	off        int // byte offset of the key in the input
}

// ParseObjectName parses s with the rules of javax.management.ObjectName:
//
//   - the domain is everything before the first ':' and may not contain a
//     newline; '*' and '?' in it make a domain pattern;
//   - the key property list is a comma-separated list of key=value pairs and
//     at most one '*' element (a property list pattern);
//   - a key is non-empty and may not contain ',', '=', ':', '*', '?' or a
//     newline; a key may not occur twice;
//   - an unquoted value may be empty and may not contain ',', '=', ':', '"' or
//     a newline; '*' and '?' in it make a property value pattern;
//   - a quoted value is "..." in which a backslash must be followed by '\',
//     '"', '*', '?' or 'n'; unescaped '*' and '?' in it are wildcards; the
//     quotes and backslashes are part of the value (no unquoting happens);
//   - a name that is not a property list pattern needs at least one key;
//   - spaces are ordinary characters, and the empty string is the pattern
//     "*:*", both as in Java.
//
// Where the JDK's parser is lax in ways that lose information, this one is
// strict (deliberately, so that a name always means what it says): a quoted
// value must be followed by ',' or the end (the JDK skips any one character
// there), a trailing ',' after a '*' element is rejected (the JDK accepts
// "d:*," and makes the unparsable canonical name "d:,*"), and s must be valid
// UTF-8.
//
// Errors: a *[ObjectNameError] wrapping [ErrInvalidObjectName].
func ParseObjectName(s string) (ObjectName, error) {
	if s == "" {
		return objNameWildcard(), nil
	}
	if !utf8.ValidString(s) {
		off := 0
		for off < len(s) {
			r, size := utf8.DecodeRuneInString(s[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return ObjectName{}, objNameErr(s, off, "Invalid UTF-8")
	}

	colon, err := onParseDomain(s)
	if err != nil {
		return ObjectName{}, err
	}
	n := ObjectName{}
	for i := 0; i < colon; i++ {
		if s[i] == '*' || s[i] == '?' {
			n.domainPattern = true
			break
		}
	}

	var props []onProp
	for i := colon + 1; i < len(s); {
		if s[i] == '*' {
			if n.listPattern {
				return ObjectName{}, objNameErr(s, i, "Cannot have several '*' characters in pattern property list")
			}
			n.listPattern = true
			i++
			if i == len(s) {
				break
			}
			if s[i] != ',' {
				return ObjectName{}, objNameErr(s, i, "Invalid character found after '*': end of name or ',' expected")
			}
			if i == len(s)-1 {
				return ObjectName{}, objNameErr(s, i, "Invalid ending comma")
			}
			i++
			continue
		}
		p, next, pattern, err := onParseProperty(s, i)
		if err != nil {
			return ObjectName{}, err
		}
		n.valuePattern = n.valuePattern || pattern
		props = append(props, p)
		i = next
	}

	slices.SortFunc(props, func(a, b onProp) int { return objNameCompareUTF16(a.key, b.key) })
	for i := 1; i < len(props); i++ {
		if props[i].key == props[i-1].key {
			return ObjectName{}, objNameErr(s, max(props[i].off, props[i-1].off),
				"key `"+props[i].key+"' already defined")
		}
	}
	return objNameBuild(s[:colon], props, n), nil
}

// onParseDomain returns the index of the colon ending the domain of s.
func onParseDomain(s string) (int, error) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			if i == len(s)-1 {
				return 0, objNameErr(s, len(s), "Key properties cannot be empty")
			}
			return i, nil
		case '\n':
			return 0, objNameErr(s, i, "Invalid character '\\n' in domain name")
		case '=':
			// Java's hint: '=' is legal in a domain, but with no ':' after
			// it the ':' was most likely forgotten.
			if strings.IndexByte(s[i+1:], ':') < 0 {
				return 0, objNameErr(s, i, "Domain part must be specified")
			}
		}
	}
	return 0, objNameErr(s, len(s), "Key properties cannot be empty")
}

// onParseProperty parses the key=value starting at s[i] and the ',' after it.
// It returns the property, the index after the separator (len(s) at the end),
// and whether the value is a pattern.
func onParseProperty(s string, i int) (onProp, int, bool, error) {
	start := i
	if s[i] == '=' {
		return onProp{}, 0, false, objNameErr(s, i, "Invalid key (empty)")
	}
	for ; i < len(s) && s[i] != '='; i++ {
		switch c := s[i]; c {
		case '*', '?', ',', ':', '\n':
			return onProp{}, 0, false, objNameErr(s, i, "Invalid character '"+objNameShowChar(c)+"' in key part of property")
		}
	}
	if i == len(s) {
		return onProp{}, 0, false, objNameErr(s, len(s), "Unterminated key property part")
	}
	key := s[start:i]
	i++ // '='
	vstart := i
	pattern := false
	if i < len(s) && s[i] == '"' {
		for i++; ; i++ {
			if i >= len(s) {
				return onProp{}, 0, false, objNameErr(s, len(s), "Unterminated quoted value")
			}
			c := s[i]
			if c == '"' {
				break
			}
			switch c {
			case '\\':
				i++
				if i == len(s) {
					return onProp{}, 0, false, objNameErr(s, len(s), "Unterminated quoted value")
				}
				switch s[i] {
				case '\\', '"', '*', '?', 'n':
				default:
					r, _ := utf8.DecodeRuneInString(s[i:])
					return onProp{}, 0, false, objNameErr(s, i-1, "Invalid escape sequence '\\"+string(r)+"' in quoted value")
				}
			case '\n':
				return onProp{}, 0, false, objNameErr(s, i, "Newline in quoted value")
			case '*', '?':
				pattern = true
			}
		}
		i++ // closing quote
		if i < len(s) && s[i] != ',' {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return onProp{}, 0, false, objNameErr(s, i, "Invalid character '"+string(r)+"' after quoted value: end of name or ',' expected")
		}
	} else {
		for ; i < len(s) && s[i] != ','; i++ {
			switch c := s[i]; c {
			case '*', '?':
				pattern = true
			case '=', ':', '"', '\n':
				return onProp{}, 0, false, objNameErr(s, i, "Invalid character '"+objNameShowChar(c)+"' in value part of property")
			}
		}
	}
	value := s[vstart:i]
	if i < len(s) { // at ','
		if i == len(s)-1 {
			return onProp{}, 0, false, objNameErr(s, i, "Invalid ending comma")
		}
		i++
	}
	return onProp{key: key, value: value, off: start}, i, pattern, nil
}

// objNameBuild assembles the canonical name from the domain and the sorted
// properties; n carries the pattern flags.
func objNameBuild(domain string, props []onProp, n ObjectName) ObjectName {
	size := len(domain) + 1 + 2
	for _, p := range props {
		size += len(p.key) + len(p.value) + 2
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(domain)
	b.WriteByte(':')
	for i, p := range props {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	propsEnd := b.Len()
	if n.listPattern {
		if len(props) > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('*')
	}
	n.canonical = b.String()
	n.domain = n.canonical[:len(domain)]
	n.props = n.canonical[len(domain)+1 : propsEnd]
	return n
}

// objNameWildcard is "*:*", which is also what Java makes of "".
func objNameWildcard() ObjectName {
	return ObjectName{canonical: "*:*", domain: "*", domainPattern: true, listPattern: true}
}

func objNameErr(s string, off int, reason string) error {
	return &ObjectNameError{Input: s, Offset: off, Reason: reason}
}

func objNameShowChar(c byte) string {
	if c == '\n' {
		return "\\n"
	}
	return string(rune(c))
}

// CanonicalObjectName returns the canonical form of the JMX object name or
// pattern s (see [ObjectName.String]), as Cassandra stores MBean resources:
// "d:type=T,name=N" becomes "d:name=N,type=T". Errors are those of
// [ParseObjectName].
func CanonicalObjectName(s string) (string, error) {
	n, err := ParseObjectName(s)
	if err != nil {
		return "", err
	}
	return n.canonical, nil
}

// String returns the canonical name, Java's getCanonicalName: the domain, ':',
// the key properties sorted by key (in Java's String order, by UTF-16 code
// units) and written as given (quoted values keep their quotes and escapes),
// then ",*" for a property list pattern with keys or "*" for one without.
// Parsing the result gives back an equal ObjectName.
func (n ObjectName) String() string { return n.canonical }

// Domain returns the domain part, which may contain the wildcards '*' and '?'.
func (n ObjectName) Domain() string { return n.domain }

// IsPattern reports whether n is a pattern: a domain pattern, a property
// list pattern or a property value pattern.
func (n ObjectName) IsPattern() bool { return n.domainPattern || n.listPattern || n.valuePattern }

// IsDomainPattern reports whether the domain contains '*' or '?'.
func (n ObjectName) IsDomainPattern() bool { return n.domainPattern }

// IsPropertyListPattern reports whether the key property list has a '*'
// element ("d:k=v,*", "d:*"): a matching name may have more keys.
func (n ObjectName) IsPropertyListPattern() bool { return n.listPattern }

// IsPropertyValuePattern reports whether some key property value contains an
// unescaped '*' or '?' ("d:k=v*", `d:k="v?"`).
func (n ObjectName) IsPropertyValuePattern() bool { return n.valuePattern }

// KeyProperty returns the value of the key property key exactly as written in
// the name (a quoted value keeps its quotes and escapes), and whether n has
// that key.
func (n ObjectName) KeyProperty(key string) (string, bool) {
	for i := 0; i < len(n.props); {
		k, v, next := objNameNextProp(n.props, i)
		if k == key {
			return v, true
		}
		i = next
	}
	return "", false
}

// Apply reports whether the pattern n matches name, as Java's
// ObjectName.apply does:
//
//   - false if name is a pattern (or either is the zero ObjectName);
//   - if n is not a pattern, whether the two are equal;
//   - otherwise the domain must match (with '*' matching any run of
//     characters and '?' exactly one, if n is a domain pattern), every key
//     property of n must be in name with an equal value, or a matching one if
//     the value has wildcards, and, unless n is a property list pattern, name
//     may have no other keys.
//
// Values are compared as written, quotes included, so `"B*"` matches `"Bling"`
// but not Bling, and a '?' stands for one UTF-16 code unit as in Java. In a
// quoted value, `\*` and `\?` are literal (the JDK's matcher ignores the
// escape when the value also has an unescaped wildcard; this one keeps it,
// as the javadoc promises). Apply does not allocate and runs in time
// O(len(pattern) * len(name)) whatever the wildcards.
func (n ObjectName) Apply(name ObjectName) bool {
	if n.canonical == "" || name.canonical == "" || name.IsPattern() {
		return false
	}
	if !n.IsPattern() {
		return n.canonical == name.canonical
	}
	if n.domainPattern {
		if !objNameWildmatch(name.domain, n.domain, false) {
			return false
		}
	} else if n.domain != name.domain {
		return false
	}
	if !n.listPattern && !n.valuePattern {
		return n.props == name.props
	}

	// Both lists are sorted by key with the same order: walk them together.
	j := 0
	for i := 0; i < len(n.props); {
		pk, pv, pnext := objNameNextProp(n.props, i)
		i = pnext
		for {
			if j >= len(name.props) {
				return false
			}
			nk, nv, nnext := objNameNextProp(name.props, j)
			j = nnext
			if nk == pk {
				if pv != nv && !(n.valuePattern && objNameWildmatch(nv, pv, len(pv) > 0 && pv[0] == '"')) {
					return false
				}
				break
			}
			// name has a key the pattern does not list, or lacks pk.
			if !n.listPattern || objNameCompareUTF16(nk, pk) > 0 {
				return false
			}
		}
	}
	return n.listPattern || j >= len(name.props)
}

// objNameNextProp returns the key and value of the canonical property at
// props[i] and the index of the next one. props must come from the parser.
func objNameNextProp(props string, i int) (key, value string, next int) {
	eq := i + strings.IndexByte(props[i:], '=')
	key = props[i:eq]
	j := eq + 1
	if j < len(props) && props[j] == '"' {
		for j++; j < len(props) && props[j] != '"'; j++ {
			if props[j] == '\\' {
				j++
			}
		}
		j++ // closing quote
	} else if c := strings.IndexByte(props[j:], ','); c >= 0 {
		j += c
	} else {
		j = len(props)
	}
	value = props[eq+1 : min(j, len(props))]
	if j < len(props) {
		j++ // ','
	}
	return key, value, j
}

// Positions in the UTF-16 view of a UTF-8 string are byteOffset<<1 | half,
// where half is 1 between the two code units of a supplementary character.

// objNameUnitAt returns the UTF-16 code unit at position pos of s and the
// position after it. pos must be below len(s)<<1.
func objNameUnitAt(s string, pos int) (uint16, int) {
	i := pos >> 1
	if c := s[i]; c < utf8.RuneSelf {
		return uint16(c), (i + 1) << 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r < 0x10000 {
		return uint16(r), (i + size) << 1
	}
	hi, lo := utf16.EncodeRune(r)
	if pos&1 == 0 {
		return uint16(hi), pos | 1
	}
	return uint16(lo), (i + size) << 1
}

// objNameCompareUTF16 compares a and b as Java's String.compareTo does, by
// UTF-16 code units; it differs from byte order only for supplementary
// characters against U+E000..U+FFFF.
func objNameCompareUTF16(a, b string) int {
	k := 0
	for k < len(a) && k < len(b) && a[k] == b[k] {
		k++
	}
	if k == len(a) || k == len(b) {
		return cmp.Compare(len(a), len(b))
	}
	if a[k] < utf8.RuneSelf && b[k] < utf8.RuneSelf {
		return cmp.Compare(a[k], b[k])
	}
	// The strings differ inside a multi-byte character: compare code units
	// from its first byte, which is at the same offset in both.
	for k > 0 && !utf8.RuneStart(a[k]) {
		k--
	}
	i, j := k<<1, k<<1
	for i < len(a)<<1 && j < len(b)<<1 {
		ua, ni := objNameUnitAt(a, i)
		ub, nj := objNameUnitAt(b, j)
		if ua != ub {
			if ua < ub {
				return -1
			}
			return 1
		}
		i, j = ni, nj
	}
	switch {
	case i < len(a)<<1:
		return 1
	case j < len(b)<<1:
		return -1
	}
	return 0
}

// objNameWildmatch reports whether str matches the shell-style pattern pat, in
// which '*' matches any run of UTF-16 code units and '?' exactly one. With
// escapes (a quoted value), a backslash and the character after it are a
// two-unit literal. The matcher keeps only the last star to backtrack to,
// which is enough because every other token has a fixed width: time is
// O(len(str) * len(pat)), memory constant.
func objNameWildmatch(str, pat string, escapes bool) bool {
	strEnd, patEnd := len(str)<<1, len(pat)<<1
	si, pi := 0, 0
	starSi, starPi := -1, -1
	for {
		if pi < patEnd {
			pc, pn := objNameUnitAt(pat, pi)
			switch {
			case pc == '*':
				if pn == patEnd {
					return true // a trailing star swallows the rest
				}
				pi, starPi, starSi = pn, pn, si
				continue
			case pc == '?':
				if si < strEnd {
					_, si = objNameUnitAt(str, si)
					pi = pn
					continue
				}
			case pc == '\\' && escapes && pn < patEnd:
				ec, en := objNameUnitAt(pat, pn)
				if si < strEnd {
					if sc, sn := objNameUnitAt(str, si); sc == '\\' && sn < strEnd {
						if sc2, sn2 := objNameUnitAt(str, sn); sc2 == ec {
							si, pi = sn2, en
							continue
						}
					}
				}
			default:
				if si < strEnd {
					if sc, sn := objNameUnitAt(str, si); sc == pc {
						si, pi = sn, pn
						continue
					}
				}
			}
		} else if si == strEnd {
			return true
		}
		// Mismatch: let the last star swallow one more unit and retry.
		if starPi < 0 || starSi == strEnd {
			return false
		}
		_, starSi = objNameUnitAt(str, starSi)
		si, pi = starSi, starPi
	}
}
