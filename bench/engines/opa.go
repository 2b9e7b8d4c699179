package engines

import (
	"context"
	"errors"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/cassauth/cassauth/bench/workload"
	"github.com/cassauth/cassauth/resource"
)

// RegoPolicy is the workload's decision in Rego over the data document
// data.auth = {parents: {role: [role...]}, super: {role: true},
// grants: {role: {resource: {PERMISSION: true}}}, applicable: {level:
// {PERMISSION: true}}}. The role closure is graph.reachable over the
// parents; the parent walk is computed from the resource name.
const RegoPolicy = `package cassauth

default allow := false

closure := graph.reachable(data.auth.parents, {input.role})

parts := split(input.resource, "/")

chain := [[input.resource, "root"]] if count(parts) == 1

chain := [[input.resource, "keyspace"], ["data", "root"]] if count(parts) == 2

chain := [[input.resource, "alltables"], [ks, "keyspace"], ["data", "root"]] if {
	count(parts) == 3
	parts[2] == "*"
	ks := concat("/", ["data", parts[1]])
}

chain := [[input.resource, "table"], [all, "alltables"], [ks, "keyspace"], ["data", "root"]] if {
	count(parts) == 3
	parts[2] != "*"
	ks := concat("/", ["data", parts[1]])
	all := concat("/", [ks, "*"])
}

super if {
	some r in closure
	data.auth.super[r]
}

allow if {
	super
	some link in chain
	data.auth.applicable[link[1]][input.permission]
}

allow if {
	some link in chain
	some r in closure
	data.auth.grants[r][link[0]][input.permission]
}
`

// OPA is the workload in Open Policy Agent: RegoPolicy prepared once
// (PrepareForEval) over an in-memory store that holds the data document as
// AST values, evaluated per query with a pre-parsed input.
type OPA struct{ pq rego.PreparedEvalQuery }

// NewOPA loads pol into OPA and prepares the query data.cassauth.allow.
func NewOPA(ctx context.Context, pol *workload.Policy) (*OPA, error) {
	parents := make(map[string]any, len(pol.Roles))
	super := map[string]any{}
	for _, r := range pol.Roles {
		ps := make([]any, len(r.Parents))
		for i, p := range r.Parents {
			ps[i] = p
		}
		parents[r.Name] = ps
		if r.Super {
			super[r.Name] = true
		}
	}
	grants := map[string]any{}
	for _, g := range pol.Grants {
		byRes, _ := grants[g.Role].(map[string]any)
		if byRes == nil {
			byRes = map[string]any{}
			grants[g.Role] = byRes
		}
		byRes[g.Resource.Name()] = permObject(g.Perms)
	}
	applicable := map[string]any{
		"root":      permObject(resource.AllKeyspaces.Applicable().Intersect(workload.PermissionSet)),
		"keyspace":  permObject(resource.Keyspace("k").Applicable().Intersect(workload.PermissionSet)),
		"alltables": permObject(resource.AllTables("k").Applicable().Intersect(workload.PermissionSet)),
		"table":     permObject(resource.Table("k", "t").Applicable().Intersect(workload.PermissionSet)),
	}
	data := map[string]any{"auth": map[string]any{
		"parents": parents, "super": super, "grants": grants, "applicable": applicable,
	}}
	st := inmem.NewFromObjectWithOpts(data, inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	pq, err := rego.New(
		rego.Query("data.cassauth.allow"),
		rego.Module("cassauth.rego", RegoPolicy),
		rego.Store(st),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	return &OPA{pq: pq}, nil
}

func permObject(s resource.PermissionSet) map[string]any {
	out := make(map[string]any, s.Len())
	for p := range s.All() {
		out[p.String()] = true
	}
	return out
}

// Name returns "opa".
func (*OPA) Name() string { return "opa" }

// Prepare parses the query into OPA's input document once.
func (e *OPA) Prepare(q workload.Query) (Request, error) {
	in, err := ast.InterfaceToValue(map[string]any{
		"role": q.Role, "permission": q.Perm.String(), "resource": q.Resource.Name(),
	})
	if err != nil {
		return nil, err
	}
	return &opaRequest{pq: e.pq, input: in}, nil
}

type opaRequest struct {
	pq    rego.PreparedEvalQuery
	input ast.Value
}

// errOPAResult: the query did not produce exactly one boolean.
var errOPAResult = errors.New("opa: data.cassauth.allow is not a single boolean")

func (r *opaRequest) Decide(ctx context.Context) (bool, error) {
	rs, err := r.pq.Eval(ctx, rego.EvalParsedInput(r.input))
	if err != nil {
		return false, err
	}
	v, ok := rego.ResultValue[bool](rs)
	if !ok {
		return false, errOPAResult
	}
	return v, nil
}
