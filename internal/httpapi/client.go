package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cassauth/cassauth/dcl"
	"github.com/cassauth/cassauth/roles"
)

// Client calls a cassauth server's HTTP API. Set Token, or Username and
// Password (sent as HTTP Basic on every call until Login exchanges them for
// a token). A Client is safe for concurrent use once configured, except
// that Login and Execute (which follows USE) update it.
type Client struct {
	// BaseURL is the server's URL, e.g. "http://127.0.0.1:8181".
	BaseURL string
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client

	Username string
	Password string
	Token    string
	// Keyspace is the session keyspace sent with each statement, updated
	// by the server's answer (USE).
	Keyspace string
}

// String describes c with its secrets redacted.
func (c *Client) String() string {
	return fmt.Sprintf("httpapi.Client{BaseURL: %q, Username: %q, Password: <redacted>, Token: <redacted>}", c.BaseURL, c.Username)
}

// GoString is String, for %#v.
func (c *Client) GoString() string { return c.String() }

// Login authenticates with Username and Password and keeps the token for
// the next calls. Errors: *Error (401 with Cassandra's "Provided username
// ... and/or password are incorrect"), or a transport error.
func (c *Client) Login(ctx context.Context) (AuthenticateResponse, error) {
	var out AuthenticateResponse
	err := c.call(ctx, http.MethodPost, "/v1/authenticate", AuthenticateRequest{Username: c.Username, Password: c.Password}, &out, false)
	if err != nil {
		return out, err
	}
	c.Token = out.Token
	return out, nil
}

// Execute runs one statement in c.Keyspace and returns its result as
// package dcl shapes it; a USE updates c.Keyspace. Errors: *Error with the
// statement's native-protocol code and Cassandra's message.
func (c *Client) Execute(ctx context.Context, statement string) (dcl.Result, error) {
	var out ExecuteResponse
	if err := c.call(ctx, http.MethodPost, "/v1/execute", ExecuteRequest{Statement: statement, Keyspace: c.Keyspace}, &out, true); err != nil {
		return dcl.Result{}, err
	}
	c.Keyspace = out.Keyspace
	return resultOf(out)
}

// resultOf converts the JSON form back into a dcl.Result: text cells stay
// strings, booleans bools, objects map[string]string.
func resultOf(out ExecuteResponse) (dcl.Result, error) {
	res := dcl.Result{Keyspace: out.Keyspace, Table: out.Table, Warnings: out.Warnings}
	switch out.Kind {
	case "Void":
		res.Kind = dcl.ResultVoid
	case "Rows":
		res.Kind = dcl.ResultRows
	case "Set_keyspace":
		res.Kind = dcl.ResultSetKeyspace
	case "Schema_change":
		res.Kind = dcl.ResultSchemaChange
		if sc := out.SchemaChange; sc != nil {
			res.SchemaChange = dcl.SchemaChange{Change: sc.Change, Target: sc.Target, Keyspace: sc.Keyspace, Name: sc.Name, ArgTypes: sc.ArgTypes}
		}
	default:
		return res, fmt.Errorf("httpapi: unknown result kind %q", out.Kind)
	}
	if len(out.Types) != len(out.Columns) {
		return res, errors.New("httpapi: columns and types differ in length")
	}
	for i, name := range out.Columns {
		res.Columns = append(res.Columns, dcl.Column{Name: name, Type: out.Types[i]})
	}
	for _, row := range out.Rows {
		if len(row) != len(out.Columns) {
			return res, errors.New("httpapi: a row does not match the columns")
		}
		cells := make([]any, len(row))
		for i, v := range row {
			if m, ok := v.(map[string]any); ok {
				sm := make(map[string]string, len(m))
				for k, x := range m {
					sm[k] = fmt.Sprint(x)
				}
				cells[i] = sm
			} else {
				cells[i] = v
			}
		}
		res.Rows = append(res.Rows, cells)
	}
	return res, nil
}

// Check asks whether req.Role may hold req.Permission on req.Resource.
// Errors: *Error (403 when the caller may not check that role, 503 when the
// server could not decide).
func (c *Client) Check(ctx context.Context, req CheckRequest) (CheckResponse, error) {
	var out CheckResponse
	err := c.call(ctx, http.MethodPost, "/v1/check", req, &out, true)
	return out, err
}

