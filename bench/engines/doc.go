// Package engines loads a workload policy into each engine of the
// comparison and gives them one interface: cassauth cached (the root
// package's Auth.Check, answered from its caches) and uncached (an
// authz.Checker reading memstore on every decision), casbin's Enforcer and
// CachedEnforcer (RBAC with role inheritance in g and the resource
// hierarchy in g2), and OPA (a Rego policy over a data document, prepared
// once). Decisions and AgreeWith run the agreement check every
// measurement starts with (each engine against the reference model's
// decisions, within a time budget); Agree compares several engines query by
// query.
//
// The engines' requests are prepared outside the timed part, in each
// engine's own form: typed values for cassauth, strings for casbin, a
// parsed input document for OPA.
//
// # Concurrency
//
// The engines are safe for concurrent use; a Request is used by one
// goroutine at a time.
package engines
