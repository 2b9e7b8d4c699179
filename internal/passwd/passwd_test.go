package passwd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateCost(t *testing.T) {
	for _, c := range []int{4, 10, 30} {
		assert.NoError(t, ValidateCost(c))
	}
	for _, c := range []int{-1, 0, 3, 31} {
		err := ValidateCost(c)
		require.ErrorIs(t, err, ErrBadCost)
		assert.Equal(t, "Bad value for system property cassandra.auth_bcrypt_gensalt_log2_rounds.Please use a value between 4 and 30 inclusively", err.Error())
	}
}

func TestHashAndCompare(t *testing.T) {
	h, err := Hash("secret", MinCost)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$2a$04$"), h)
	ok, err := Compare(h, "secret")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = Compare(h, "Secret")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestLongPasswordsUseFirst72Bytes(t *testing.T) {
	long := strings.Repeat("x", 72)
	h, err := Hash(long+"tail-one", MinCost)
	require.NoError(t, err)
	for _, pw := range []string{long, long + "tail-two", long + strings.Repeat("y", 200)} {
		ok, err := Compare(h, pw)
		require.NoError(t, err)
		assert.True(t, ok, "len %d", len(pw))
	}
	ok, err := Compare(h, long[:71])
	require.NoError(t, err)
	assert.False(t, ok)
}

// Vectors made by jBCrypt-compatible implementations (OpenBSD test vectors
// published with jBCrypt and the Openwall crypt_blowfish suite).
func TestKnownVectors(t *testing.T) {
	cases := []struct{ hash, pw string }{
		{"$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", ""},
		{"$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "a"},
		{"$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i", "abc"},
		{"$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC", "abcdefghijklmnopqrstuvwxyz"},
		{"$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO", "~!@#$%^&*()      ~!@#$%^&*()PNBFRD"},
		{"$2y$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", "\xff\xff\xa3"},
		{"$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", "\xff\xff\xa3"},
	}
	for _, c := range cases {
		ok, err := Compare(c.hash, c.pw)
		require.NoError(t, err, c.hash)
		assert.True(t, ok, c.hash)
		ok, err = Compare(c.hash, c.pw+"!")
		require.NoError(t, err)
		assert.False(t, ok, c.hash)
	}
}

// Hashes made by jBCrypt 0.4 itself (the vectors of its TestBCrypt), the
// library and cost Cassandra uses, and an over-72-byte vector of the
// Openwall crypt_blowfish suite: the 73rd byte on is ignored.
func TestJBCryptCost10Vectors(t *testing.T) {
	long := "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored"
	cases := []struct{ hash, pw string }{
		{"$2a$10$k1wbIrmNyFAPwPVPSVa/zecw2BCEnBwVS2GbrmgzxFUOqW9dk4TCW", ""},
		{"$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi", "abc"},
		{"$2a$10$LgfYWkbzEvQ4JakH7rOvHe0y8pHKF9OaFgwUZ2q7W2FFZmZzJYlfS", "~!@#$%^&*()      ~!@#$%^&*()PNBFRD"},
		{"$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", long},
		{"$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", long[:72]},
		{"$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", long[:72] + "anything else"},
	}
	for _, c := range cases {
		ok, err := Compare(c.hash, c.pw)
		require.NoError(t, err, c.hash)
		assert.True(t, ok, "%s %q", c.hash, c.pw)
	}
	ok, err := Compare(cases[1].hash, "abd")
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = Compare(cases[3].hash, long[:71])
	require.NoError(t, err)
	assert.False(t, ok, "71 bytes must not match a 72-byte key")
}

func TestValidateHashed(t *testing.T) {
	good := "$2a$10$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s."
	assert.NoError(t, ValidateHashed(good))
	assert.NoError(t, ValidateHashed("$2b$"+good[4:]))
	assert.NoError(t, ValidateHashed("$2y$"+good[4:]))
	bad := []string{"", "cassandra", "$2a$10$short", "$2x$" + good[4:], "$2a$03$" + good[7:], "$2a$31$" + good[7:], "$2a$1x$" + good[7:], good + "x", good[:59] + "!"}
	for _, b := range bad {
		err := ValidateHashed(b)
		require.ErrorIs(t, err, ErrInvalidHashed, b)
		assert.Equal(t, HashedPasswordMessage, err.Error())
		ok, err := Compare(b, "x")
		assert.False(t, ok)
		assert.ErrorIs(t, err, ErrMalformedHash)
	}
	c, err := Cost(good)
	require.NoError(t, err)
	assert.Equal(t, 10, c)
}

func TestEqual(t *testing.T) {
	assert.True(t, Equal("abc", "abc"))
	assert.False(t, Equal("abc", "abd"))
	assert.False(t, Equal("abc", "ab"))
}
