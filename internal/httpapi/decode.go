package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of request documents; the API's bodies
// are flat objects, so anything deeper is hostile.
const maxJSONDepth = 8

// readJSONBody reads the body of r, which must be declared as
// application/json and hold at most max bytes, and decodes it into v (see
// decodeJSON). The error is an API error with the right status: 415 for a
// wrong content type, 413 for an oversized body, 400 for the rest.
func readJSONBody(w http.ResponseWriter, r *http.Request, max int64, v any) *Error {
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if r.ContentLength > max {
		return tooLarge(max)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(max)
		}
		return protocolError(http.StatusBadRequest, "Could not read the request body: %v", err)
	}
	return decodeJSON(body, v)
}

// readEmptyBody reads the body of a call that takes no parameters: none
// at all, or an empty JSON object ({}) sent as application/json. Anything
// else is a 4xx, as in readJSONBody.
func readEmptyBody(w http.ResponseWriter, r *http.Request, max int64) *Error {
	if r.ContentLength > max {
		return tooLarge(max)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(max)
		}
		return protocolError(http.StatusBadRequest, "Could not read the request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	return decodeJSON(body, &struct{}{})
}

func tooLarge(max int64) *Error {
	return protocolError(http.StatusRequestEntityTooLarge, "Request body is larger than %d bytes", max)
}

// checkJSONContentType accepts "application/json", with an optional
// charset parameter that must name UTF-8.
func checkJSONContentType(ct string) *Error {
	if ct == "" {
		return protocolError(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return protocolError(http.StatusUnsupportedMediaType, "Content-Type must be application/json, not %q", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return protocolError(http.StatusUnsupportedMediaType, "Content-Type charset must be utf-8, not %q", cs)
	}
	return nil
}

// decodeJSON decodes body, which must be exactly one JSON object in valid
// UTF-8 with no duplicate member names, no member v does not have, and
// nothing after it, into v (a pointer to a struct). Errors are 400s with a
// message that says what is wrong and where.
func decodeJSON(body []byte, v any) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		return protocolError(http.StatusBadRequest, "Request body is empty: a JSON object is required")
	}
	if !utf8.Valid(body) {
		return protocolError(http.StatusBadRequest, "Request body is not valid UTF-8")
	}
	if err := checkJSONShape(body, memberNames(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field != "" {
				return protocolError(http.StatusBadRequest, "Malformed JSON: member %q must be a JSON %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
			}
			return protocolError(http.StatusBadRequest, "Malformed JSON: expected an object, not %s", te.Value)
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return protocolError(http.StatusBadRequest, "Unknown member %s in the request body", f)
		}
		return protocolError(http.StatusBadRequest, "Malformed JSON: %v", err)
	}
	return nil
}

// jsonKind names a Go kind as the JSON type a client must send.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "ptr":
		return "boolean"
	}
	return k
}

// memberNames returns the JSON member names of the struct v points to.
func memberNames(v any) map[string]bool {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	names := map[string]bool{}
	if t.Kind() != reflect.Struct {
		return names
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if name != "-" && f.IsExported() {
			names[name] = true
		}
	}
	return names
}

// checkJSONShape walks body's tokens: one top-level object whose members
// are among known, spelled exactly (encoding/json would also take "ROLE"
// for "role"), nesting of at most maxJSONDepth, no duplicate member names
// in any object, and nothing after the object. encoding/json alone would
// keep the last of two duplicates silently, which would let a proxy and
// this server read different requests from one body.
func checkJSONShape(body []byte, known map[string]bool) *Error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object  bool
		keys    map[string]struct{}
		wantKey bool
	}
	var stack []frame
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return protocolError(http.StatusBadRequest, "Malformed JSON: unexpected end of input")
			}
			return nil
		}
		if err != nil {
			return protocolError(http.StatusBadRequest, "Malformed JSON at byte %d: %v", off, err)
		}
		if len(stack) == 0 && off > 0 && len(bytes.TrimSpace(body[:off])) > 0 {
			rest := body[off:]
			pos := off + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
			return protocolError(http.StatusBadRequest, "Malformed JSON: unexpected data after the object at byte %d", pos)
		}
		if len(stack) == 0 {
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return protocolError(http.StatusBadRequest, "Malformed JSON: the request body must be a JSON object")
			}
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].wantKey {
			if key, ok := tok.(string); ok {
				if _, dup := stack[top].keys[key]; dup {
					return protocolError(http.StatusBadRequest, "Malformed JSON: duplicate member %q", truncate(key, 64))
				}
				if top == 0 && !known[key] {
					return protocolError(http.StatusBadRequest, "Unknown member %q in the request body", truncate(key, 64))
				}
				stack[top].keys[key] = struct{}{}
				stack[top].wantKey = false
				continue
			}
		}
		if top >= 0 && stack[top].object {
			stack[top].wantKey = true // a value was read (or the object ends)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= maxJSONDepth {
				return protocolError(http.StatusBadRequest, "Malformed JSON: nested deeper than %d levels", maxJSONDepth)
			}
			obj := tok == json.Delim('{')
			stack = append(stack, frame{object: obj, wantKey: obj, keys: map[string]struct{}{}})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}
