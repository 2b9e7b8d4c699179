// Command cassauth is a policy server and shell over Cassandra's security
// model: roles, LOGIN and passwords, grants on keyspaces, tables, roles,
// functions and MBeans, checked with Cassandra's semantics and messages.
//
// Usage:
//
//	cassauth serve   [flags]                        run the HTTP API (and, with --cql, the CQL protocol)
//	cassauth shell   [flags]                        an interactive DCL shell, like cqlsh
//	cassauth exec    [flags] [STATEMENT ...]        run statements from arguments or a file (-f)
//	cassauth check   [flags] ROLE PERMISSION RESOURCE
//	                                                exit 0 if allowed, 1 if denied, 2 on error
//	cassauth import  [flags] FILE|DIR               load a JSON dump or Cassandra CSV exports
//	cassauth export  [flags]                        write the store as a JSON dump
//
// Every command has --help. The data live in an embedded store in
// ./cassauth-data (--data DIR), or in the store --store names (bolt:///path,
// postgres://..., memory:). exec, check, import, export and shell work on
// the store directly, or through a running server with --server URL.
//
// Flags can also be set through the environment (CASSAUTH_<FLAG>, e.g.
// CASSAUTH_DATA, CASSAUTH_TOKEN_TTL) and, for serve, a YAML file (--config)
// whose auth keys are cassandra.yaml's. Command-line flags win over the
// environment, which wins over the file.
//
// README.md documents the HTTP API and a quick start.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK     = 0 // success; for check: allowed
	exitFailed = 1 // a statement failed; for check: denied
	exitError  = 2 // bad usage, or the command could not run (or decide)
)

// env is the outside world of one run: arguments' streams and the
// environment. Tests build one per run.
type env struct {
	stdin          *os.File // for terminal detection and password prompts; may be nil
	in             io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, in: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// command is one subcommand.
type command struct {
	name, synopsis string
	run            func(ctx context.Context, args []string, e *env) int
}

func commands() []command {
	return []command{
		{"serve", "run the policy server (HTTP API, and CQL with --cql)", runServe},
		{"shell", "an interactive DCL shell, like cqlsh", runShell},
		{"exec", "run statements from arguments or a file", runExec},
		{"check", "may ROLE hold PERMISSION on RESOURCE? exit 0 yes, 1 no", runCheck},
		{"import", "load a JSON dump or a directory of Cassandra CSV exports", runImport},
		{"export", "write the store as a JSON dump", runExport},
	}
}

// run runs the command named by args[0] and returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitError
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], e)
		}
	}
	fmt.Fprintf(e.stderr, "cassauth: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: cassauth <command> [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.synopsis)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'cassauth <command> --help' for the flags of a command.")
	fmt.Fprintln(w, "Every flag --name can also be set as the environment variable CASSAUTH_NAME.")
}
