package resource

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// FuzzObjectName parses two strings and checks, for each that parses, that
// the canonical form parses back to an equal name and that the accessors agree
// with it; then, when both parse, that Apply agrees with an independent
// reference model. Any panic fails too. Seeds: testdata/fuzz/FuzzObjectName.
func FuzzObjectName(f *testing.F) {
	f.Fuzz(func(t *testing.T, pattern, name string) {
		p, perr := ParseObjectName(pattern)
		objNameCheckParsed(t, pattern, p, perr)
		n, nerr := ParseObjectName(name)
		objNameCheckParsed(t, name, n, nerr)
		if perr != nil || nerr != nil {
			return
		}
		got := p.Apply(n)
		require.Equal(t, objNameRefApply(p, n), got, "%q.Apply(%q)", p, n)
		if !p.IsPattern() && !n.IsPattern() {
			require.Equal(t, p == n, got, "non-patterns match exactly when equal")
		}
	})
}

// objNameCheckParsed checks the invariants of one ParseObjectName result.
func objNameCheckParsed(t *testing.T, in string, n ObjectName, err error) {
	t.Helper()
	if err != nil {
		require.ErrorIs(t, err, ErrInvalidObjectName)
		var oe *ObjectNameError
		require.ErrorAs(t, err, &oe)
		require.Equal(t, in, oe.Input)
		require.NotEmpty(t, oe.Reason)
		require.True(t, oe.Offset >= 0 && oe.Offset <= len(in), "offset %d out of range", oe.Offset)
		require.Equal(t, ObjectName{}, n)
		return
	}
	require.True(t, utf8.ValidString(in))
	c := n.String()
	again, err := ParseObjectName(c)
	require.NoError(t, err, "canonical form %q does not parse", c)
	require.Equal(t, n, again, "canonical form %q parses to a different name", c)
	require.Equal(t, c, again.String())
	canon, err := CanonicalObjectName(in)
	require.NoError(t, err)
	require.Equal(t, c, canon)

	require.True(t, strings.HasPrefix(c, n.Domain()+":"))
	require.NotContains(t, n.Domain(), ":")
	require.Equal(t, strings.ContainsAny(n.Domain(), "*?"), n.IsDomainPattern())
	require.Equal(t, n.IsDomainPattern() || n.IsPropertyListPattern() || n.IsPropertyValuePattern(), n.IsPattern())
	require.Equal(t, n.IsPropertyListPattern(), strings.HasSuffix(c, ":*") || strings.HasSuffix(c, ",*"))

	props, keys, ok := objNameRefProps(n)
	require.True(t, ok, "canonical key property list of %q does not split cleanly", c)
	require.True(t, slices.IsSortedFunc(keys, objNameRefCompareJava), "keys of %q not in Java order", c)
	if !n.IsPropertyListPattern() {
		require.NotEmpty(t, props, "a name that is not a list pattern needs a key")
	}
	for k, v := range props {
		got, ok := n.KeyProperty(k)
		require.True(t, ok, "key %q", k)
		require.Equal(t, v, got, "key %q", k)
	}
	require.Equal(t, !n.IsPattern(), n.Apply(n), "a name matches itself, a pattern nothing that is a pattern")
}

// --- rapid properties -------------------------------------------------------

// objNameSpec is a generated object name: rendered in any order it must parse
// to the same value.
type objNameSpec struct {
	domain string
	keys   []string
	values []string
	star   int // index in the rendered list of the '*' element; -1 for none
}

func (s objNameSpec) render(order []int) string {
	elems := make([]string, 0, len(order)+1)
	for _, i := range order {
		elems = append(elems, s.keys[i]+"="+s.values[i])
	}
	if s.star >= 0 {
		at := min(s.star, len(elems))
		elems = append(elems[:at], append([]string{"*"}, elems[at:]...)...)
	}
	return s.domain + ":" + strings.Join(elems, ",")
}

func (s objNameSpec) inOrder() []int {
	order := make([]int, len(s.keys))
	for i := range order {
		order[i] = i
	}
	return order
}

// Characters for generated names: ASCII, a BMP letter, a character from the
// private use area (above the surrogates) and a supplementary one, so that key
// order exercises UTF-16 versus byte order.
var objNameChars = []rune{'a', 'b', 'z', 'A', '.', '_', ' ', '-', 'é', '\uE000', '\U0001F600'}

