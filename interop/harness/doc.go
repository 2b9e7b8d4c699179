// Package harness starts programs under test and makes their TLS
// material: it builds a Go binary ([Build]), runs it until its port accepts
// connections ([Start]), stops it by pid with SIGTERM and then SIGKILL
// ([Process.Stop]), and issues throw-away certificates with crypto/x509
// ([NewCA], [CA.Issue]) carrying the IP, DNS and URI (SPIFFE) SANs that
// loopback tests need.
//
// It is used by the interop tests of cassauth's CQL front end and has no
// dependency beyond the standard library.
//
// # Testing
//
// The tests issue certificates and complete TLS handshakes with them, and
// run the test binary itself as a child program to check readiness, early
// exit and the SIGKILL fallback.
package harness
