package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// envPrefix prefixes the environment variable of every long flag:
// --token-ttl is CASSAUTH_TOKEN_TTL.
const envPrefix = "CASSAUTH_"

// envName returns the environment variable of a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// flags is a subcommand's flag set with its help text.
type flags struct {
	*flag.FlagSet
	synopsis, description string
	aliases               map[string]string // short name -> long name
}

// newFlags returns a flag set for cmd whose --help prints synopsis,
// description and the flags, each with its environment variable.
func newFlags(cmd, synopsis, description string) *flags {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	f := &flags{FlagSet: fs, synopsis: synopsis, description: description, aliases: map[string]string{}}
	fs.Usage = func() { f.printUsage(fs.Output()) }
	return f
}

// alias makes -short set the same value as --long (defined before).
func (f *flags) alias(short, long string) {
	fl := f.Lookup(long)
	f.Var(fl.Value, short, "")
	f.aliases[short] = long
}

func (f *flags) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: cassauth %s\n\n%s\n\nFlags:\n", f.synopsis, strings.TrimSpace(f.description))
	short := map[string]string{}
	for s, l := range f.aliases {
		short[l] = s
	}
	f.VisitAll(func(fl *flag.Flag) {
		if _, isAlias := f.aliases[fl.Name]; isAlias {
			return
		}
		name := "--" + fl.Name
		if s, ok := short[fl.Name]; ok {
			name = "-" + s + ", " + name
		}
		typ, help := flag.UnquoteUsage(fl)
		if typ != "" {
			name += " " + typ
		}
		fmt.Fprintf(w, "  %s\n      %s", name, help)
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" && fl.DefValue != "0s" {
			fmt.Fprintf(w, " (default %s)", fl.DefValue)
		}
		fmt.Fprintf(w, " [$%s]\n", envName(fl.Name))
	})
}

// errHelp is returned by parse after printing the help.
var errHelp = flag.ErrHelp

// parse parses args, then fills every flag not given on the command line
// from the environment (CASSAUTH_<FLAG>) and then from file (values read
// from a configuration file, by flag name), in that order of precedence.
// Errors: flag.ErrHelp after --help (the help went to stdout), or a bad
// value (with the flag and its source named).
func (f *flags) parse(args []string, e *env, file map[string]string) error {
	f.SetOutput(e.stderr)
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			f.printUsage(e.stdout)
			return errHelp
		}
		if a == "--" {
			break
		}
	}
	if err := f.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) {
		set[fl.Name] = true
		if l, ok := f.aliases[fl.Name]; ok {
			set[l] = true
		}
	})
	var errs []error
	f.VisitAll(func(fl *flag.Flag) {
		if set[fl.Name] || f.aliases[fl.Name] != "" {
			return
		}
		if v := e.getenv(envName(fl.Name)); v != "" {
			if err := fl.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("invalid value %q for $%s: %v", v, envName(fl.Name), err))
			}
			return
		}
		if v, ok := file[fl.Name]; ok {
			if err := fl.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("invalid value %q for %s in the configuration file: %v", v, fl.Name, err))
			}
		}
	})
	return errors.Join(errs...)
}

// listFlag is a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = nil
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}