func objNamePlain(t *rapid.T, label string, minLen, maxLen int) string {
	return string(rapid.SliceOfN(rapid.SampledFrom(objNameChars), minLen, maxLen).Draw(t, label))
}

// objNameGenValue draws a value; with wildcards it may hold unescaped '*'/'?'.
// It returns the value and, for wildcards, a concrete value matching it.
func objNameGenValue(t *rapid.T, label string, wildcards bool) (pattern, instance string) {
	quoted := rapid.Bool().Draw(t, label+"-quoted")
	n := rapid.IntRange(0, 5).Draw(t, label+"-len")
	var p, inst strings.Builder
	if quoted {
		p.WriteByte('"')
		inst.WriteByte('"')
	}
	for i := range n {
		kinds := []string{"plain"}
		if quoted {
			kinds = append(kinds, "escape", "special")
		}
		if wildcards {
			kinds = append(kinds, "star", "question")
		}
		switch rapid.SampledFrom(kinds).Draw(t, fmt.Sprintf("%s-kind%d", label, i)) {
		case "plain":
			s := objNamePlain(t, label+"-plain", 1, 2)
			p.WriteString(s)
			inst.WriteString(s)
		case "escape":
			s := rapid.SampledFrom([]string{`\\`, `\"`, `\*`, `\?`, `\n`}).Draw(t, label+"-escape")
			p.WriteString(s)
			inst.WriteString(s)
		case "special": // characters only a quoted value may hold
			s := rapid.SampledFrom([]string{",", "=", ":"}).Draw(t, label+"-special")
			p.WriteString(s)
			inst.WriteString(s)
		case "star":
			p.WriteByte('*')
			inst.WriteString(objNamePlain(t, label+"-star", 0, 3))
		case "question":
			p.WriteByte('?')
			inst.WriteRune(rapid.SampledFrom([]rune{'x', 'é', '\uE000'}).Draw(t, label+"-one")) // one UTF-16 unit
		}
	}
	if quoted {
		p.WriteByte('"')
		inst.WriteByte('"')
	}
	return p.String(), inst.String()
}

// objNameGen draws a spec; with patterns it may be any kind of pattern, and
// concrete is then a non-pattern name (same key order) that it matches.
func objNameGen(t *rapid.T, patterns bool) (spec objNameSpec, concrete objNameSpec) {
	domain := []rune(objNamePlain(t, "domain", 0, 4))
	spec.domain, concrete.domain = string(domain), string(domain)
	if patterns && rapid.Bool().Draw(t, "domain-pattern") {
		at := rapid.IntRange(0, len(domain)).Draw(t, "domain-wild-at")
		before, after := string(domain[:at]), string(domain[at:])
		if rapid.Bool().Draw(t, "domain-star") {
			fill := objNamePlain(t, "domain-fill", 0, 3)
			spec.domain, concrete.domain = before+"*"+after, before+fill+after
		} else {
			spec.domain, concrete.domain = before+"?"+after, before+"x"+after
		}
	}
	keys := rapid.SliceOfNDistinct(rapid.Custom(func(t *rapid.T) string {
		return objNamePlain(t, "key", 1, 3) + rapid.SampledFrom([]string{"", `"`}).Draw(t, "key-quote")
	}), 0, 5, rapid.ID[string]).Draw(t, "keys")
	spec.star, concrete.star = -1, -1
	if len(keys) == 0 || (patterns && rapid.Bool().Draw(t, "list-pattern")) {
		spec.star = rapid.IntRange(0, len(keys)).Draw(t, "star-at")
	}
	for i, k := range keys {
		v, inst := objNameGenValue(t, fmt.Sprintf("value%d", i), patterns)
		spec.keys, spec.values = append(spec.keys, k), append(spec.values, v)
		concrete.keys, concrete.values = append(concrete.keys, k), append(concrete.values, inst)
	}
	if len(keys) == 0 { // a concrete name needs a key
		concrete.keys, concrete.values = []string{"k"}, []string{"v"}
	}
	return spec, concrete
}

func TestObjectNameRapidCanonicalIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec, _ := objNameGen(t, true)
		n, err := ParseObjectName(spec.render(spec.inOrder()))
		require.NoError(t, err)
		again, err := ParseObjectName(n.String())
		require.NoError(t, err)
		require.Equal(t, n.String(), again.String())
		require.Equal(t, n, again)

		// Any order of the key properties gives the same name.
		order := rapid.Permutation(spec.inOrder()).Draw(t, "order")
		shuffled, err := ParseObjectName(spec.render(order))
		require.NoError(t, err)
		require.Equal(t, n, shuffled)
		for i, k := range spec.keys {
			v, ok := n.KeyProperty(k)
			require.True(t, ok)
			require.Equal(t, spec.values[i], v)
		}
	})
}

func TestObjectNameRapidSelfMatch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		_, c := objNameGen(t, false)
		n, err := ParseObjectName(c.render(rapid.Permutation(c.inOrder()).Draw(t, "order")))
		require.NoError(t, err)
		require.False(t, n.IsPattern())
		asPattern, err := ParseObjectName(n.String())
		require.NoError(t, err)
		require.True(t, asPattern.Apply(n))
		require.True(t, n.Apply(asPattern))
	})
}

func TestObjectNameRapidListPatternSuperset(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		_, c := objNameGen(t, false)
		base, err := ParseObjectName(c.render(c.inOrder()))
		require.NoError(t, err)
		p, err := ParseObjectName(base.String() + ",*")
		require.NoError(t, err)

		extra := rapid.SliceOfNDistinct(rapid.Custom(func(t *rapid.T) string {
			return objNamePlain(t, "extra-key", 1, 3) + "_x"
		}), 0, 3, rapid.ID[string]).Draw(t, "extra")
		super := c
		super.keys = append(append([]string(nil), c.keys...), extra...)
		super.values = append([]string(nil), c.values...)
		for i := range extra {
			v, _ := objNameGenValue(t, fmt.Sprintf("extra%d", i), false)
			super.values = append(super.values, v)
		}
		n, err := ParseObjectName(super.render(rapid.Permutation(super.inOrder()).Draw(t, "order")))
		require.NoError(t, err)
		require.True(t, p.Apply(n), "%s should match %s", p, n)
		require.Equal(t, len(extra) == 0, base.Apply(n), "without ',*' only the same key set matches")

		// Dropping one of the pattern's keys from the name breaks the match.
		if len(c.keys) > 1 {
			drop := rapid.IntRange(0, len(c.keys)-1).Draw(t, "drop")
			fewer := super
			fewer.keys = append(append([]string(nil), super.keys[:drop]...), super.keys[drop+1:]...)
			fewer.values = append(append([]string(nil), super.values[:drop]...), super.values[drop+1:]...)
			m, err := ParseObjectName(fewer.render(fewer.inOrder()))
			require.NoError(t, err)
			require.False(t, p.Apply(m))
		}
	})
}

func TestObjectNameRapidPatternMatchesInstances(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec, c := objNameGen(t, true)
		p, err := ParseObjectName(spec.render(spec.inOrder()))
		require.NoError(t, err)
		n, err := ParseObjectName(c.render(rapid.Permutation(c.inOrder()).Draw(t, "order")))
		require.NoError(t, err)
		require.False(t, n.IsPattern())
		require.True(t, p.Apply(n), "%s should match %s", p, n)
		require.Equal(t, objNameRefApply(p, n), p.Apply(n))
	})
}

