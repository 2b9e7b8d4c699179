package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cassauth/cassauth/internal/app"
	"github.com/cassauth/cassauth/internal/httpapi"
	"github.com/cassauth/cassauth/internal/shell"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/dump"
	"github.com/cassauth/cassauth/store/memstore"
)

// dumpFlags are the flags of import and export.
type dumpFlags struct {
	target
	progress bool
}

func (d *dumpFlags) add(f *flags) {
	d.addStoreFlags(f)
	d.addServerFlags(f)
	f.BoolVar(&d.progress, "progress", false, "show a progress bar on stderr even when it is not a terminal")
}

// showProgress reports whether to draw progress bars: on a terminal, or
// when asked.
func (d *dumpFlags) showProgress(e *env) bool {
	if d.progress {
		return true
	}
	f, ok := e.stderr.(*os.File)
	return ok && shell.IsTerminal(f)
}

const importDescription = `
Load auth data into the store: a JSON dump written by export (a FILE), or
the CSV files that cqlsh's COPY TO writes of a Cassandra cluster's
system_auth tables (a DIR holding roles.csv and, optionally,
role_members.csv, role_permissions.csv, network_permissions.csv,
cidr_permissions.csv, cidr_groups.csv, identity_to_role.csv). Password
hashes are kept, so Cassandra's roles log in with their passwords.

Everything is read and validated before anything is written: bad input
changes nothing, and the error names the file, line and field. Without
--merge the store must be empty (a server's default superuser counts: start
it with --no-default-superuser, or use --merge); with --merge rows of the
input replace rows with the same key and grants are added.

Without --server the store is opened directly (the server must not be
running on it); with --server the data go to the running server's API
(superusers only).`

func runImport(ctx context.Context, args []string, e *env) int {
	var d dumpFlags
	var merge bool
	var format string
	f := newFlags("import", "import [flags] FILE|DIR", importDescription)
	d.add(f)
	f.BoolVar(&merge, "merge", false, "add to a store that is not empty")
	f.StringVar(&format, "format", "", "dump (a JSON file) or cassandra (a directory of CSV files); default: by the path")
	if err := d.parse(f, args, e); err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		return fail(e, "import", err)
	}
	if f.NArg() != 1 {
		return fail(e, "import", errors.New("want one FILE or DIR"))
	}
	path := f.Arg(0)
	fi, err := os.Stat(path)
	if err != nil {
		return fail(e, "import", err)
	}
	if format == "" {
		format = httpapi.FormatDump
		if fi.IsDir() {
			format = httpapi.FormatCassandra
		}
	}
	if format != httpapi.FormatDump && format != httpapi.FormatCassandra {
		return fail(e, "import", fmt.Errorf("--format must be dump or cassandra, not %q", format))
	}
	if (format == httpapi.FormatCassandra) != fi.IsDir() {
		return fail(e, "import", fmt.Errorf("format %s wants a %s", format, map[bool]string{true: "directory", false: "file"}[format == httpapi.FormatCassandra]))
	}
	var sum httpapi.ImportSummary
	if d.server != "" {
		sum, err = importRemote(ctx, &d, e, path, format, fi.Size(), merge)
	} else {
		sum, err = importLocal(ctx, &d, e, path, format, fi.Size(), merge)
	}
	if err != nil {
		return fail(e, "import", err)
	}
	for _, w := range sum.Warnings {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	fmt.Fprintf(e.stdout, "imported %d rows: %d roles, %d memberships, %d grants, %d network, %d CIDR permissions, %d CIDR groups, %d identities, %d schema objects\n",
		sum.Rows(), sum.Roles, sum.Memberships, sum.Grants, sum.Network, sum.CIDRPermissions, sum.CIDRGroups, sum.Identities, sum.SchemaObjects)
	return exitOK
}

func importRemote(ctx context.Context, d *dumpFlags, e *env, path, format string, size int64, merge bool) (httpapi.ImportSummary, error) {
	c, err := d.client(e)
	if err != nil {
		return httpapi.ImportSummary{}, err
	}
	bar := newProgress(d.showProgress(e), e.stderr, "uploading", "bytes", size)
	defer bar.finish()
	if format == httpapi.FormatCassandra {
		return c.ImportCassandraDir(ctx, path, merge, bar.setIfOn())
	}
	file, err := os.Open(path)
	if err != nil {
		return httpapi.ImportSummary{}, err
	}
	defer file.Close()
	return c.ImportDump(ctx, file, size, merge, bar.setIfOn())
}

