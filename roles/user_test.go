package roles

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cassauth/cassauth/resource"
)

func TestUsers(t *testing.T) {
	tests := []struct {
		name            string
		u               User
		wantName        string
		anon, sys, zero bool
		str             string
	}{
		{name: "anonymous", u: Anonymous, wantName: "anonymous", anon: true, str: "#<User anonymous>"},
		{name: "system", u: System, wantName: "system", sys: true, str: "#<User system>"},
		{name: "role", u: NewUser("alice"), wantName: "alice", str: "#<User alice>"},
		{name: "role named anonymous", u: NewUser("anonymous"), wantName: "anonymous", str: "#<User anonymous>"},
		{name: "zero", u: User{}, zero: true, str: "#<User >"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantName, tt.u.Name())
			assert.Equal(t, tt.anon, tt.u.IsAnonymous())
			assert.Equal(t, tt.sys, tt.u.IsSystem())
			assert.Equal(t, tt.zero, tt.u.IsZero())
			assert.Equal(t, tt.str, tt.u.String())
			assert.Equal(t, resource.Role(tt.wantName), tt.u.Resource())
		})
	}
	assert.NotEqual(t, Anonymous, NewUser(AnonymousName), "a role named anonymous is not the anonymous user")
	assert.Equal(t, NewUser("alice"), NewUser("alice"))
	m := map[User]int{NewUser("alice"): 1}
	assert.Equal(t, 1, m[NewUser("alice")], "users are usable as map keys")
}
