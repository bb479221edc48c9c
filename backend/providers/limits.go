package providers

import "strconv"

// Size limits of pasted values. Each is far above any real value (Azure
// DevOps PATs are 52 or 84 bytes, Entra client secrets about 40, Jira API
// tokens about 200; organisation names 50 characters, collection URLs well
// under 200) and small enough that a hostile paste, such as a 100 MB
// "token", is refused by its length alone, before it is trimmed, copied or
// parsed. The CLI reads token and secret files only up to MaxTokenBytes+1.
const (
	// MaxTokenBytes caps a token or client secret as pasted (with any
	// surrounding whitespace).
	MaxTokenBytes = 8 << 10
	// MaxURLBytes caps the URL-like fields: organisation, authentication
	// url, tenant id and jira domain.
	MaxURLBytes = 2 << 10
	// MaxFieldBytes caps the short fields: username, email, client id,
	// expiry date and deployment.
	MaxFieldBytes = 512
)

// tooLong is the refusal of an oversized value: it names the field and the
// limit, never the value.
func tooLong(what string, limit int) error {
	return invalid(what + " is longer than " + strconv.Itoa(limit) + " bytes")
}
