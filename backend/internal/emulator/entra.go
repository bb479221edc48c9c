package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// adoResource is the Azure DevOps application id; the only resource the
// emulated tenant knows.
const adoResource = "499b84ac-1321-427f-aa17-267ca6975798"

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (s *Server) tenantKnown(t string) bool {
	if containsFold(s.cfg.Tenants, t) {
		return true
	}
	for _, a := range s.cfg.Apps {
		if strings.EqualFold(a.Tenant, t) {
			return true
		}
	}
	return false
}

// entraError writes the Entra error body (protocols.md §2.3).
func entraError(w http.ResponseWriter, status int, errCode string, code int, description string) {
	const ts = "2023-02-20 07:21:29Z"
	const corr = "63b8bb61-5ca6-4ae3-8224-15a4de11cd87"
	writeJSON(w, status, false, map[string]any{
		"error": errCode,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			code, description, EntraTraceID, corr, ts),
		"error_codes":    []int{code},
		"timestamp":      ts,
		"trace_id":       EntraTraceID,
		"correlation_id": corr,
		"error_uri":      fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", code),
	})
}

// tenantError answers a bad tenant, as both endpoints do.
func (s *Server) tenantError(w http.ResponseWriter, tenant string) bool {
	if !guidRE.MatchString(tenant) && !strings.Contains(tenant, ".") {
		entraError(w, http.StatusBadRequest, "invalid_request", 900023,
			fmt.Sprintf("Specified tenant identifier '%s' is neither a valid DNS name, nor a valid external domain.", tenant))
		return true
	}
	if !s.tenantKnown(tenant) {
		entraError(w, http.StatusBadRequest, "invalid_tenant", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant))
		return true
	}
	return false
}

// serveToken is POST /{tenant}/oauth2/v2.0/token (client credentials). The
// client may authenticate in the body or with Basic (RFC 6749 §2.3.1).
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.Method != http.MethodPost {
		entraError(w, http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests.")
		return
	}
	if s.tenantError(w, tenant) {
		return
	}
	if err := r.ParseForm(); err != nil {
		entraError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	form := r.PostForm // unknown fields (client_info, …) are ignored
	clientID, secret := form.Get("client_id"), form.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		// Basic carries form-encoded values (RFC 6749 §2.3.1).
		u, _ = url.QueryUnescape(u)
		p, _ = url.QueryUnescape(p)
		clientID, secret = u, p
	}
	if form.Get("grant_type") != "client_credentials" {
		entraError(w, http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
		return
	}
	scope := form.Get("scope")
	if !strings.HasSuffix(scope, "/.default") || strings.Contains(scope, " ") {
		entraError(w, http.StatusBadRequest, "invalid_scope", 70011,
			fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", scope))
		return
	}
	if res := strings.TrimSuffix(scope, "/.default"); res != adoResource {
		entraError(w, http.StatusBadRequest, "invalid_resource", 500011,
			fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", res, tenant))
		return
	}
	var app *App
	for i := range s.cfg.Apps {
		if strings.EqualFold(s.cfg.Apps[i].ClientID, clientID) && strings.EqualFold(s.cfg.Apps[i].Tenant, tenant) {
			app = &s.cfg.Apps[i]
		}
	}
	if app == nil {
		entraError(w, http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant))
		return
	}
	if secret != app.Secret {
		entraError(w, http.StatusUnauthorized, "invalid_client", 7000215,
			fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID))
		return
	}
	if app.SecretExpired {
		entraError(w, http.StatusUnauthorized, "invalid_client", 7000222,
			fmt.Sprintf("The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", app.ClientID))
		return
	}
	tok := newToken("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.emu.")
	s.issued[tok] = app.ClientID
	writeJSON(w, http.StatusOK, false, map[string]any{
		"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok,
	})
}

// serveOIDC is the discovery document MSAL/azidentity fetch first; the
// issuer's host is the emulator's so their authority check passes.
func (s *Server) serveOIDC(w http.ResponseWriter, r *http.Request, tenant string) {
	if s.tenantError(w, tenant) {
		return
	}
	o := origin(r) + "/" + tenant
	writeJSON(w, http.StatusOK, false, map[string]any{
		"issuer":                                o + "/v2.0",
		"authorization_endpoint":                o + "/oauth2/v2.0/authorize",
		"token_endpoint":                        o + "/oauth2/v2.0/token",
		"jwks_uri":                              origin(r) + "/" + tenant + "/discovery/v2.0/keys",
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"tenant_region_scope":                   "EU",
	})
}
