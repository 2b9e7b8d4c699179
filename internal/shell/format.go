package shell

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/roles"
)

// FormatCell formats a cell as cqlsh does: text as is, booleans as True and
// False (Python's spelling), maps as {'k': 'v'}.
func FormatCell(v any) string {
	if b, ok := v.(bool); ok {
		if b {
			return "True"
		}
		return "False"
	}
	return dcl.FormatValue(v)
}

// PrintResult writes res as cqlsh prints a result: for rows, a blank line,
// the header (names left-aligned), a rule of dashes joined by -+-, each row
// with its cells right-aligned, a blank line and "(N rows)"; then the
// client warnings under "Warnings :". Other results print nothing but
// their warnings.
func PrintResult(w io.Writer, res dcl.Result) error {
	var b strings.Builder
	if res.Kind == dcl.ResultRows {
		widths := make([]int, len(res.Columns))
		cells := make([][]string, len(res.Rows))
		for i, c := range res.Columns {
			widths[i] = utf8.RuneCountInString(c.Name)
		}
		for r, row := range res.Rows {
			cells[r] = make([]string, len(res.Columns))
			for i := range res.Columns {
				var v any
				if i < len(row) {
					v = row[i]
				}
				s := FormatCell(v)
				cells[r][i] = s
				widths[i] = max(widths[i], utf8.RuneCountInString(s))
			}
		}
		b.WriteString("\n")
		header := make([]string, len(res.Columns))
		rule := make([]string, len(res.Columns))
		for i, c := range res.Columns {
			header[i] = pad(c.Name, widths[i], false)
			rule[i] = strings.Repeat("-", widths[i])
		}
		b.WriteString(" " + strings.TrimRight(strings.Join(header, " | "), " ") + "\n")
		b.WriteString("-" + strings.Join(rule, "-+-") + "-\n")
		for _, row := range cells {
			line := make([]string, len(row))
			for i, s := range row {
				line[i] = pad(s, widths[i], true)
			}
			b.WriteString(" " + strings.Join(line, " | ") + "\n")
		}
		fmt.Fprintf(&b, "\n(%d rows)\n", len(res.Rows))
	}
	if len(res.Warnings) > 0 {
		b.WriteString("\nWarnings :\n")
		for _, wr := range res.Warnings {
			b.WriteString(wr + "\n\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pad pads s with spaces to width runes, on the left when right is set.
func pad(s string, width int, right bool) string {
	n := width - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

// errorClass is how the Python driver names an error code, and its summary.
var errorClass = map[roles.Code][2]string{
	roles.CodeServerError:     {"ServerError", "Server error"},
	httpapi.CodeProtocolError: {"ProtocolException", "Protocol error"},
	roles.CodeBadCredentials:  {"AuthenticationFailed", "Bad credentials"},
	roles.CodeSyntaxError:     {"SyntaxException", "Syntax error in CQL query"},
	roles.CodeUnauthorized:    {"Unauthorized", "Unauthorized"},
	roles.CodeInvalid:         {"InvalidRequest", "Invalid query"},
	roles.CodeConfigError:     {"ConfigurationException", "Query invalid because of configuration issue"},
	dcl.CodeAlreadyExists:     {"AlreadyExists", "Already exists"},
}

// FormatError formats err as cqlsh prints a failed statement:
//
//	InvalidRequest: Error from server: code=2200 [Invalid query] message="ghost doesn't exist"
//
// An error without a native-protocol code (the server could not be reached,
// say) is "ConnectionError: <message>".
func FormatError(err error) string {
	var re *roles.Error
	if !errors.As(err, &re) {
		return "ConnectionError: " + err.Error()
	}
	cls, ok := errorClass[re.Code]
	if !ok {
		cls = [2]string{"ServerError", re.Code.String()}
	}
	return fmt.Sprintf(`%s: Error from server: code=%04x [%s] message="%s"`, cls[0], int32(re.Code), cls[1], re.Msg)
}