// Apply agrees with the reference model on pattern/name pairs drawn from a
// small alphabet, the pattern often derived from the name (so that domains and
// keys line up), where matches and near misses are both common.
func TestObjectNameRapidApplyModel(t *testing.T) {
	chars := []string{"a", "b", "\U0001F600"}
	tiny := func(t *rapid.T, label string, wild bool) string {
		from := chars
		if wild {
			from = append(slices.Clone(chars), "*", "?")
		}
		return strings.Join(rapid.SliceOfN(rapid.SampledFrom(from), 0, 4).Draw(t, label), "")
	}
	// blur replaces some characters of a concrete string with wildcards.
	blur := func(t *rapid.T, label, s string) string {
		var b strings.Builder
		for i, r := range s {
			switch rapid.IntRange(0, 5).Draw(t, fmt.Sprintf("%s%d", label, i)) {
			case 0:
				b.WriteString("*")
			case 1:
				b.WriteString(strings.Repeat("?", utf16.RuneLen(r)))
			case 2:
				b.WriteString("*" + string(r))
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	quote := func(t *rapid.T, label, v string) string {
		if rapid.Bool().Draw(t, label) {
			return `"` + v + `"`
		}
		return v
	}
	keys := []string{"k", "l", "m"}
	var matched, missed int
	rapid.Check(t, func(t *rapid.T) {
		nDomain := tiny(t, "name-domain", false)
		nKeys := rapid.SliceOfNDistinct(rapid.SampledFrom(keys), 1, 3, rapid.ID[string]).Draw(t, "name-keys")
		nValues := map[string]string{} // unquoted
		var nElems []string
		for _, k := range nKeys {
			nValues[k] = tiny(t, "name-value-"+k, false)
			nElems = append(nElems, k+"="+quote(t, "name-quote-"+k, nValues[k]))
		}

		pDomain := tiny(t, "pattern-domain", true)
		if rapid.IntRange(0, 3).Draw(t, "derive-domain") > 0 {
			pDomain = blur(t, "blur-domain", nDomain)
		}
		var pElems []string
		pKeys := rapid.SliceOfNDistinct(rapid.SampledFrom(keys), 0, 3, rapid.ID[string]).Draw(t, "pattern-keys")
		if rapid.Bool().Draw(t, "subset") { // a subset of the name's keys
			pKeys = rapid.SliceOfNDistinct(rapid.SampledFrom(nKeys), 0, len(nKeys), rapid.ID[string]).Draw(t, "pattern-subset")
		}
		for _, k := range pKeys {
			v := tiny(t, "pattern-value-"+k, true)
			if nv, ok := nValues[k]; ok && rapid.IntRange(0, 3).Draw(t, "derive-"+k) > 0 {
				v = blur(t, "blur-"+k, nv)
			}
			pElems = append(pElems, k+"="+quote(t, "pattern-quote-"+k, v))
		}
		if len(pElems) == 0 || rapid.Bool().Draw(t, "pattern-star") {
			pElems = append(pElems, "*")
		}

		p, err := ParseObjectName(pDomain + ":" + strings.Join(pElems, ","))
		require.NoError(t, err)
		n, err := ParseObjectName(nDomain + ":" + strings.Join(nElems, ","))
		require.NoError(t, err)
		got := p.Apply(n)
		require.Equal(t, objNameRefApply(p, n), got, "%s on %s", p, n)
		if got {
			matched++
		} else {
			missed++
		}
	})
	assert.Positive(t, matched, "no pair matched: the generator is too weak")
	assert.Positive(t, missed, "every pair matched: the generator is too weak")
	t.Logf("%d matched, %d did not", matched, missed)
}

func TestObjectNameRapidWildmatchModel(t *testing.T) {
	units := []string{"a", "b", `\`, `"`, "*", "?", "\U0001F600", "é"}
	rapid.Check(t, func(t *rapid.T) {
		str := strings.Join(rapid.SliceOfN(rapid.SampledFrom(units[:4]), 0, 8).Draw(t, "str"), "")
		str += strings.Join(rapid.SliceOfN(rapid.SampledFrom(units), 0, 3).Draw(t, "str-tail"), "")
		pat := strings.Join(rapid.SliceOfN(rapid.SampledFrom(units), 0, 8).Draw(t, "pat"), "")
		require.Equal(t, objNameRefWildmatch(str, pat, false), objNameWildmatch(str, pat, false), "%q ~ %q", str, pat)
		require.Equal(t, objNameRefWildmatch(str, pat, true), objNameWildmatch(str, pat, true), "escapes: %q ~ %q", str, pat)
	})
}

// --- reference model ---------------------------------------------------------

// objNamePropRE splits a canonical key property list: keys hold no ',' or '=',
// quoted values are "..." with backslash pairs, unquoted ones hold no ','.
var objNamePropRE = regexp.MustCompile(`([^,=]+)=("(?:[^"\\]|\\.)*"|[^,]*)`)

// objNameRefProps returns n's key properties and keys in canonical order,
// split from its canonical form with a regular expression (independently of
// the parser's own walker); ok reports whether the pieces rebuild the whole
// list without duplicate keys.
func objNameRefProps(n ObjectName) (props map[string]string, keys []string, ok bool) {
	list := strings.TrimPrefix(n.String(), n.Domain()+":")
	if n.IsPropertyListPattern() {
		list = strings.TrimSuffix(strings.TrimSuffix(list, "*"), ",")
	}
	props = map[string]string{}
	var rebuilt []string
	for _, m := range objNamePropRE.FindAllStringSubmatch(list, -1) {
		props[m[1]] = m[2]
		keys = append(keys, m[1])
		rebuilt = append(rebuilt, m[0])
	}
	return props, keys, list == strings.Join(rebuilt, ",") && len(props) == len(keys)
}

// objNameRefCompareJava compares by UTF-16 code units, the slow obvious way.
func objNameRefCompareJava(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

// objNameRefApply is the reference model of ObjectName.Apply: the rules of
// Java's apply over maps of key properties, with objNameRefWildmatch.
func objNameRefApply(p, n ObjectName) bool {
	if p.String() == "" || n.String() == "" || n.IsPattern() {
		return false
	}
	if !p.IsPattern() {
		return p.String() == n.String()
	}
	if p.IsDomainPattern() {
		if !objNameRefWildmatch(n.Domain(), p.Domain(), false) {
			return false
		}
	} else if p.Domain() != n.Domain() {
		return false
	}
	pp, _, _ := objNameRefProps(p)
	np, _, _ := objNameRefProps(n)
	if !p.IsPropertyListPattern() && len(pp) != len(np) {
		return false
	}
	for k, pv := range pp {
		nv, ok := np[k]
		if !ok {
			return false
		}
		if pv != nv && !(p.IsPropertyValuePattern() && objNameRefWildmatch(nv, pv, strings.HasPrefix(pv, `"`))) {
			return false
		}
	}
	return true
}

// objNameRefWildmatch matches str against pat over UTF-16 code units by
// dynamic programming: '*' any run, '?' one unit, and with escapes a
// backslash plus the next unit as a two-unit literal.
func objNameRefWildmatch(str, pat string, escapes bool) bool {
	s, p := utf16.Encode([]rune(str)), utf16.Encode([]rune(pat))
	type token struct {
		kind byte // '*', '?' or 'l' (literal)
		lit  []uint16
	}
	var toks []token
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '*' || p[i] == '?':
			toks = append(toks, token{kind: byte(p[i])})
		case escapes && p[i] == '\\' && i+1 < len(p):
			toks = append(toks, token{kind: 'l', lit: p[i : i+2]})
			i++
		default:
			toks = append(toks, token{kind: 'l', lit: p[i : i+1]})
		}
	}
	// m[i][j]: toks[i:] matches s[j:].
	m := make([][]bool, len(toks)+1)
	for i := range m {
		m[i] = make([]bool, len(s)+1)
	}
	m[len(toks)][len(s)] = true
	for i := len(toks) - 1; i >= 0; i-- {
		for j := len(s); j >= 0; j-- {
			switch tk := toks[i]; tk.kind {
			case '*':
				m[i][j] = m[i+1][j] || (j < len(s) && m[i][j+1])
			case '?':
				m[i][j] = j < len(s) && m[i+1][j+1]
			default:
				end := j + len(tk.lit)
				m[i][j] = end <= len(s) && slices.Equal(s[j:end], tk.lit) && m[i+1][end]
			}
		}
	}
	return m[0][0]
}

func TestObjectNameRefWildmatch(t *testing.T) {
	// The model itself, on cases whose answers are obvious.
	for _, tt := range []struct {
		str, pat string
		escapes  bool
		want     bool
	}{
		{"", "", false, true},
		{"", "*", false, true},
		{"", "?", false, false},
		{"abc", "a*c", false, true},
		{"abc", "a?c", false, true},
		{"ac", "a?c", false, false},
		{"abcbd", "*b*d", false, true},
		{"abcbe", "*b*d", false, false},
		{"\U0001F600", "?", false, false},
		{"\U0001F600", "??", false, true},
		{`\*`, `\*`, true, true},
		{`\x`, `\*`, true, false},
		{`\x`, `\*`, false, true},
	} {
		assert.Equal(t, tt.want, objNameRefWildmatch(tt.str, tt.pat, tt.escapes), "%q ~ %q (escapes %v)", tt.str, tt.pat, tt.escapes)
		assert.Equal(t, tt.want, objNameWildmatch(tt.str, tt.pat, tt.escapes), "%q ~ %q (escapes %v)", tt.str, tt.pat, tt.escapes)
	}
}
