package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/roles"
)

const checkDescription = `
Ask whether ROLE may use PERMISSION (SELECT, MODIFY, CREATE, ALTER, DROP,
AUTHORIZE, DESCRIBE, EXECUTE, UNMASK, SELECT_MASKED) on RESOURCE, given by
its canonical name: data, data/ks, data/ks/*, data/ks/t, roles, roles/r,
functions, functions/ks, functions/ks/f[argtypes], mbean, mbean/name.
The answer counts grants on the resource and its parents, through every role
granted to ROLE, and superuser status, as Cassandra's access check does.

Exit status: 0 allowed, 1 denied, 2 when the check could not be made (bad
arguments, an unknown role, a store that does not answer): a failure is
never an allow. --explain prints why; --json prints the answer of
POST /v1/check.

Without --server the store is read directly and no login is needed (whoever
can read the data directory can read every grant). With --server the check
goes through the HTTP API as the user of -u (or $CASSAUTH_TOKEN), who may
check its own role, or another with DESCRIBE on it (or on ALL ROLES).`

func runCheck(ctx context.Context, args []string, e *env) int {
	var t target
	var explain, asJSON bool
	f := newFlags("check", "check [flags] ROLE PERMISSION RESOURCE", checkDescription)
	t.addStoreFlags(f)
	t.addServerFlags(f)
	f.BoolVar(&explain, "explain", false, "say why: the grants that allow, or the resources consulted")
	f.BoolVar(&asJSON, "json", false, "print the answer as JSON: {\"allowed\", \"explanation\"}")
	if err := t.parse(f, args, e); err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		return fail(e, "check", err)
	}
	if f.NArg() != 3 {
		fmt.Fprintln(e.stderr, "cassauth check: want ROLE PERMISSION RESOURCE")
		f.printUsage(e.stderr)
		return exitError
	}
	req := httpapi.CheckRequest{Role: f.Arg(0), Permission: f.Arg(1), Resource: f.Arg(2)}
	resp, err := checkOnce(ctx, &t, e, req)
	if err != nil {
		return fail(e, "check", err)
	}
	switch {
	case asJSON:
		b, _ := json.Marshal(resp)
		fmt.Fprintln(e.stdout, string(b))
	case explain:
		printExplanation(e.stdout, resp)
	default:
		if resp.Allowed {
			fmt.Fprintln(e.stdout, "allowed")
		} else {
			fmt.Fprintln(e.stdout, "denied")
		}
	}
	if resp.Allowed {
		return exitOK
	}
	return exitFailed
}

// checkOnce decides, through the server or on the store.
func checkOnce(ctx context.Context, t *target, e *env, req httpapi.CheckRequest) (httpapi.CheckResponse, error) {
	if t.server != "" {
		c, err := t.client(e)
		if err != nil {
			return httpapi.CheckResponse{}, err
		}
		return c.Check(ctx, req)
	}
	perm, err := resource.ParsePermission(req.Permission)
	if err != nil {
		return httpapi.CheckResponse{}, fmt.Errorf("unknown permission %q", req.Permission)
	}
	res, err := resource.Parse(req.Resource)
	if err != nil {
		return httpapi.CheckResponse{}, err
	}
	a, closer, err := t.openLocal(ctx, e, false)
	if err != nil {
		return httpapi.CheckResponse{}, err
	}
	defer closer.Close()
	ok, err := a.Env.Roles.IsExistingRole(ctx, req.Role)
	if err != nil {
		return httpapi.CheckResponse{}, err
	}
	if !ok {
		return httpapi.CheckResponse{}, fmt.Errorf("%s doesn't exist", resource.Role(req.Role))
	}
	ex, err := a.Auth.Explain(ctx, roles.NewUser(req.Role), perm, res)
	if err != nil {
		return httpapi.CheckResponse{}, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ex); err != nil {
		return httpapi.CheckResponse{}, err
	}
	return httpapi.CheckResponse{Allowed: ex.Allowed, Explanation: bytes.TrimSpace(buf.Bytes())}, nil
}

// explanation is the JSON form of authz.Explanation, as much of it as the
// text rendering uses.
type explanation struct {
	Allowed  bool     `json:"allowed"`
	Reason   string   `json:"reason"`
	User     string   `json:"user"`
	Resource string   `json:"resource"`
	Roles    []string `json:"roles"`
	Grants   []struct {
		Via        []string `json:"via"`
		Resource   string   `json:"resource"`
		Permission string   `json:"permission"`
	} `json:"grants"`
	Consulted []struct {
		Resource    string   `json:"resource"`
		Permissions []string `json:"permissions"`
	} `json:"consulted"`
	Message string `json:"message"`
}

// printExplanation renders an answer for people:
//
//	allowed (granted)
//	  roles      alice, reader
//	  grant      alice -> reader: SELECT on <keyspace shop>
//	  consulted  <table shop.orders>: -
//	             <all tables in shop>: -
//	             <keyspace shop>: SELECT
func printExplanation(w io.Writer, resp httpapi.CheckResponse) {
	verdict := "denied"
	if resp.Allowed {
		verdict = "allowed"
	}
	var ex explanation
	if len(resp.Explanation) == 0 || json.Unmarshal(resp.Explanation, &ex) != nil {
		fmt.Fprintln(w, verdict)
		return
	}
	fmt.Fprintf(w, "%s (%s)\n", verdict, ex.Reason)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if ex.Message != "" {
		fmt.Fprintf(tw, "  message\t%s\n", ex.Message)
	}
	if len(ex.Roles) > 0 {
		fmt.Fprintf(tw, "  roles\t%s\n", strings.Join(ex.Roles, ", "))
	}
	for i, g := range ex.Grants {
		label := ""
		if ex.Reason == "superuser" {
			if i == 0 {
				label = "superuser"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", label, strings.Join(g.Via, " -> "))
			continue
		}
		if i == 0 {
			label = "grant"
		}
		fmt.Fprintf(tw, "  %s\t%s: %s on %s\n", label, strings.Join(g.Via, " -> "), g.Permission, g.Resource)
	}
	for i, c := range ex.Consulted {
		label := ""
		if i == 0 {
			label = "consulted"
		}
		perms := strings.Join(c.Permissions, " ")
		if perms == "" {
			perms = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s: %s\n", label, c.Resource, perms)
	}
	_ = tw.Flush()
}
