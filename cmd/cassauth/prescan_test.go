package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPreScanConfig checks that the config file read before flag parsing is
// the one the flag package keeps: the last --config given.
func TestPreScanConfig(t *testing.T) {
	e := &env{getenv: func(k string) string {
		if k == envName("config") {
			return "from-env.yaml"
		}
		return ""
	}}
	cases := []struct {
		args []string
		want string
	}{
		{nil, "from-env.yaml"},
		{[]string{"--config", "a.yaml"}, "a.yaml"},
		{[]string{"--config=a.yaml", "-config", "b.yaml"}, "b.yaml"},
		{[]string{"-config", "a.yaml", "--config=b.yaml"}, "b.yaml"},
		{[]string{"--config", "a.yaml", "--", "--config", "b.yaml"}, "a.yaml"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, preScan(c.args, e), "%q", c.args)
	}
}
