// Package passwd is cassauth's bcrypt policy, shared by the role manager
// (which hashes passwords on CREATE/ALTER ROLE) and the authenticators (which
// verify them). It reproduces what Cassandra's hashes require: jBCrypt's
// "$2a$" format, a cost between 4 and 30, and passwords of any length of which
// only the first 72 bytes count.
package passwd

import (
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Cost bounds and default (Cassandra's cassandra.auth_bcrypt_gensalt_log2_rounds).
const (
	MinCost     = 4
	MaxCost     = 30
	DefaultCost = 10
	// MaxKeyBytes is how much of a password bcrypt uses.
	MaxKeyBytes = 72
)

// ErrBadCost is wrapped by [ValidateCost]'s error.
var ErrBadCost = errors.New("bad bcrypt cost")

// CostError reports a cost outside 4..30 with Cassandra's message.
type CostError struct{ Cost int }

// Error returns Cassandra's message for a bad cost.
func (e *CostError) Error() string {
	return "Bad value for system property cassandra.auth_bcrypt_gensalt_log2_rounds.Please use a value between 4 and 30 inclusively"
}

// Unwrap returns ErrBadCost.
func (e *CostError) Unwrap() error { return ErrBadCost }

// ValidateCost returns a *CostError unless 4 <= cost <= 30.
func ValidateCost(cost int) error {
	if cost < MinCost || cost > MaxCost {
		return &CostError{Cost: cost}
	}
	return nil
}

// truncate returns the part of password bcrypt uses.
func truncate(password string) []byte {
	b := []byte(password)
	if len(b) > MaxKeyBytes {
		b = b[:MaxKeyBytes]
	}
	return b
}

// Hash returns a "$2a$" bcrypt hash of password at cost, as jBCrypt's
// BCrypt.hashpw(password, BCrypt.gensalt(cost)) does. Passwords longer than
// 72 bytes are accepted; only their first 72 bytes count.
func Hash(password string, cost int) (string, error) {
	if err := ValidateCost(cost); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword(truncate(password), cost)
	if err != nil {
		return "", fmt.Errorf("passwd: hashing: %w", err)
	}
	// x/crypto/bcrypt writes "$2a$", the revision jBCrypt 0.4 reads.
	return string(h), nil
}

// ErrMalformedHash is returned by [Compare] for a stored hash that is not a
// bcrypt hash.
var ErrMalformedHash = errors.New("invalid password hash")

// Compare reports whether password matches hash, a "$2a$", "$2b$" or "$2y$"
// bcrypt hash. A mismatch is (false, nil); a malformed hash is
// (false, ErrMalformedHash), which callers treat as a mismatch after logging.
// Only the first 72 bytes of password count, as in jBCrypt.
func Compare(hash, password string) (bool, error) {
	if err := ValidateHashed(hash); err != nil {
		return false, ErrMalformedHash
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), truncate(password))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	}
	return false, ErrMalformedHash
}

// HashedPasswordMessage is Cassandra's message for a HASHED PASSWORD value
// that is not a bcrypt hash.
const HashedPasswordMessage = "Invalid hashed password value. Please use jBcrypt."

// ErrInvalidHashed is returned by [ValidateHashed]; its text is
// [HashedPasswordMessage].
var ErrInvalidHashed = errors.New(HashedPasswordMessage)

const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// ValidateHashed checks a HASHED PASSWORD value: "$2a$", "$2b$" or "$2y$",
// a two-digit cost from 4 to 30, "$", then 53 characters of bcrypt's base64
// alphabet (22 of salt, 31 of hash). Cassandra only parses the prefix and
// salt and stores trailing garbage that can never verify; cassauth rejects it
// with the same message. The cost bound is jBCrypt's (crypt_raw refuses
// "Bad number of rounds" above 30), so a cost-31 hash, which Cassandra can
// never verify and which would hold a hashing slot for days, is refused too.
func ValidateHashed(hash string) error {
	if len(hash) != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$' {
		return ErrInvalidHashed
	}
	switch hash[2] {
	case 'a', 'b', 'y':
	default:
		return ErrInvalidHashed
	}
	if hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9' {
		return ErrInvalidHashed
	}
	if cost := int(hash[4]-'0')*10 + int(hash[5]-'0'); cost < MinCost || cost > MaxCost {
		return ErrInvalidHashed
	}
	for i := 7; i < len(hash); i++ {
		if !isAlphabet(hash[i]) {
			return ErrInvalidHashed
		}
	}
	return nil
}

func isAlphabet(c byte) bool {
	for i := 0; i < len(bcryptAlphabet); i++ {
		if bcryptAlphabet[i] == c {
			return true
		}
	}
	return false
}

// Cost returns the cost recorded in a bcrypt hash, or an error for a
// malformed one.
func Cost(hash string) (int, error) {
	if err := ValidateHashed(hash); err != nil {
		return 0, err
	}
	return int(hash[4]-'0')*10 + int(hash[5]-'0'), nil
}

// Equal compares two secrets in constant time (for their length).
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
