package conformance

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
)

// feedLog records the changes a subscriber receives.
type feedLog struct {
	mu      sync.Mutex
	changes []store.Change
}

func (l *feedLog) add(ch store.Change) {
	l.mu.Lock()
	l.changes = append(l.changes, ch)
	l.mu.Unlock()
}

// take returns the changes received so far and forgets them.
func (l *feedLog) take() []store.Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.changes
	l.changes = nil
	return out
}

// subscribeLog registers a feedLog with the store's ChangeFeed.
func subscribeLog(c *checker, s store.Store) (*feedLog, func()) {
	c.Helper()
	f, ok := s.(store.ChangeFeed)
	if !ok {
		c.Fatalf("the store does not implement store.ChangeFeed")
	}
	l := &feedLog{}
	return l, f.Subscribe(l.add)
}

// touched is what a write must report: for each kind, the keys.
type touched struct {
	kind       store.ChangeKind
	alsoKind   store.ChangeKind // a second kind that may carry the identities (DropRole)
	roles      []string
	resources  []string
	identities []string
}

// missing returns what changes fail to report of t, or "". A ChangeReset
// covers everything.
func (t touched) missing(changes []store.Change) string {
	seen := map[string]bool{}
	kindSeen := false
	for _, ch := range changes {
		if ch.Kind == store.ChangeReset {
			return ""
		}
		if ch.Kind != t.kind && (t.alsoKind == store.ChangeReset || ch.Kind != t.alsoKind) {
			continue
		}
		if ch.Kind == t.kind {
			kindSeen = true
			for _, r := range ch.Roles {
				seen["role "+r] = true
			}
			for _, r := range ch.Resources {
				seen["resource "+r] = true
			}
		}
		for _, id := range ch.Identities {
			seen["identity "+id] = true
		}
	}
	var miss []string
	if !kindSeen {
		miss = append(miss, "a change of kind "+t.kind.String())
	}
	for _, r := range t.roles {
		if !seen["role "+r] {
			miss = append(miss, "role "+r)
		}
	}
	for _, r := range t.resources {
		if !seen["resource "+r] {
			miss = append(miss, "resource "+r)
		}
	}
	for _, id := range t.identities {
		if !seen["identity "+id] {
			miss = append(miss, "identity "+id)
		}
	}
	return strings.Join(miss, ", ")
}

// wantReported checks that the changes delivered so far report t.
func wantReported(r reporter, changes []store.Change, t touched, what string, args ...any) {
	r.Helper()
	if miss := t.missing(changes); miss != "" {
		r.Errorf("%s: the change feed did not report %s before the call returned; got %s",
			fmt.Sprintf(what, args...), miss, showChanges(changes))
	}
}

func showChanges(changes []store.Change) string {
	if len(changes) == 0 {
		return "no change"
	}
	parts := make([]string, len(changes))
	for i, ch := range changes {
		parts[i] = fmt.Sprintf("{%v roles=%q resources=%q identities=%q}", ch.Kind, ch.Roles, ch.Resources, ch.Identities)
	}
	return strings.Join(parts, " ")
}

