package roles

import (
	"context"
	"errors"
	"time"

	"github.com/cassauth/cassauth/store"
)

// identityWarnEvery is the rate limit of the "No such identity" warning
// (Cassandra's NoSpamLogger interval for it).
const identityWarnEvery = time.Minute

// RoleForIdentity returns the role an mTLS identity maps to, or "" if none.
// An unknown identity is also logged at WARN, "No such identity <identity>
// in the identity_to_roles table", at most once a minute (Cassandra's
// text and rate). Errors: the store's.
func (t *Table) RoleForIdentity(ctx context.Context, identity string) (string, error) {
	role, err := t.st.GetIdentity(ctx, identity)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			t.warnNoIdentity(ctx, identity)
			return "", nil
		}
		return "", err
	}
	return role, nil
}

// warnNoIdentity logs the missing-identity warning unless one was logged
// within the last minute.
func (t *Table) warnNoIdentity(ctx context.Context, identity string) {
	now := t.now().UnixNano()
	last := t.lastIdentityWarn.Load()
	if last != 0 && now-last < int64(identityWarnEvery) {
		return
	}
	if !t.lastIdentityWarn.CompareAndSwap(last, now) {
		return // another goroutine is logging it
	}
	t.log.WarnContext(ctx, "No such identity "+identity+" in the identity_to_roles table")
}

// AuthorizedIdentities returns every identity and the role it maps to.
// Errors: the store's.
func (t *Table) AuthorizedIdentities(ctx context.Context) (map[string]string, error) {
	return t.st.ListIdentities(ctx)
}

// AddIdentity maps identity to role. The role is not checked (the ADD
// IDENTITY statement does that). An identity that is already mapped, to any
// role, is a CodeServerError [*Error] "Identity is already associated with
// another role, cannot associate it with role <role>" wrapping
// [store.ErrExists] (Cassandra throws IllegalStateException, a server error
// on the wire). Other errors: the store's.
func (t *Table) AddIdentity(ctx context.Context, identity, role string) error {
	if err := t.st.AddIdentity(ctx, identity, role); err != nil {
		if errors.Is(err, store.ErrExists) {
			return Wrap(CodeServerError, err, "Identity is already associated with another role, cannot associate it with role "+role)
		}
		return err
	}
	return nil
}

// IsExistingIdentity reports whether identity is mapped to a role.
// Errors: the store's.
func (t *Table) IsExistingIdentity(ctx context.Context, identity string) (bool, error) {
	_, err := t.st.GetIdentity(ctx, identity)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	}
	return false, err
}

// DropIdentity removes identity's mapping; an unknown identity is a no-op.
// Errors: the store's.
func (t *Table) DropIdentity(ctx context.Context, identity string) error {
	return t.st.DropIdentity(ctx, identity)
}
