package roles

import "github.com/cassauth/cassauth/internal/passwd"

// CassandraRoleManagerClass is the Java class name of Cassandra's role
// manager, which Cassandra puts in "%s doesn't support %s". The table-backed
// manager reports itself under this name so that clients see Cassandra's
// exact text.
const CassandraRoleManagerClass = "org.apache.cassandra.auth.CassandraRoleManager"

// The option sets of Cassandra's role manager (5.0/4.1), with and without a
// password authenticator.
const (
	passwordSupported OptionSet = 1<<OptLogin | 1<<OptSuperuser | 1<<OptPassword | 1<<OptHashedPassword
	passwordAlterable OptionSet = 1<<OptPassword | 1<<OptHashedPassword
	plainSupported    OptionSet = 1<<OptLogin | 1<<OptSuperuser
	plainAlterable    OptionSet = 0
)

// ValidateOptions checks opts as Cassandra's RoleOptions.validate does,
// option by option in [Option] order, and returns an InvalidRequest
// [*Error] with Cassandra's text for the first problem:
//
//   - an option outside supported: "<manager> doesn't support <OPTION>"
//     (manager is the role manager's class name, e.g.
//     [CassandraRoleManagerClass]);
//   - PASSWORD together with HASHED_PASSWORD:
//     "Properties 'PASSWORD' and 'HASHED_PASSWORD' are mutually exclusive";
//   - a HASHED_PASSWORD that is not a bcrypt hash:
//     "Invalid hashed password value. Please use jBcrypt."
//     (the cause, [passwd.ErrInvalidHashed], is reachable with errors.Is).
//
// Type errors ("It must be a boolean") cannot occur with typed [Options];
// they belong to the statement parser.
func ValidateOptions(manager string, supported OptionSet, opts Options) error {
	given := opts.Given()
	for o := Option(0); int(o) < len(optionNames); o++ {
		if !given.Has(o) {
			continue
		}
		if !supported.Has(o) {
			return Errorf(CodeInvalid, "%s doesn't support %s", manager, o)
		}
		switch o {
		case OptPassword, OptHashedPassword:
			if given.Has(OptPassword) && given.Has(OptHashedPassword) {
				return Errorf(CodeInvalid, "Properties '%s' and '%s' are mutually exclusive", OptPassword, OptHashedPassword)
			}
			if o == OptHashedPassword {
				if err := passwd.ValidateHashed(*opts.HashedPassword); err != nil {
					return Wrap(CodeInvalid, err, passwd.HashedPasswordMessage)
				}
			}
		}
	}
	return nil
}
