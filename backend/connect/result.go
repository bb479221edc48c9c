package connect

import (
	"context"
	"net"
	"time"
)

// Result codes (PRODUCT.md §4). CodeGlobalDisabled and CodeNotConfigured
// are produced by callers; the prober uses CodeNotConfigured only when the
// target or secret cannot be used at all.
const (
	CodeOK                    = "ok"
	CodeUnreachable           = "unreachable"
	CodeTimeout               = "timeout"
	CodeTLSUntrusted          = "tls_untrusted"
	CodeProxyAuthRequired     = "proxy_auth_required"
	CodeInsecureURL           = "insecure_url"
	CodeSigninRedirect        = "signin_redirect"
	CodeAuthFailed            = "auth_failed"
	CodeTokenExpired          = "token_expired"
	CodeInsufficientScope     = "insufficient_scope"
	CodeOrgNotFound           = "org_not_found"
	CodeProjectNotFound       = "project_not_found"
	CodeAreaPathNotFound      = "area_path_not_found"
	CodeTenantNotFound        = "tenant_not_found"
	CodeClientNotFound        = "client_not_found"
	CodeClientSecretInvalid   = "client_secret_invalid"
	CodeClientSecretExpired   = "client_secret_expired"
	CodeSPNotInOrg            = "sp_not_in_org"
	CodeCaptchaRequired       = "captcha_required"
	CodePasswordNotToken      = "password_not_token"
	CodeWrongDeployment       = "wrong_deployment"
	CodeAPIVersionUnsupported = "api_version_unsupported"
	CodeGlobalDisabled        = "global_disabled"
	CodeNotConfigured         = "not_configured"
)

// Services and methods accepted in a Target.
const (
	ServiceDevOps = "devops"
	ServiceJira   = "jira"

	MethodPAT        = "pat"
	MethodSP         = "sp"
	MethodCloud      = "cloud"
	MethodDataCenter = "datacenter"
)

// Method names an authentication method; see the Method* constants.
type Method = string

// Check names, stable so the window can label steps.
const (
	CheckConnectionData = "connection_data"
	CheckProjects       = "projects"
	CheckEntraToken     = "entra_token"
	CheckServerInfo     = "server_info"
	CheckMyself         = "myself"
	CheckProject        = "project"
	CheckAreaPath       = "area_path"
	CheckWorkItemQuery  = "work_item_query"
	CheckPermissions    = "permissions"
)

// Target says what to test. It carries no secret.
type Target struct {
	Service      string // ServiceDevOps or ServiceJira
	Method       string // devops: MethodPAT|MethodSP; jira: MethodCloud|MethodDataCenter
	BaseURL      string // devops: https://dev.azure.com/org or a Server collection URL; jira: site origin
	Organisation string // for messages
	Username     string // devops PAT username / jira email: identity check and Jira Cloud Basic
	ClientID     string // sp
	AuthURL      string // sp token endpoint
	Project      string // board probe only ("" = provider probe)
	AreaPath     string // board probe only, devops
}

// SecretFunc returns the secret bytes for the moment of use; the caller
// wipes them when release runs. connect calls it at most once per Test and
// always calls release before Test returns.
type SecretFunc func() (secret []byte, release func(), err error)

// Settings configure the network side of a Prober.
type Settings struct {
	// ExtraRootsPEM holds PEM certificates trusted in addition to the system
	// roots (the vault's trusted CAs), concatenated.
	ExtraRootsPEM []byte
	// ConnectTimeout bounds TCP connect; TotalTimeout bounds a whole Test.
	// Zero means DefaultConnectTimeout / DefaultTotalTimeout.
	ConnectTimeout time.Duration
	TotalTimeout   time.Duration
	// ProxyURL, when set, is used for http and https; NoProxy lists hosts
	// to reach directly (httpproxy syntax). Loopback is never proxied.
	ProxyURL string
	NoProxy  string
	// UseEnvProxy takes HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the
	// environment when ProxyURL is empty.
	UseEnvProxy bool
	// DialContext replaces the TCP dialer. Tests use it to map a
	// non-loopback host name onto a loopback emulator (the proxy logic
	// skips loopback names); nil means a net.Dialer with ConnectTimeout.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Default timeouts.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTotalTimeout   = 30 * time.Second
)

// Check is one step of a test, reported live through the progress callback.
type Check struct {
	Name       string `json:"name"`
	OK         bool   `json:"ok"`
	Status     int    `json:"status"`
	DurationMS int64  `json:"duration_ms"`
}

// Result is the outcome of a test; its JSON form is `test --json`.
type Result struct {
	OK        bool     `json:"ok"`
	Service   string   `json:"service"`
	Method    string   `json:"method"`
	Code      string   `json:"code"`
	Message   string   `json:"message"`
	Hint      string   `json:"hint"`
	Identity  string   `json:"identity"`
	Checks    []Check  `json:"checks"`
	SupportID string   `json:"support_id"`
	Warnings  []string `json:"warnings,omitempty"`
}
