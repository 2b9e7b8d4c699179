package roles

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cassauth/cassauth/internal/passwd"
)

// goodHash is passwd.Hash("hashed-secret", 4).
const goodHash = "$2a$04$Hsw63X1sMrLy.iPmRyRR0.6wxN/MXljunKS7LLN8aNN/A4jA5Y/4W"

func TestGoodHashIsValid(t *testing.T) {
	require.NoError(t, passwd.ValidateHashed(goodHash))
}

func TestValidateOptions(t *testing.T) {
	all := passwordSupported
	tests := []struct {
		name      string
		supported OptionSet
		opts      Options
		msg       string // "" = valid
		cause     error
	}{
		{name: "empty", supported: plainSupported},
		{name: "login and superuser", supported: plainSupported, opts: Options{Login: ptr(true), Superuser: ptr(false)}},
		{name: "password supported", supported: all, opts: Options{Password: ptr("pw")}},
		{name: "hashed supported", supported: all, opts: Options{HashedPassword: ptr(goodHash)}},
		{
			name: "password unsupported", supported: plainSupported, opts: Options{Password: ptr("pw")},
			msg: "org.apache.cassandra.auth.CassandraRoleManager doesn't support PASSWORD",
		},
		{
			name: "hashed unsupported", supported: plainSupported, opts: Options{HashedPassword: ptr(goodHash)},
			msg: "org.apache.cassandra.auth.CassandraRoleManager doesn't support HASHED_PASSWORD",
		},
		{
			name: "options never supported", supported: all, opts: Options{Custom: map[string]string{}},
			msg: "org.apache.cassandra.auth.CassandraRoleManager doesn't support OPTIONS",
		},
		{
			name: "first unsupported in option order", supported: 0,
			opts: Options{Login: ptr(true), Superuser: ptr(true)},
			msg:  "org.apache.cassandra.auth.CassandraRoleManager doesn't support SUPERUSER",
		},
		{
			name: "mutually exclusive", supported: all,
			opts: Options{Password: ptr("pw"), HashedPassword: ptr(goodHash)},
			msg:  "Properties 'PASSWORD' and 'HASHED_PASSWORD' are mutually exclusive",
		},
		{
			name: "bad hash", supported: all, opts: Options{HashedPassword: ptr("not a hash")},
			msg: "Invalid hashed password value. Please use jBcrypt.", cause: passwd.ErrInvalidHashed,
		},
		{
			name: "hash with trailing garbage", supported: all, opts: Options{HashedPassword: ptr(goodHash + "x")},
			msg: "Invalid hashed password value. Please use jBcrypt.", cause: passwd.ErrInvalidHashed,
		},
		{
			name: "empty hash", supported: all, opts: Options{HashedPassword: ptr("")},
			msg: "Invalid hashed password value. Please use jBcrypt.", cause: passwd.ErrInvalidHashed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateOptions(CassandraRoleManagerClass, tt.supported, tt.opts)
			if tt.msg == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.msg, err.Error())
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Equal(t, CodeInvalid, CodeOf(err))
			if tt.cause != nil {
				assert.ErrorIs(t, err, tt.cause)
			}
		})
	}
}

func TestSupportedAndAlterableOptions(t *testing.T) {
	tests := []struct {
		name                 string
		password             bool
		supported, alterable string
	}{
		{"password authenticator", true, "[SUPERUSER, PASSWORD, LOGIN, HASHED_PASSWORD]", "[PASSWORD, HASHED_PASSWORD]"},
		{"other authenticator", false, "[SUPERUSER, LOGIN]", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, _ := newTable(t, func(c *Config) { c.PasswordAuthentication = tt.password })
			assert.Equal(t, tt.supported, tb.SupportedOptions().String())
			assert.Equal(t, tt.alterable, tb.AlterableOptions().String())
			assert.False(t, tb.SupportedOptions().Has(OptOptions), "OPTIONS is never supported")
			assert.Equal(t, tb.SupportedOptions(), tb.SupportedOptions()|tb.AlterableOptions(), "alterable is a subset")
		})
	}
}

func TestOptionsRedaction(t *testing.T) {
	const secret = "s3cr3t-pw"
	const hashSecret = goodHash
	o := Options{Login: ptr(true), Password: ptr(secret), HashedPassword: ptr(hashSecret), Custom: map[string]string{"k": "v"}}
	want := "{LOGIN=true, PASSWORD=<redacted>, HASHED_PASSWORD=<redacted>, OPTIONS=map[k:v]}"

	var jsonBuf, textBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonBuf, nil)).Info("alter", "opts", o, "ptr", &o)
	slog.New(slog.NewTextHandler(&textBuf, nil)).Info("alter", "opts", o)

	outputs := map[string]string{
		"%v":         fmt.Sprintf("%v", o),
		"%+v":        fmt.Sprintf("%+v", o),
		"%s":         fmt.Sprintf("%s", o),
		"%#v":        fmt.Sprintf("%#v", o),
		"%v ptr":     fmt.Sprintf("%v", &o),
		"nested %+v": fmt.Sprintf("%+v", struct{ O Options }{o}),
		"nested %#v": fmt.Sprintf("%#v", struct{ O Options }{o}),
		"slog json":  jsonBuf.String(),
		"slog text":  textBuf.String(),
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			assert.NotContains(t, out, secret)
			assert.NotContains(t, out, goodHash[7:])
		})
	}
	assert.Equal(t, want, outputs["%v"])
	assert.Equal(t, "roles.Options"+want, outputs["%#v"])
	assert.Contains(t, outputs["slog text"], "PASSWORD=<redacted>")
	assert.Contains(t, outputs["slog json"], "PASSWORD=<redacted>")
}

func TestDefaultRoleRedaction(t *testing.T) {
	const secret = "first-pw"
	d := DefaultRole{Name: "admin", Password: secret}
	cfg := Config{DefaultRole: &d}
	var jsonBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonBuf, nil)).Info("cfg", "role", d, "ptr", &d)
	for name, out := range map[string]string{
		"%v":        fmt.Sprintf("%v", d),
		"%+v":       fmt.Sprintf("%+v", d),
		"%#v":       fmt.Sprintf("%#v", d),
		"%v ptr":    fmt.Sprintf("%v", &d),
		"config":    fmt.Sprintf("%+v", cfg),
		"config #":  fmt.Sprintf("%#v", cfg),
		"slog json": jsonBuf.String(),
	} {
		t.Run(name, func(t *testing.T) {
			assert.NotContains(t, out, secret)
		})
	}
	assert.Equal(t, `{Name:"admin" Password:<redacted> HashedPassword:<none>}`, d.String())
	assert.True(t, strings.HasPrefix(d.GoString(), "roles.DefaultRole{"))
	assert.Contains(t, jsonBuf.String(), `"has_password":true`)
}