// Export writes the server's dump to w and returns the bytes written.
// progress, if not nil, is called with the bytes received so far and the
// total (-1 if unknown).
func (c *Client) Export(ctx context.Context, w io.Writer, progress func(done, total int64)) (int64, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/export", nil, "", true)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if progress != nil {
		r = &countingReader{r: r, total: resp.ContentLength, progress: progress}
	}
	return io.Copy(w, r)
}

// ImportDump sends a JSON dump (size bytes, -1 if unknown) to the server.
// progress, if not nil, is called with the bytes sent so far.
func (c *Client) ImportDump(ctx context.Context, r io.Reader, size int64, merge bool, progress func(done, total int64)) (ImportSummary, error) {
	if progress != nil {
		r = &countingReader{r: r, total: size, progress: progress}
	}
	q := url.Values{"format": {FormatDump}, "merge": {strconv.FormatBool(merge)}}
	return c.importBody(ctx, q, r, size, "application/json")
}

// ImportCassandraDir sends the CSV files of dir (roles.csv and the optional
// others, see CSVFileNames) to the server as one multipart body.
func (c *Client) ImportCassandraDir(ctx context.Context, dir string, merge bool, progress func(done, total int64)) (ImportSummary, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, name := range CSVFileNames {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) && name != "roles.csv" {
			continue
		}
		if err != nil {
			return ImportSummary{}, err
		}
		part, err := mw.CreateFormFile(name, name)
		if err != nil {
			return ImportSummary{}, err
		}
		if _, err := part.Write(data); err != nil {
			return ImportSummary{}, err
		}
	}
	if err := mw.Close(); err != nil {
		return ImportSummary{}, err
	}
	size := int64(body.Len())
	var r io.Reader = &body
	if progress != nil {
		r = &countingReader{r: r, total: size, progress: progress}
	}
	q := url.Values{"format": {FormatCassandra}, "merge": {strconv.FormatBool(merge)}}
	return c.importBody(ctx, q, r, size, mw.FormDataContentType())
}

func (c *Client) importBody(ctx context.Context, q url.Values, r io.Reader, size int64, ct string) (ImportSummary, error) {
	var out ImportSummary
	resp, err := c.doReader(ctx, http.MethodPost, "/v1/import?"+q.Encode(), r, size, ct, true)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	return out, decodeResponse(resp, &out)
}

// call sends in as JSON and decodes the answer into out.
func (c *Client) call(ctx context.Context, method, path string, in, out any, auth bool) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, method, path, b, "application/json", auth)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeResponse(resp, out)
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, ct string, auth bool) (*http.Response, error) {
	var r io.Reader
	size := int64(0)
	if body != nil {
		r, size = bytes.NewReader(body), int64(len(body))
	}
	return c.doReader(ctx, method, path, r, size, ct, auth)
}

// doReader sends a request and returns the response if it is a 2xx; any
// other status is returned as *Error.
func (c *Client) doReader(ctx context.Context, method, path string, body io.Reader, size int64, ct string, auth bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = size
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Accept", "application/json")
	if auth {
		switch {
		case c.Token != "":
			req.Header.Set("Authorization", "Bearer "+c.Token)
		case c.Username != "":
			req.SetBasicAuth(c.Username, c.Password)
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, errorOf(resp)
	}
	return resp, nil
}

// errorOf reads an error response. A body that is not the API's error
// shape (a proxy's page, say) gives a SERVER_ERROR with the status text.
func errorOf(resp *http.Response) error {
	var eb ErrorBody
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(data, &eb); err != nil || eb.Error.Message == "" {
		return &Error{Status: resp.StatusCode, Code: roles.CodeServerError,
			Msg: fmt.Sprintf("unexpected answer from the server: %s", resp.Status)}
	}
	return &Error{Status: resp.StatusCode, Code: roles.Code(eb.Error.Code), Msg: eb.Error.Message}
}

func decodeResponse(resp *http.Response, out any) error {
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("httpapi: malformed answer from the server: %w", err)
	}
	return nil
}

// countingReader reports the bytes read through it.
type countingReader struct {
	r        io.Reader
	done     int64
	total    int64
	progress func(done, total int64)
}

// Read reads from the underlying reader and reports progress.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.done += int64(n)
	if n > 0 {
		c.progress(c.done, c.total)
	}
	return n, err
}
