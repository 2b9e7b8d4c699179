package transport

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cassauth/cassauth/authz"
	"github.com/cassauth/cassauth/dcl"
)

// HandlerConfig configures [NewHandler]. Auth is required.
type HandlerConfig struct {
	// Auth supplies the parts statements run against. Required.
	Auth Auth
	// Env is the template of the DCL environment: its Roles, Authorizer
	// and Checker, when nil, come from Auth, and Network, CIDR and Hooks
	// from Auth's methods of those names when it has them (as
	// *cassauth.Auth does); Schema, Datacenters and the other fields are
	// used as given (see [dcl.Env]).
	Env dcl.Env
	// Node describes this node in system.local.
	Node NodeInfo
	// Next runs what this handler does not: statements other than DCL,
	// USE and SELECT, SELECTs of other tables, BATCH (if it is a
	// [BatchHandler]) and EXECUTEs of ids it prepared. Nil means those
	// are errors (Invalid or Syntax_error, with Cassandra's messages).
	Next Handler
	// MaxPrepared bounds the prepared statements kept; 0 means 10000.
	// When full, one is forgotten: its EXECUTE gets Unprepared and the
	// driver prepares it again.
	MaxPrepared int
	// Logger receives the debug lines of statements; nil discards.
	Logger *slog.Logger
	// Now is the clock of system.local's gossip_generation; nil means
	// time.Now.
	Now func() time.Time
}

// AuthHandler is cassauth's own [Handler]: role and permission statements
// through [dcl] (with Cassandra's checks and messages), USE, and SELECT
// over read-only tables: system.local, system.peers and system.peers_v2,
// the system_schema and system_virtual_schema tables the drivers read
// (empty), and the auth tables system_auth.roles, role_members and
// role_permissions with Cassandra's SELECT permission check. Statements
// it does not handle go to HandlerConfig.Next. It is safe for concurrent
// use.
//
// An embedding server keeps cassauth's statements and adds its own by
// passing its handler as Next:
//
//	h, err := transport.NewHandler(transport.HandlerConfig{Auth: auth, Next: myHandler})
//	srv, err := transport.NewServer(transport.Config{Auth: auth, Handler: h})
//
// or replaces it entirely with its own Handler, calling an AuthHandler
// from it for the statements it wants cassauth to run.
type AuthHandler struct {
	auth       Auth
	env        dcl.Env
	node       NodeInfo
	next       Handler
	log        *slog.Logger
	tables     map[string]map[string]*vtable
	generation int32
	prepared   *preparedCache
}

var _ BatchHandler = (*AuthHandler)(nil)

