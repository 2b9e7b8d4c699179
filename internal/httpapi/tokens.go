package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/cassauth/cassauth/store"
)

// Defaults of the token store.
const (
	DefaultTokenTTL  = time.Hour
	DefaultMaxTokens = 100_000
)

// tokenBytes is the entropy of a token: 32 random bytes, 43 characters of
// unpadded base64url.
const tokenBytes = 32

// Errors of the token store; the handlers turn them into a 401 with
// MsgInvalidToken (and never say which one it was).
var (
	errTokenUnknown = errors.New("unknown token")
	errTokenExpired = errors.New("token expired")
	errTokenRevoked = errors.New("token revoked: the role was dropped or its password or LOGIN changed")
	errNoSuchRole   = errors.New("role does not exist")
)

// fingerprint is a keyed hash of what a token depends on: the role's name,
// salted hash and LOGIN flag. A token whose fingerprint no longer matches
// the role's is dead.
type fingerprint [sha256.Size]byte

// tokenEntry is one live token. The map key is the SHA-256 of the token,
// so the tokens themselves are not kept in memory.
type tokenEntry struct {
	role      string
	anonymous bool // AllowAllAuthenticator's anonymous user: no role row
	fp        fingerprint
	expires   time.Time
}

// tokens is the in-memory token store. Tokens are random, expire after the
// TTL, and die when their role is dropped or its password or LOGIN flag
// changes: every use compares the role's current fingerprint with the one
// taken at issue. Fingerprints are cached per role when the store has a
// change feed (which drops them on every change of the role), and read from
// the store on each use otherwise.
//
// It is safe for concurrent use.
type tokens struct {
	st  store.Store
	ttl time.Duration
	max int
	now func() time.Time
	key [32]byte // HMAC key of the fingerprints, random per process

	mu        sync.Mutex // guards byHash and nextSweep
	byHash    map[[sha256.Size]byte]tokenEntry
	nextSweep time.Time

	fpMu    sync.Mutex // guards fps and gen
	fps     map[string]fingerprint
	gen     uint64 // bumped by every invalidation, so a load racing one is not cached
	cacheFP bool   // the store has a change feed
	cancel  func()
}

// newTokens returns a token store over st. With a change feed, it
// subscribes to it; close unsubscribes.
func newTokens(st store.Store, ttl time.Duration, max int, now func() time.Time) (*tokens, error) {
	t := &tokens{st: st, ttl: ttl, max: max, now: now, byHash: map[[sha256.Size]byte]tokenEntry{}, fps: map[string]fingerprint{}}
	if _, err := rand.Read(t.key[:]); err != nil {
		return nil, err
	}
	if feed, ok := st.(store.ChangeFeed); ok {
		t.cacheFP = true
		t.cancel = feed.Subscribe(t.onChange)
	}
	return t, nil
}

// close unsubscribes from the change feed. Idempotent.
func (t *tokens) close() {
	if t.cancel != nil {
		t.cancel()
	}
}

// onChange drops the cached fingerprints a change may have altered.
func (t *tokens) onChange(c store.Change) {
	switch c.Kind {
	case store.ChangeRole:
		t.fpMu.Lock()
		for _, r := range c.Roles {
			delete(t.fps, r)
		}
		t.gen++
		t.fpMu.Unlock()
	case store.ChangeMembership, store.ChangePermissions, store.ChangeNetwork,
		store.ChangeCIDR, store.ChangeIdentity, store.ChangeSchema:
		// Tokens do not depend on these.
	default: // ChangeReset, or a kind this version does not know
		t.fpMu.Lock()
		clear(t.fps)
		t.gen++
		t.fpMu.Unlock()
	}
}

// fingerprint returns role's current fingerprint, or errNoSuchRole.
func (t *tokens) fingerprint(ctx context.Context, role string) (fingerprint, error) {
	var gen uint64
	if t.cacheFP {
		t.fpMu.Lock()
		fp, ok := t.fps[role]
		gen = t.gen
		t.fpMu.Unlock()
		if ok {
			return fp, nil
		}
	}
	rec, err := t.st.GetRole(ctx, role)
	if errors.Is(err, store.ErrNotFound) {
		return fingerprint{}, errNoSuchRole
	}
	if err != nil {
		return fingerprint{}, err
	}
	mac := hmac.New(sha256.New, t.key[:])
	mac.Write([]byte(rec.Name))
	mac.Write([]byte{0})
	mac.Write([]byte(rec.SaltedHash))
	if rec.CanLogin {
		mac.Write([]byte{0, 1})
	} else {
		mac.Write([]byte{0, 0})
	}
	var fp fingerprint
	mac.Sum(fp[:0])
	if t.cacheFP {
		t.fpMu.Lock()
		if t.gen == gen {
			t.fps[role] = fp
		}
		t.fpMu.Unlock()
	}
	return fp, nil
}

