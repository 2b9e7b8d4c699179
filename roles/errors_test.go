package roles

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCodes(t *testing.T) {
	tests := []struct {
		code Code
		name string
		is   error
	}{
		{CodeServerError, "SERVER_ERROR", ErrServer},
		{CodeBadCredentials, "BAD_CREDENTIALS", ErrBadCredentials},
		{CodeSyntaxError, "SYNTAX_ERROR", ErrSyntax},
		{CodeUnauthorized, "UNAUTHORIZED", ErrUnauthorized},
		{CodeInvalid, "INVALID", ErrInvalid},
		{CodeConfigError, "CONFIG_ERROR", ErrConfiguration},
		{Code(0x1234), "Code(0x1234)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.name, tt.code.String())
			err := Errorf(tt.code, "msg %d", 1)
			assert.Equal(t, "msg 1", err.Error())
			assert.Equal(t, tt.code, CodeOf(fmt.Errorf("wrapped: %w", err)))
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
	cause := errors.New("cause")
	err := Wrap(CodeInvalid, cause, "outer")
	assert.ErrorIs(t, err, cause)
	assert.ErrorIs(t, err, ErrInvalid)
	assert.NotErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, CodeServerError, CodeOf(cause), "a plain error is a server error")
}

func TestOptionNames(t *testing.T) {
	assert.Equal(t, "HASHED_PASSWORD", OptHashedPassword.String())
	assert.Equal(t, "Option(9)", Option(9).String())
	s := OptionSetOf(OptLogin, OptOptions)
	assert.Equal(t, "[LOGIN, OPTIONS]", s.String())
	assert.False(t, s.Has(Option(9)))
	assert.Equal(t, passwordSupported, OptionSetOf(OptLogin, OptSuperuser, OptPassword, OptHashedPassword))
	assert.Equal(t, passwordAlterable, OptionSetOf(OptPassword, OptHashedPassword))
	assert.Equal(t, plainSupported, OptionSetOf(OptLogin, OptSuperuser))
	assert.Equal(t, "{}", Options{}.String())
	assert.Equal(t, "{SUPERUSER=false}", Options{Superuser: ptr(false)}.String())
}