// NewHandler returns cassauth's handler. It fails, with an error matching
// [ErrConfig], without Auth or with a negative MaxPrepared.
func NewHandler(cfg HandlerConfig) (*AuthHandler, error) {
	if cfg.Auth == nil {
		return nil, configErrorf("HandlerConfig.Auth is required")
	}
	if cfg.MaxPrepared < 0 {
		return nil, configErrorf("MaxPrepared must not be negative")
	}
	env := cfg.Env
	if env.Roles == nil {
		env.Roles = cfg.Auth.Roles()
	}
	if env.Authorizer == nil {
		env.Authorizer = cfg.Auth.Authorizer()
	}
	if env.Checker == nil {
		env.Checker = cfg.Auth.Checker()
	}
	if a, ok := cfg.Auth.(interface {
		Network() authz.NetworkAuthorizer
	}); ok && env.Network == nil {
		env.Network = a.Network()
	}
	if a, ok := cfg.Auth.(interface{ CIDR() authz.CIDRAuthorizer }); ok && env.CIDR == nil {
		env.CIDR = a.CIDR()
	}
	if a, ok := cfg.Auth.(interface{ Hooks() *authz.SchemaHooks }); ok && env.Hooks == nil {
		env.Hooks = a.Hooks()
	}
	if env.Logger == nil {
		env.Logger = cfg.Logger
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	h := &AuthHandler{auth: cfg.Auth, env: env, node: cfg.Node.withDefaults(), next: cfg.Next, log: cfg.Logger,
		tables: virtualTables(), generation: int32(now().Unix()), prepared: newPreparedCache(cfg.MaxPrepared)}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// Query runs a QUERY: SELECT over the handler's tables, or DCL and USE.
func (h *AuthHandler) Query(ctx context.Context, sess *Session, q *Query) (Result, error) {
	ks := requestKeyspace(sess, q.Params.Keyspace)
	if firstKeyword(q.Query) == "select" {
		st, err := parseSelect(q.Query)
		if err != nil {
			if h.next != nil {
				return h.next.Query(ctx, sess, q)
			}
			return nil, err
		}
		plan, err := h.compile(st, ks)
		if err != nil {
			if errors.Is(err, errNotOurs) && h.next != nil {
				return h.next.Query(ctx, sess, q)
			}
			return nil, err
		}
		return h.run(ctx, sess, plan, &q.Params)
	}
	st, err := parseDCL(q.Query)
	if err != nil {
		if h.forNext(q.Query, err) {
			return h.next.Query(ctx, sess, q)
		}
		return nil, err
	}
	res, err := h.runDCL(ctx, sess, st, &q.Params, ks)
	if err != nil && h.forNext(q.Query, err) {
		return h.next.Query(ctx, sess, q)
	}
	return res, err
}

// dclKeywords are the first words of the statements of the dcl package.
var dclKeywords = map[string]bool{"create": true, "alter": true, "drop": true, "grant": true, "revoke": true,
	"list": true, "add": true, "use": true}

// forNext reports whether a statement that failed here with err belongs
// to Next: a statement dcl does not handle, one it cannot parse that does
// not start like a DCL statement, or a schema statement while no catalog
// takes declarations (the embedding server owns the schema).
func (h *AuthHandler) forNext(text string, err error) bool {
	if h.next == nil {
		return false
	}
	return errors.Is(err, dcl.ErrUnsupportedStatement) || errors.Is(err, dcl.ErrNoCatalog) ||
		errors.Is(err, dcl.ErrSyntax) && !dclKeywords[firstKeyword(text)]
}

// requestKeyspace is the keyspace of a request: its own (v5) or the
// session's.
func requestKeyspace(sess *Session, own string) string {
	if own != "" {
		return own
	}
	return sess.Keyspace()
}

// parseDCL parses exactly one statement of the dcl package.
func parseDCL(text string) (dcl.Statement, error) {
	sts, err := dcl.Parse(text)
	if err != nil {
		return nil, err
	}
	switch len(sts) {
	case 0:
		return nil, syntaxf("line 0:-1 no viable alternative at input '<EOF>'")
	case 1:
		return sts[0], nil
	}
	return nil, syntaxf("line 1:%d missing EOF at '%s'", len(text), sts[1].String())
}

// runDCL runs one DCL statement (or USE) as the session's user.
func (h *AuthHandler) runDCL(ctx context.Context, sess *Session, st dcl.Statement, params *QueryParams, ks string) (Result, error) {
	if params.Has(QueryValues) && len(params.Values) > 0 {
		return nil, invalidf("There were 0 markers(?) in CQL but %d bound variables", len(params.Values))
	}
	ds := &dcl.Session{User: sess.User(), Keyspace: ks, Datacenter: sess.DataCenter, Remote: sess.Remote.Addr()}
	res, err := dcl.ExecuteStatement(ctx, &h.env, ds, st)
	if err != nil {
		return nil, err
	}
	return dclResult(res, sess.Version)
}

// dclResult converts a dcl result to a RESULT message.
func dclResult(res dcl.Result, v Version) (Result, error) {
	var r Result
	switch res.Kind {
	case dcl.ResultRows:
		rows, err := dclRows(res)
		if err != nil {
			return nil, err
		}
		r = rows
	case dcl.ResultSetKeyspace:
		r = &SetKeyspaceResult{Keyspace: res.Keyspace}
	case dcl.ResultSchemaChange:
		if v < V3 { // protocol v1/v2 lay Schema_change out differently
			r = &VoidResult{}
			break
		}
		sc := res.SchemaChange
		r = &SchemaChangeResult{Change: SchemaChange{Change: sc.Change, Target: sc.Target, Keyspace: sc.Keyspace,
			Name: sc.Name, ArgTypes: sc.ArgTypes}}
	default:
		r = &VoidResult{}
	}
	return WithWarnings(r, res.Warnings...), nil
}

// dclRows serializes a rows result of the dcl package.
func dclRows(res dcl.Result) (*RowsResult, error) {
	cols := make([]ColumnSpec, len(res.Columns))
	for i, c := range res.Columns {
		t, err := ParseType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("transport: dcl column %s: %w", c.Name, err)
		}
		cols[i] = ColumnSpec{Keyspace: res.Keyspace, Table: res.Table, Name: c.Name, Type: t}
	}
	out := &RowsResult{Metadata: RowsMetadata{Columns: cols}, Rows: make([][][]byte, len(res.Rows))}
	for i, row := range res.Rows {
		if len(row) != len(cols) {
			return nil, fmt.Errorf("transport: dcl row %d has %d cells for %d columns", i, len(row), len(cols))
		}
		cells := make([][]byte, len(row))
		for j, v := range row {
			b, err := Marshal(cols[j].Type, v)
			if err != nil {
				return nil, fmt.Errorf("transport: dcl column %s: %w", cols[j].Name, err)
			}
			cells[j] = b
		}
		out.Rows[i] = cells
	}
	return out, nil
}

// Prepare prepares a SELECT of the handler's tables or a DCL statement;
// others go to Next. The id is the MD5 of the keyspace and the query, as
// Cassandra computes it.
func (h *AuthHandler) Prepare(ctx context.Context, sess *Session, p *Prepare) (*PreparedResult, error) {
	ks := requestKeyspace(sess, p.Keyspace)
	sum := md5.Sum([]byte(ks + p.Query))
	id := sum[:]
	if ps, ok := h.prepared.get(id); ok {
		return ps.result(sess.Version), nil
	}
	ps := &preparedStmt{id: bytes.Clone(id)}
	if firstKeyword(p.Query) == "select" {
		st, err := parseSelect(p.Query)
		if err != nil {
			if h.next != nil {
				return h.next.Prepare(ctx, sess, p)
			}
			return nil, err
		}
		plan, err := h.compile(st, ks)
		if err != nil {
			if errors.Is(err, errNotOurs) && h.next != nil {
				return h.next.Prepare(ctx, sess, p)
			}
			return nil, err
		}
		ps.plan = plan
	} else {
		st, err := parseDCL(p.Query)
		if err != nil {
			if h.forNext(p.Query, err) {
				return h.next.Prepare(ctx, sess, p)
			}
			return nil, err
		}
		ps.dcl, ps.keyspace = st, ks
	}
	h.prepared.put(ps)
	return ps.result(sess.Version), nil
}

// Execute runs a statement prepared by this handler; ids it does not know
// go to Next, or are Unprepared without one.
func (h *AuthHandler) Execute(ctx context.Context, sess *Session, e *Execute) (Result, error) {
	ps, ok := h.prepared.get(e.ID)
	if !ok {
		if h.next != nil {
			return h.next.Execute(ctx, sess, e)
		}
		return nil, &UnpreparedError{ID: bytes.Clone(e.ID)}
	}
	if ps.plan != nil {
		rows, err := h.run(ctx, sess, ps.plan, &e.Params)
		if err != nil {
			return nil, err
		}
		rows.Metadata.NoMetadata = e.Params.Has(QuerySkipMetadata)
		if rows.Metadata.NoMetadata {
			rows.Metadata.ColumnCount = len(rows.Metadata.Columns)
		}
		return rows, nil
	}
	return h.runDCL(ctx, sess, ps.dcl, &e.Params, ps.keyspace)
}

// Batch passes a BATCH to Next when it is a [BatchHandler]; otherwise it
// fails with Cassandra's [MsgInvalidBatch] (DCL cannot be batched).
func (h *AuthHandler) Batch(ctx context.Context, sess *Session, b *Batch) (Result, error) {
	if bh, ok := h.next.(BatchHandler); ok {
		return bh.Batch(ctx, sess, b)
	}
	return nil, invalidf("%s", MsgInvalidBatch)
}

// preparedStmt is a statement prepared by the handler.
type preparedStmt struct {
	id       []byte
	plan     *selectPlan   // a SELECT, or
	dcl      dcl.Statement // a DCL statement
	keyspace string        // the DCL statement's keyspace
}

// result returns the Prepared result for protocol version v.
func (ps *preparedStmt) result(v Version) *PreparedResult {
	r := &PreparedResult{ID: ps.id}
	if ps.plan != nil {
		r.Bind = PreparedMetadata{Columns: ps.plan.bind}
		if v >= V4 {
			r.Bind.PKIndexes = ps.plan.pkIndexes
		}
		r.Result = ps.plan.meta
	} else {
		r.Result = RowsMetadata{NoMetadata: true}
	}
	if v >= V5 {
		sum := md5.Sum(fmt.Appendf(nil, "%v", r.Result.Columns))
		r.ResultMetadataID = sum[:]
	}
	return r
}

// preparedCache holds prepared statements by id, bounded.
type preparedCache struct {
	max int
	mu  sync.RWMutex // guards m
	m   map[string]*preparedStmt
}

func newPreparedCache(n int) *preparedCache {
	if n == 0 {
		n = 10000
	}
	return &preparedCache{max: n, m: map[string]*preparedStmt{}}
}

func (c *preparedCache) get(id []byte) (*preparedStmt, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ps, ok := c.m[string(id)]
	return ps, ok
}

func (c *preparedCache) put(ps *preparedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[string(ps.id)]; !ok && len(c.m) >= c.max {
		for k := range c.m { // forget an arbitrary one
			delete(c.m, k)
			break
		}
	}
	c.m[string(ps.id)] = ps
}