// issue returns a new token for role (the anonymous user when anonymous)
// and its expiry. Errors: errNoSuchRole, the store's, or the system's
// random source's.
func (t *tokens) issue(ctx context.Context, role string, anonymous bool) (string, time.Time, error) {
	e := tokenEntry{role: role, anonymous: anonymous}
	if !anonymous {
		fp, err := t.fingerprint(ctx, role)
		if err != nil {
			return "", time.Time{}, err
		}
		e.fp = fp
	}
	var raw [tokenBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", time.Time{}, err
	}
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	now := t.now()
	e.expires = now.Add(t.ttl)
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.byHash) >= t.max || !now.Before(t.nextSweep) {
		t.sweepLocked(now)
	}
	t.byHash[sha256.Sum256([]byte(tok))] = e
	return tok, e.expires, nil
}

// sweepLocked drops expired tokens and, if the store is still full, the
// one closest to expiry, so that a flood of logins cannot grow memory
// without bound. t.mu must be held.
func (t *tokens) sweepLocked(now time.Time) {
	for h, e := range t.byHash {
		if !now.Before(e.expires) {
			delete(t.byHash, h)
		}
	}
	for len(t.byHash) >= t.max && len(t.byHash) > 0 {
		var oldest [sha256.Size]byte
		first := true
		var at time.Time
		for h, e := range t.byHash {
			if first || e.expires.Before(at) {
				oldest, at, first = h, e.expires, false
			}
		}
		delete(t.byHash, oldest)
	}
	interval := t.ttl / 2
	if interval > time.Minute {
		interval = time.Minute
	}
	t.nextSweep = now.Add(interval)
}

// verify returns the role of a live token and whether it is the anonymous
// user. Errors: errTokenUnknown, errTokenExpired, errTokenRevoked (the
// token is then forgotten), or the store's error when the role could not
// be read (the token stays: the store may come back).
func (t *tokens) verify(ctx context.Context, tok string) (string, bool, error) {
	if len(tok) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return "", false, errTokenUnknown
	}
	h := sha256.Sum256([]byte(tok))
	t.mu.Lock()
	e, ok := t.byHash[h]
	t.mu.Unlock()
	if !ok {
		return "", false, errTokenUnknown
	}
	if !t.now().Before(e.expires) {
		t.forget(h)
		return "", false, errTokenExpired
	}
	if e.anonymous {
		return e.role, true, nil
	}
	fp, err := t.fingerprint(ctx, e.role)
	if errors.Is(err, errNoSuchRole) || err == nil && !hmac.Equal(fp[:], e.fp[:]) {
		t.forget(h)
		return "", false, errTokenRevoked
	}
	if err != nil {
		return "", false, err
	}
	return e.role, false, nil
}

// recheck compares every token of role with the role's current
// fingerprint, read afresh, and forgets those that no longer match (all of
// them when the role is gone). The API calls it after each statement that
// may change a role's password or LOGIN flag, so that a change made through
// the API kills the tokens at once, even if it is undone before their next
// use. Errors: the store's (nothing is forgotten then).
func (t *tokens) recheck(ctx context.Context, role string) error {
	t.fpMu.Lock()
	delete(t.fps, role)
	t.gen++
	t.fpMu.Unlock()
	fp, err := t.fingerprint(ctx, role)
	gone := errors.Is(err, errNoSuchRole)
	if err != nil && !gone {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for h, e := range t.byHash {
		if e.role == role && !e.anonymous && (gone || !hmac.Equal(fp[:], e.fp[:])) {
			delete(t.byHash, h)
		}
	}
	return nil
}

// revoke forgets tok; it reports whether it was live.
func (t *tokens) revoke(tok string) bool {
	h := sha256.Sum256([]byte(tok))
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.byHash[h]
	delete(t.byHash, h)
	return ok
}

func (t *tokens) forget(h [sha256.Size]byte) {
	t.mu.Lock()
	delete(t.byHash, h)
	t.mu.Unlock()
}

// count returns the number of tokens held (expired ones not yet swept
// included).
func (t *tokens) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byHash)
}
