package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/cassauth/cassauth/roles"
	"github.com/cassauth/cassauth/store/dump"
)

// Import formats of POST /v1/import (the format query parameter).
const (
	FormatDump      = "dump"      // the JSON dump of package store/dump
	FormatCassandra = "cassandra" // cqlsh COPY TO CSV files, as multipart/form-data
)

// CSVFileNames are the form-field names of a format=cassandra import, one
// per system_auth table, as ImportCassandraDir names the files.
var CSVFileNames = []string{"roles.csv", "role_members.csv", "role_permissions.csv",
	"network_permissions.csv", "cidr_permissions.csv", "cidr_groups.csv", "identity_to_role.csv"}

// requireSuperuser refuses callers without superuser status: a dump holds
// every password hash, and an import may create superusers.
func (s *Server) requireSuperuser(r *http.Request, c *caller, what string) *Error {
	if c.user.IsAnonymous() {
		return &Error{Status: http.StatusForbidden, Code: roles.CodeUnauthorized, Msg: "Only superusers may " + what}
	}
	if err := s.cfg.Auth.ValidateLogin(r.Context(), c.user, s.cfg.Datacenter, c.remote); err != nil {
		return toError(err)
	}
	super, err := roles.HasSuperuserStatus(r.Context(), s.cfg.Env.Roles, c.user.Name())
	if err != nil {
		return toError(err)
	}
	if !super {
		return &Error{Status: http.StatusForbidden, Code: roles.CodeUnauthorized, Msg: "Only superusers may " + what}
	}
	return nil
}

// handleExport is GET /v1/export: the store as a JSON dump (superusers
// only). The dump is built in memory first so that a failure is an error
// response, not a truncated file, and the response has a Content-Length.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, c *caller) *Error {
	if err := s.requireSuperuser(r, c, "export the store"); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := dump.Export(r.Context(), s.cfg.Store, &buf); err != nil {
		return toError(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("Content-Disposition", `attachment; filename="cassauth-dump.json"`)
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w)
	return nil
}

// handleImport is POST /v1/import?format=dump|cassandra&merge=true|false
// (superusers only). The importers validate everything before writing, so
// bad input changes nothing.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request, c *caller) *Error {
	if err := s.requireSuperuser(r, c, "import into the store"); err != nil {
		return err
	}
	q := r.URL.Query()
	for k := range q {
		if k != "format" && k != "merge" {
			return invalid("Unknown query parameter %q: import takes format and merge", truncate(k, 64))
		}
	}
	opts := dump.ImportOptions{Name: "request body"}
	if m := q.Get("merge"); m != "" {
		b, err := strconv.ParseBool(m)
		if err != nil {
			return invalid("merge must be true or false, not %q", truncate(m, 64))
		}
		opts.Merge = b
	}
	if r.ContentLength > s.cfg.MaxImportBytes {
		return tooLarge(s.cfg.MaxImportBytes)
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxImportBytes)
	var (
		sum dump.Summary
		err error
	)
	switch f := q.Get("format"); f {
	case "", FormatDump:
		if e := checkJSONContentType(r.Header.Get("Content-Type")); e != nil {
			return e
		}
		var data []byte
		if data, err = io.ReadAll(body); err != nil {
			return readError(err, s.cfg.MaxImportBytes)
		}
		sum, err = dump.Import(r.Context(), s.cfg.Store, bytes.NewReader(data), opts)
	case FormatCassandra:
		files, e := readCSVParts(r, body, s.cfg.MaxImportBytes)
		if e != nil {
			return e
		}
		sum, err = dump.ImportCassandraCSV(r.Context(), s.cfg.Store, files, opts)
	default:
		return invalid("Unknown import format %q: use %s or %s", truncate(f, 64), FormatDump, FormatCassandra)
	}
	if err != nil {
		return toError(err)
	}
	s.log.Info("import", "role", c.user.Name(), "rows", sum.Rows(), "merge", opts.Merge)
	writeJSON(w, http.StatusOK, SummaryOf(sum))
	return nil
}

// SummaryOf converts an import summary to its JSON form.
func SummaryOf(s dump.Summary) ImportSummary {
	out := ImportSummary{Roles: s.Roles, Memberships: s.Memberships, Grants: s.Grants, Network: s.Network,
		CIDRPermissions: s.CIDRPermissions, CIDRGroups: s.CIDRGroups, Identities: s.Identities, SchemaObjects: s.SchemaObjects}
	for _, w := range s.Warnings {
		out.Warnings = append(out.Warnings, w.String())
	}
	return out
}

// readError maps a body read failure to 413 or 400.
func readError(err error, max int64) *Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(max)
	}
	return protocolError(http.StatusBadRequest, "Could not read the request body: %v", err)
}

// readCSVParts reads a multipart/form-data body whose parts are the CSV
// files of a Cassandra export, named by form field (CSVFileNames).
func readCSVParts(r *http.Request, body io.Reader, max int64) (dump.CSVFiles, *Error) {
	var files dump.CSVFiles
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return files, protocolError(http.StatusUnsupportedMediaType, "Content-Type must be multipart/form-data for format=%s", FormatCassandra)
	}
	slots := map[string]*io.Reader{
		"roles.csv": &files.Roles, "role_members.csv": &files.RoleMembers, "role_permissions.csv": &files.RolePermissions,
		"network_permissions.csv": &files.NetworkPermissions, "cidr_permissions.csv": &files.CIDRPermissions,
		"cidr_groups.csv": &files.CIDRGroups, "identity_to_role.csv": &files.IdentityToRole,
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return files, readErrorOrMalformed(err, max)
		}
		name := p.FormName()
		slot, ok := slots[name]
		if !ok {
			return files, invalid("Unknown part %q: the parts are named after the system_auth tables (roles.csv, role_permissions.csv, ...)", truncate(name, 64))
		}
		if *slot != nil {
			return files, invalid("Part %q given twice", name)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return files, readErrorOrMalformed(err, max)
		}
		*slot = bytes.NewReader(data)
	}
	if files.Roles == nil {
		return files, invalid("The part roles.csv is required")
	}
	return files, nil
}

func readErrorOrMalformed(err error, max int64) *Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(max)
	}
	return protocolError(http.StatusBadRequest, "Malformed multipart body: %v", err)
}
