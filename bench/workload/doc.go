// Package workload generates the Cassandra-shaped policy that every engine
// of the comparison is loaded with, the random queries they answer, and a
// plain reference model of the decision.
//
// # The policy
//
// Params describes the shape: R roles in D layers (layer 0 holds the users,
// each role below the top layer inherits one role of the next layer and,
// with probability ExtraParent, a second one, so a user's closure spans D
// layers), K keyspaces of T tables each, grants on the data root,
// keyspaces, "all tables in keyspace" resources and tables, and a few
// superuser roles in the top layer. Generate is deterministic in
// Params.Seed.
//
// # The decision
//
// Cassandra's (spec sections 3.2 and 3.4): permission p on resource X is
// allowed iff some role in the closure of the user's role (itself and
// every role it inherits, transitively) is a superuser and p is applicable
// to X or to one of its parents, or some role in the closure holds p on X
// or on one of its parents (data/ks/t -> data/ks/* -> data/ks -> data).
// Grants only ever hold permissions applicable to their resource, as
// GRANT filters them. Only data resources and the permissions CREATE,
// ALTER, DROP, SELECT, MODIFY and AUTHORIZE occur.
//
// Model decides queries that way by brute force; the engines must agree
// with it.
package workload
