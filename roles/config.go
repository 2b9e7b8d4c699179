package roles

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cassauth/cassauth/internal/passwd"
	"github.com/cassauth/cassauth/store"
)

// Default superuser of Cassandra (CassandraRoleManager.DEFAULT_SUPERUSER_NAME
// and DEFAULT_SUPERUSER_PASSWORD).
const (
	DefaultSuperuserName     = "cassandra"
	DefaultSuperuserPassword = "cassandra"
)

// Config configures [NewCassandra]. The zero value of every field except
// Store means something documented; NewCassandra validates the rest.
type Config struct {
	// Store holds the role tables. Required.
	Store store.Store

	// PasswordAuthentication says the configured authenticator is a
	// PasswordAuthenticator (or builds on one). Then CREATE/ALTER ROLE
	// support LOGIN, SUPERUSER, PASSWORD and HASHED_PASSWORD, and a role may
	// change its own PASSWORD and HASHED_PASSWORD; otherwise only LOGIN and
	// SUPERUSER are supported and nothing is alterable by the role itself.
	// False (the zero value) is Cassandra's behaviour with the
	// AllowAllAuthenticator.
	PasswordAuthentication bool

	// Hasher turns a PASSWORD option into the stored bcrypt hash. Nil means
	// [BcryptHasher] at [passwd.DefaultCost] (10), without a concurrency
	// bound.
	Hasher Hasher

	// Logger receives the default-superuser and missing-identity messages.
	// Nil discards them.
	Logger *slog.Logger

	// Now is the clock used to rate-limit the "No such identity" warning.
	// Nil means time.Now.
	Now func() time.Time

	// DisableDefaultSuperuser makes Setup do nothing: no default role is
	// ever created. An embedding server that provisions its roles itself
	// sets it.
	DisableDefaultSuperuser bool

	// DefaultRole replaces the default superuser that Setup creates when no
	// role exists. Nil means Cassandra's: role "cassandra" with password
	// "cassandra" (and a warning in the log that it must be replaced).
	// Ignored when DisableDefaultSuperuser is set.
	DefaultRole *DefaultRole
}

// DefaultRole is the first role Setup creates when the role table is empty:
// a superuser that may log in. Exactly one of Password and HashedPassword
// must be set. It redacts its secrets when formatted or logged.
type DefaultRole struct {
	// Name is the role's name. Required.
	Name string
	// Password is hashed with the configured [Hasher].
	Password string
	// HashedPassword is stored verbatim; it must be a bcrypt hash
	// (see [passwd.ValidateHashed]).
	HashedPassword string
}

func (d DefaultRole) redacted() string {
	pw, hashed := "<none>", "<none>"
	if d.Password != "" {
		pw = "<redacted>"
	}
	if d.HashedPassword != "" {
		hashed = "<redacted>"
	}
	return fmt.Sprintf("{Name:%q Password:%s HashedPassword:%s}", d.Name, pw, hashed)
}

// String formats d with its secrets redacted.
func (d DefaultRole) String() string { return d.redacted() }

// GoString formats d for %#v with its secrets redacted.
func (d DefaultRole) GoString() string { return "roles.DefaultRole" + d.redacted() }

// LogValue makes slog print d without its secrets.
func (d DefaultRole) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", d.Name),
		slog.Bool("has_password", d.Password != ""),
		slog.Bool("has_hashed_password", d.HashedPassword != ""),
	)
}

// validate checks d, with configuration errors (CodeConfigError).
func (d *DefaultRole) validate() error {
	switch {
	case d.Name == "":
		return Errorf(CodeConfigError, "roles: DefaultRole.Name must not be empty")
	case d.Password == "" && d.HashedPassword == "":
		return Errorf(CodeConfigError, "roles: DefaultRole needs one of Password, HashedPassword")
	case d.Password != "" && d.HashedPassword != "":
		return Errorf(CodeConfigError, "roles: DefaultRole takes only one of Password, HashedPassword")
	case d.HashedPassword != "":
		if err := passwd.ValidateHashed(d.HashedPassword); err != nil {
			return Wrap(CodeConfigError, err, "roles: DefaultRole.HashedPassword: "+passwd.HashedPasswordMessage)
		}
	}
	return nil
}

// Hasher turns a clear-text password into the bcrypt hash stored in the
// roles table. Implementations must be safe for concurrent use, must honour
// ctx (a hasher that queues for a CPU slot gives up when ctx is done), and
// must never include the password in an error.
type Hasher interface {
	Hash(ctx context.Context, password string) (string, error)
}

// BcryptHasher hashes with [passwd.Hash] at Cost; zero Cost means
// [passwd.DefaultCost]. It runs bcrypt on the calling goroutine, with no
// bound on concurrency. Safe for concurrent use.
type BcryptHasher struct {
	Cost int
}

// Hash returns a "$2a$" bcrypt hash of password, or ctx.Err() if ctx is
// already done, or a [*passwd.CostError] for a cost outside 4..30.
func (h BcryptHasher) Hash(ctx context.Context, password string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	cost := h.Cost
	if cost == 0 {
		cost = passwd.DefaultCost
	}
	return passwd.Hash(password, cost)
}