func changeFeedChecks() []storeCheck {
	return []storeCheck{
		{name: "EveryWriteReports", needs: needsChangeFeed, run: func(c *checker, s store.Store) {
			seedForCalls(c, s)
			log, cancel := subscribeLog(c, s)
			defer cancel()
			steps := []struct {
				call storeCall
				want touched
			}{}
			for _, call := range allCalls() {
				var t touched
				switch call.name {
				case "CreateRole":
					t = touched{kind: store.ChangeRole, roles: []string{"new"}}
				case "UpdateRole":
					t = touched{kind: store.ChangeRole, roles: []string{"r"}}
				case "DropRole":
					t = touched{kind: store.ChangeRole, roles: []string{"victim"}}
				case "GrantRole":
					t = touched{kind: store.ChangeMembership, roles: []string{"u", "r"}}
				case "RevokeRole":
					t = touched{kind: store.ChangeMembership, roles: []string{"victim", "r"}}
				case "AddPermissions":
					t = touched{kind: store.ChangePermissions, roles: []string{"r"}, resources: []string{resT2}}
				case "RemovePermissions", "RevokeAllOn":
					t = touched{kind: store.ChangePermissions, roles: []string{"r"}, resources: []string{resT1}}
				case "RevokeAllFrom":
					t = touched{kind: store.ChangePermissions, roles: []string{"u"}, resources: []string{resT2}}
				case "SetDatacenters":
					t = touched{kind: store.ChangeNetwork, roles: []string{"u"}}
				case "DropDatacenters":
					t = touched{kind: store.ChangeNetwork, roles: []string{"r"}}
				case "SetCIDRPermissions":
					t = touched{kind: store.ChangeCIDR, roles: []string{"u"}}
				case "DropCIDRPermissions":
					t = touched{kind: store.ChangeCIDR, roles: []string{"r"}}
				case "SetCIDRGroup", "DropCIDRGroup":
					t = touched{kind: store.ChangeCIDR}
				case "AddIdentity":
					t = touched{kind: store.ChangeIdentity, identities: []string{"id2"}}
				case "DropIdentity":
					t = touched{kind: store.ChangeIdentity, identities: []string{"id"}}
				default:
					continue // a read
				}
				steps = append(steps, struct {
					call storeCall
					want touched
				}{call, t})
			}
			for _, st := range steps {
				log.take()
				noErr(c, st.call.do(c.ctx, s), "%s", st.call.name)
				wantReported(c, log.take(), st.want, "%s", st.call.name)
			}
		}},
		{name: "DropRoleReportsMembers", needs: needsChangeFeed, run: func(c *checker, s store.Store) {
			createRoles(c, s, "parent", "dropped", "m1", "m2", "bystander")
			noErr(c, s.GrantRole(c.ctx, "parent", "dropped"), "GrantRole")
			noErr(c, s.GrantRole(c.ctx, "dropped", "m1"), "GrantRole")
			noErr(c, s.GrantRole(c.ctx, "dropped", "m2"), "GrantRole")
			noErr(c, s.AddIdentity(c.ctx, "id-dropped", "dropped"), "AddIdentity")
			log, cancel := subscribeLog(c, s)
			defer cancel()
			noErr(c, s.DropRole(c.ctx, "dropped"), "DropRole")
			wantReported(c, log.take(), touched{kind: store.ChangeRole, alsoKind: store.ChangeIdentity,
				roles: []string{"dropped", "m1", "m2"}, identities: []string{"id-dropped"}}, "DropRole")
		}},
		{name: "OrderAndFanOut", needs: needsChangeFeed, run: func(c *checker, s store.Store) {
			l1, cancel1 := subscribeLog(c, s)
			defer cancel1()
			l2, cancel2 := subscribeLog(c, s)
			defer cancel2()
			createRoles(c, s, "a", "b")
			noErr(c, s.GrantRole(c.ctx, "a", "b"), "GrantRole")
			_, err := s.AddPermissions(c.ctx, "b", resT1, permSet(resource.Select))
			noErr(c, err, "AddPermissions")
			noErr(c, s.AddIdentity(c.ctx, "id", "b"), "AddIdentity")
			kinds := func(chs []store.Change) []store.ChangeKind {
				var out []store.ChangeKind
				for _, ch := range chs {
					if len(out) == 0 || out[len(out)-1] != ch.Kind {
						out = append(out, ch.Kind)
					}
				}
				return out
			}
			got1, got2 := l1.take(), l2.take()
			want := []store.ChangeKind{store.ChangeRole, store.ChangeMembership, store.ChangePermissions, store.ChangeIdentity}
			wantEqual(c, kinds(got1), want, "kinds of changes, in order, for the first subscriber: %s", showChanges(got1))
			wantEqual(c, kinds(got2), want, "kinds of changes, in order, for the second subscriber: %s", showChanges(got2))
		}},
		{name: "Cancel", needs: needsChangeFeed, run: func(c *checker, s store.Store) {
			l1, cancel1 := subscribeLog(c, s)
			l2, cancel2 := subscribeLog(c, s)
			defer cancel2()
			cancel1()
			cancel1() // idempotent
			createRoles(c, s, "a")
			if got := l1.take(); len(got) != 0 {
				c.Errorf("a cancelled subscriber received %s", showChanges(got))
			}
			wantReported(c, l2.take(), touched{kind: store.ChangeRole, roles: []string{"a"}}, "CreateRole, to the remaining subscriber")
			cancel2()
			createRoles(c, s, "b")
			if got := l2.take(); len(got) != 0 {
				c.Errorf("a cancelled subscriber received %s", showChanges(got))
			}
		}},
		{name: "NoCallbackAfterCancel", long: true, needs: needsChangeFeed, run: func(c *checker, s store.Store) {
			f := s.(store.ChangeFeed)
			var cancelled, late atomic.Bool
			var calls atomic.Int32
			cancel := f.Subscribe(func(store.Change) {
				calls.Add(1)
				if cancelled.Load() {
					late.Store(true)
				}
			})
			var stop atomic.Bool
			var running atomic.Int32
			var wg sync.WaitGroup
			running.Store(2)
			for w := range 2 {
				wg.Go(func() {
					defer running.Add(-1)
					for i := 0; !stop.Load() && i < 100*concIterations; i++ {
						role := fmt.Sprintf("w%d", w)
						if _, err := s.AddPermissions(c.ctx, role, resT1, permSet(resource.Permission(i%10))); err != nil {
							c.Errorf("AddPermissions: %v", err)
							return
						}
						if _, err := s.RemovePermissions(c.ctx, role, resT1, permSet(resource.Permission(i%10))); err != nil {
							c.Errorf("RemovePermissions: %v", err)
							return
						}
					}
				})
			}
			for calls.Load() < 20 && running.Load() > 0 {
				runtime.Gosched()
			}
			cancel()
			cancelled.Store(true)
			for range 200 { // let the writers run on after cancel
				runtime.Gosched()
			}
			stop.Store(true)
			wg.Wait()
			if late.Load() {
				c.Errorf("a callback ran after its cancel function returned")
			}
		}},
	}
}
