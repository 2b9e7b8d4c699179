package dcl

import (
	"strings"

	"github.com/cassauth/cassauth/resource"
)

// redacted replaces passwords in rendered statements, as Cassandra's
// PasswordObfuscator does in its logs.
const redacted = "*******"

// plainName reports whether s can be written as a bare identifier that
// lexes back to s unchanged: lower case, starting with a letter, and not a
// keyword (reserved or not) nor a boolean.
func plainName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || isDigit(c) || c == '_') {
			return false
		}
	}
	if s == "true" || s == "false" {
		return false
	}
	_, kw := keywords[strings.ToUpper(s)]
	return !kw
}

// quoteString writes s as a CQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteIdent writes a keyspace, table, function or argument name so that it
// parses back to s: bare when possible, else double-quoted.
func quoteIdent(s string) string {
	if plainName(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteRole writes a role name for a ROLE statement: bare when possible,
// else as a string literal (which keeps case).
func quoteRole(s string) string {
	if plainName(s) {
		return s
	}
	return quoteString(s)
}

// quoteVerbatim writes a user name or identity, which the grammar takes
// verbatim from an identifier or a string literal.
func quoteVerbatim(s string) string {
	if s == "" || !isLetter(s[0]) {
		return quoteString(s)
	}
	for i := 1; i < len(s); i++ {
		if !(isLetter(s[i]) || isDigit(s[i]) || s[i] == '_') {
			return quoteString(s)
		}
	}
	if low := strings.ToLower(s); low == "true" || low == "false" {
		return quoteString(s)
	}
	if _, kw := keywords[strings.ToUpper(s)]; kw {
		return quoteString(s)
	}
	return s
}

// permissionList writes a permission list, or ALL PERMISSIONS.
func permissionList(all bool, ps resource.PermissionSet) string {
	if all {
		return "ALL PERMISSIONS"
	}
	return strings.Join(ps.Names(), ", ")
}

// qualified writes [ks.]name.
func qualified(ks, name string) string {
	if ks == "" {
		return quoteIdent(name)
	}
	return quoteIdent(ks) + "." + quoteIdent(name)
}
