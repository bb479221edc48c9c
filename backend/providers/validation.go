package providers

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinels for callers that only need the category of a failure (the CLI
// maps ErrInvalid to exit code 5; connect reports ErrInsecureURL as
// insecure_url). Every error returned by this package's parsers wraps
// ErrInvalid.
var (
	ErrInvalid     = errors.New("invalid input")
	ErrInsecureURL = errors.New("url must use https")
)

// FieldError is one invalid field; Field uses the CLI/JSON field names:
// "username", "organisation", "token", "client_id", "auth_url", "tenant_id",
// "secret", "email", "domain", "deployment", "expires".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError collects every invalid field so the UI can show each
// beside its field instead of stopping at the first.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Fields) == 0 {
		return ErrInvalid.Error()
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, "invalid "+f.Field+": "+f.Message)
	}
	return strings.Join(parts, "; ")
}

// Unwrap lets callers test errors.Is(err, ErrInvalid) without knowing
// whether a single parser error or a collected one came back.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Add records one invalid field.
func (e *ValidationError) Add(field, msg string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: msg})
}

// AddErr records err (from one of this package's parsers) against field;
// a nil err is ignored so call sites can pass results straight through.
// The parsers' messages never contain secret values, so this is safe for
// token and secret fields too.
func (e *ValidationError) AddErr(field string, err error) {
	if err != nil {
		e.Add(field, err.Error())
	}
}

// Err returns nil when no field was added, so a nil *ValidationError never
// ends up inside a non-nil error interface.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// inputError is what the parsers return: a lowercase message for a person
// and, through Unwrap, the sentinels for code.
type inputError struct {
	msg  string
	kind error // optional extra sentinel, e.g. ErrInsecureURL
}

func (e *inputError) Error() string { return e.msg }

func (e *inputError) Unwrap() []error {
	if e.kind == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.kind}
}

func invalid(msg string) error { return &inputError{msg: msg} }

func insecure(msg string) error { return &inputError{msg: msg, kind: ErrInsecureURL} }

// Reasons carried by TokenProblem, stable for code (the message is for people).
const (
	ReasonEmpty         = "empty"
	ReasonAuthPrefix    = "auth_prefix"    // "Basic …" / "Bearer …" pasted with the token
	ReasonEncodedHeader = "encoded_header" // base64 of ":PAT" or "user:PAT"
	ReasonSpace         = "space"          // whitespace left inside the token
	ReasonInvisible     = "invisible"      // control or format characters inside the token
	ReasonTruncated     = "truncated"
	ReasonTooLong       = "too_long" // longer than MaxTokenBytes: refused unread
)

// tokenMessages is the complete set of TokenProblem messages. They are
// fixed text so that no part of a pasted secret can reach a message.
var tokenMessages = map[string]string{
	ReasonEmpty:         "token is empty",
	ReasonAuthPrefix:    "token starts with \"Basic \" or \"Bearer \"; paste only the token, without the prefix",
	ReasonEncodedHeader: "token looks like base64 of ':PAT'; paste the token itself, not the encoded header",
	ReasonSpace:         "token contains a space; copy it again without spaces or line breaks",
	ReasonInvisible:     "token contains invisible or control characters; copy it again",
	ReasonTruncated:     "token looks truncated; copy the whole token again",
	ReasonTooLong:       "token is longer than " + strconv.Itoa(MaxTokenBytes) + " bytes; paste only the token",
}

func tokenProblem(reason string) *TokenProblem {
	return &TokenProblem{Reason: reason, Message: tokenMessages[reason]}
}

// TokenProblem explains why a pasted token or secret was refused. Message
// never quotes the value itself.
type TokenProblem struct {
	Reason  string
	Message string
}

func (p *TokenProblem) Error() string { return p.Message }

func (p *TokenProblem) Unwrap() error { return ErrInvalid }