// setIfOn returns p.set, or nil for a nil bar (the client then counts
// nothing).
func (p *progressBar) setIfOn() func(done, total int64) {
	if p == nil {
		return nil
	}
	return p.set
}

func importLocal(ctx context.Context, d *dumpFlags, e *env, path, format string, size int64, merge bool) (httpapi.ImportSummary, error) {
	spec, err := app.ParseSpec(d.store, d.data)
	if err != nil {
		return httpapi.ImportSummary{}, err
	}
	show := d.showProgress(e)
	var data []byte
	if format == httpapi.FormatDump {
		file, err := os.Open(path)
		if err != nil {
			return httpapi.ImportSummary{}, err
		}
		bar := newProgress(show, e.stderr, "reading", "bytes", size)
		data, err = io.ReadAll(&countingReader{r: file, p: bar, size: size})
		bar.finish()
		file.Close()
		if err != nil {
			return httpapi.ImportSummary{}, err
		}
	}
	run := func(st store.Store) (dump.Summary, error) {
		opts := dump.ImportOptions{Merge: merge, Name: path}
		if format == httpapi.FormatDump {
			return dump.Import(ctx, st, bytes.NewReader(data), opts)
		}
		return dump.ImportCassandraDir(ctx, st, path, opts)
	}
	// With a bar, a dry run into memory validates the input and counts
	// its rows, so that the real run can show how far it is.
	var total int64
	if show && !merge {
		s, err := run(memstore.New())
		if err != nil {
			return httpapi.ImportSummary{}, err
		}
		total = int64(s.Rows())
	}
	st, closer, err := app.OpenStore(ctx, spec, app.StoreOptions{LockTimeout: d.lockTimeoutOr()})
	if err != nil {
		return httpapi.ImportSummary{}, err
	}
	defer closer.Close()
	bar := newProgress(show, e.stderr, "importing", "rows", total)
	sum, err := run(withRowProgress(st, bar))
	bar.finish()
	if err != nil {
		return httpapi.SummaryOf(sum), err
	}
	return httpapi.SummaryOf(sum), nil
}

// lockTimeoutOr is the lock wait of the commands that open the store
// directly: short, since a running server holds the lock for good.
func (t *target) lockTimeoutOr() time.Duration {
	if t.lockTimeout != 0 {
		return t.lockTimeout
	}
	return defaultCLILockTimeout
}

const exportDescription = `
Write everything the store holds as a JSON dump (roles with their password
hashes, memberships, grants, network and CIDR permissions, CIDR groups,
identities and declared schema names) to standard output, or to the file of
-o, created with mode 0600 and replaced only once complete. The dump holds
password hashes: protect it like the store.

Without --server the store is opened directly (the server must not be
running on it); with --server the dump comes from the running server's API
(superusers only).`

func runExport(ctx context.Context, args []string, e *env) int {
	var d dumpFlags
	var out string
	f := newFlags("export", "export [flags]", exportDescription)
	d.add(f)
	f.StringVar(&out, "output", "", "write the dump to `file` instead of standard output")
	f.alias("o", "output")
	if err := d.parse(f, args, e); err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		return fail(e, "export", err)
	}
	if f.NArg() > 0 {
		return fail(e, "export", fmt.Errorf("unexpected arguments: %s", strings.Join(f.Args(), " ")))
	}
	bar := newProgress(d.showProgress(e), e.stderr, "exporting", "bytes", 0)
	write := func(w io.Writer) error {
		if d.server != "" {
			c, err := d.client(e)
			if err != nil {
				return err
			}
			_, err = c.Export(ctx, w, bar.setIfOn())
			return err
		}
		spec, err := app.ParseSpec(d.store, d.data)
		if err != nil {
			return err
		}
		st, closer, err := app.OpenStore(ctx, spec, app.StoreOptions{LockTimeout: d.lockTimeoutOr(), MustExist: true})
		if err != nil {
			return err
		}
		defer closer.Close()
		return dump.Export(ctx, st, &countingWriter{w: w, p: bar})
	}
	var err error
	if out == "" {
		err = write(e.stdout)
	} else {
		err = writeFileAtomic(out, write)
	}
	bar.finish()
	if err != nil {
		return fail(e, "export", err)
	}
	return exitOK
}

// writeFileAtomic writes path through fill: into a temporary file in the
// same directory (mode 0600), synced and renamed over path once complete,
// so that path never holds a partial file.
func writeFileAtomic(path string, fill func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
