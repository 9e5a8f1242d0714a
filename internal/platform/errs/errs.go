// Package errs is dxhub's error vocabulary: a code that decides the HTTP
// status, and a message key from the catalogue with its arguments, so the
// user reads the error in their own language.
package errs

import (
	"errors"
	"fmt"
)

// Codes.
const (
	Invalid      = "invalid"
	NotFound     = "not_found"
	Conflict     = "conflict"
	Forbidden    = "forbidden"
	Unauthorized = "unauthorized"
	TooMany      = "too_many"
	Internal     = "internal"
)

// Error is an error meant for the user. Key names a catalogue message;
// Args fill it. Field, when set, names the form field or parameter at fault.
type Error struct {
	Code  string
	Key   string
	Args  []any
	Field string
	Err   error // cause, for logs only
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Key
	if len(e.Args) > 0 {
		s += fmt.Sprint(e.Args)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// E makes a user-facing error.
func E(code, key string, args ...any) *Error { return &Error{Code: code, Key: key, Args: args} }

// Field makes an "invalid" error that names a field or parameter.
func Field(field, key string, args ...any) *Error {
	return &Error{Code: Invalid, Key: key, Args: args, Field: field}
}

// Coder is an error from another package that knows its code.
type Coder interface{ ErrorCode() string }

// Code returns the code of err, Internal for errors not made here.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var c Coder
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries code.
func Is(err error, code string) bool { return Code(err) == code }
