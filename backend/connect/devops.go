package connect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const (
	// adoAPIVersion is what Services supports; Server answers with its
	// ceiling and the probe retries once with that.
	adoAPIVersion = "7.1"
	// AzureDevOpsScope is the Entra scope of the Azure DevOps resource.
	AzureDevOpsScope = "499b84ac-1321-427f-aa17-267ca6975798/.default"
)

// versionRange matches Azure DevOps Server's VssVersionOutOfRangeException.
var versionRange = regexp.MustCompile(`out of range for this server\.\s*The latest REST API version this server supports is ([0-9]+(?:\.[0-9]+)?)`)

// devOps runs the provider probe, then the board probe when a project is set.
func (r *run) devOps(sp bool) *failure {
	base, f := checkURL("organisation URL", r.t.BaseURL)
	if f != nil {
		return f
	}
	var tokenURL *url.URL
	if sp {
		if tokenURL, f = checkURL("authentication URL", r.t.AuthURL); f != nil {
			return f
		}
	}
	secret, f := r.loadSecret()
	if f != nil {
		return f
	}
	b := baseString(base)
	if sp {
		tok, f := r.entraToken(tokenURL, secret)
		if f != nil {
			return f
		}
		r.auth = "Bearer " + tok
	} else {
		r.auth = basicAuth(nil, secret)
	}

	resp, f := r.step(request{name: CheckConnectionData, url: b + "/_apis/connectionData", auth: true, ado: true},
		r.judgeADO(CheckConnectionData, sp))
	if f != nil {
		return f
	}
	r.res.Identity = adoIdentity(resp.body)
	if !sp && r.t.Username != "" && r.res.Identity != "" && !strings.EqualFold(r.res.Identity, strings.TrimSpace(r.t.Username)) {
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf(
			"The token belongs to %s, not to the username entered (%s); boards will act as %s.",
			r.res.Identity, r.t.Username, r.res.Identity))
	}

	if _, f := r.adoVersioned(b, CheckProjects, http.MethodGet, "/_apis/projects", "$top=1", nil, r.judgeADO(CheckProjects, sp)); f != nil {
		return f
	}
	if r.t.Project == "" {
		return nil
	}
	return r.devOpsBoard(b, sp)
}

// devOpsBoard checks the project, the area path and a work item query.
func (r *run) devOpsBoard(b string, sp bool) *failure {
	proj := url.PathEscape(r.t.Project)
	if _, f := r.adoVersioned(b, CheckProject, http.MethodGet, "/_apis/projects/"+proj, "", nil, r.judgeADO(CheckProject, sp)); f != nil {
		return f
	}
	segs := areaSegments(r.t.Project, r.t.AreaPath)
	if r.t.AreaPath != "" {
		p := "/" + proj + "/_apis/wit/classificationnodes/Areas"
		for _, s := range segs {
			p += "/" + url.PathEscape(s)
		}
		if _, f := r.adoVersioned(b, CheckAreaPath, http.MethodGet, p, "", nil, r.judgeADO(CheckAreaPath, sp)); f != nil {
			return f
		}
	}
	// The smallest query that proves work items of this board are readable.
	wiql := "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project"
	if len(segs) > 0 {
		wiql += " AND [System.AreaPath] UNDER '" + strings.ReplaceAll(r.t.Project+`\`+strings.Join(segs, `\`), "'", "''") + "'"
	}
	body, _ := json.Marshal(map[string]string{"query": wiql})
	_, f := r.adoVersioned(b, CheckWorkItemQuery, http.MethodPost, "/"+proj+"/_apis/wit/wiql", "$top=1", body, r.judgeADO(CheckWorkItemQuery, sp))
	return f
}

// basicAuth builds a Basic header value; the joined plaintext is wiped.
func basicAuth(user, secret []byte) string {
	buf := make([]byte, 0, len(user)+1+len(secret))
	buf = append(append(append(buf, user...), ':'), secret...)
	defer clear(buf)
	return "Basic " + base64.StdEncoding.EncodeToString(buf)
}

// areaSegments splits an area path given as `Project\Team A` (the form the
// Azure DevOps UI shows) or `Team A/Sub` into the segments below the
// project's root area.
func areaSegments(project, area string) []string {
	area = strings.Trim(strings.ReplaceAll(area, "/", `\`), `\ `)
	if area == "" {
		return nil
	}
	parts := strings.Split(area, `\`)
	if strings.EqualFold(strings.TrimSpace(parts[0]), project) {
		parts = parts[1:]
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// adoVersioned sends a request that carries api-version; if Azure DevOps
// Server says the version is too new it retries once with the version the
// server advertises and keeps that version for the remaining steps.
func (r *run) adoVersioned(b, name, method, path, query string, body []byte, judge func(*response) *failure) (*response, *failure) {
	checkName := name
	for {
		q := "api-version=" + r.apiVersion
		if query != "" {
			q = query + "&" + q
		}
		u := b + path + "?" + q
		resp, d, err := r.do(request{name: checkName, method: method, url: u, auth: true, ado: true, body: body})
		if err != nil {
			r.record(checkName, 0, false, d)
			return nil, r.transportFailure(err, u)
		}
		if resp.status == http.StatusBadRequest {
			if m := versionRange.FindStringSubmatch(adoErrorText(resp)); m != nil {
				r.record(checkName, resp.status, false, d)
				if r.retried || m[1] == r.apiVersion {
					return resp, &failure{CodeAPIVersionUnsupported,
						fmt.Sprintf("This Azure DevOps Server only supports REST API %s, which is too old for this check.", m[1]),
						"Azure DevOps Server 2019 or later is required; ask the administrator which version is installed."}
				}
				r.retried, r.apiVersion = true, m[1]
				checkName = fmt.Sprintf("%s (api-version %s)", name, m[1])
				continue
			}
		}
		f := judge(resp)
		r.record(checkName, resp.status, f == nil, d)
		return resp, f
	}
}

// adoError is the Azure DevOps error envelope.
type adoError struct {
	Message string `json:"message"`
	TypeKey string `json:"typeKey"`
}

// adoErrorText joins the URL-decoded X-TFS-ServiceError and the body's
// message (or the raw body when it isn't the JSON envelope).
func adoErrorText(resp *response) string {
	var parts []string
	if h := resp.header.Get("X-TFS-ServiceError"); h != "" {
		if d, err := url.QueryUnescape(h); err == nil {
			h = d
		}
		parts = append(parts, h)
	}
	var e adoError
	if json.Unmarshal(resp.body, &e) == nil && (e.Message != "" || e.TypeKey != "") {
		parts = append(parts, e.Message, e.TypeKey)
	} else if !resp.isHTML() {
		parts = append(parts, string(resp.body))
	}
	return strings.Join(parts, "\n")
}

// judgeADO diagnoses an Azure DevOps answer for the given step.
func (r *run) judgeADO(step string, sp bool) func(*response) *failure {
	return func(resp *response) *failure {
		if resp.ok() {
			return nil
		}
		text := adoErrorText(resp)
		switch {
		case resp.status == http.StatusProxyAuthRequired:
			return proxyAuthFailure("in front of " + hostOf(r.t.BaseURL))
		case resp.status == http.StatusNonAuthoritativeInfo, resp.status >= 300 && resp.status < 400, resp.isHTML():
			return &failure{CodeSigninRedirect,
				fmt.Sprintf("Azure DevOps didn't accept the credentials: it answered HTTP %d with a sign-in page instead of data.", resp.status),
				"The token is wrong, revoked or expired, or was pasted incorrectly (paste the token itself, not a base64 or 'Basic …' value). If the URL goes through a sign-in gateway, use the direct Azure DevOps address."}
		case strings.Contains(text, "TF401444"):
			return &failure{CodeSPNotInOrg,
				fmt.Sprintf("The service principal isn't a member of organisation '%s'.", r.orgName()),
				"An organisation admin must add it (Organization settings → Users → Add users, choose the app) with a Basic licence."}
		case resp.status == http.StatusUnauthorized && (strings.Contains(text, "has expired") || strings.Contains(text, "AccessCheckException")):
			return &failure{CodeTokenExpired,
				"Your personal access token has expired.",
				"Create a new token in Azure DevOps (User settings → Personal access tokens) and store it here."}
		case resp.status == http.StatusNotFound && strings.Contains(text, "The resource cannot be found"):
			return &failure{CodeOrgNotFound,
				fmt.Sprintf("Organisation '%s' was not found at %s.", r.orgName(), hostOf(r.t.BaseURL)),
				"Check the spelling: it's the part after dev.azure.com/ (or the collection URL of your Azure DevOps Server)."}
		}
		who := r.res.Identity
		if who == "" {
			who = "the given credentials"
		}
		switch {
		case step == CheckConnectionData && resp.status == http.StatusUnauthorized && sp:
			return &failure{CodeAuthFailed,
				"The app authenticated with Entra ID, but Azure DevOps refused its token.",
				"Check that the organisation is connected to the same Entra tenant as the app, and that the service principal has a licence and permissions in it."}
		case step == CheckConnectionData && resp.status == http.StatusUnauthorized:
			return &failure{CodeAuthFailed,
				fmt.Sprintf("Azure DevOps rejected the token for organisation '%s'.", r.orgName()),
				"It may be mistyped, revoked, or created for a different organisation (organisation-scoped tokens only work for the organisation they were made for)."}
		case step == CheckConnectionData && resp.status == http.StatusNotFound:
			return &failure{CodeOrgNotFound,
				fmt.Sprintf("Organisation '%s' was not found at %s.", r.orgName(), hostOf(r.t.BaseURL)),
				"Check the organisation name or the collection URL."}
		case step == CheckProjects && (resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden):
			if sp {
				return &failure{CodeInsufficientScope,
					fmt.Sprintf("Signed in as %s, but the service principal may not read projects.", who),
					"Give the service principal access to the projects (for example add it to the Contributors group of each board's project)."}
			}
			return &failure{CodeInsufficientScope,
				"The token is valid but lacks the Project and Team (Read) scope.",
				"Edit the token in Azure DevOps and add Project and Team (Read) and Work Items (Read & write), or create a new one."}
		case step == CheckProject && (resp.status == http.StatusNotFound || resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden):
			return &failure{CodeProjectNotFound,
				fmt.Sprintf("Signed in as %s, but project '%s' doesn't exist or you don't have access.", who, r.t.Project),
				"Check the project name, and that the account is a member of the project."}
		case step == CheckAreaPath && resp.status == http.StatusNotFound:
			return &failure{CodeAreaPathNotFound,
				fmt.Sprintf("Area path '%s' doesn't exist in project '%s' or isn't readable.", r.t.AreaPath, r.t.Project),
				"Copy the area path from Project settings → Project configuration → Areas (for example Project\\Team A)."}
		case (step == CheckAreaPath || step == CheckWorkItemQuery) && (resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden):
			return &failure{CodeInsufficientScope,
				fmt.Sprintf("Signed in as %s, but work items of project '%s' can't be read.", who, r.t.Project),
				"Give the account contributor access to the project and area path; for a token add the Work Items (Read & write) scope."}
		}
		return unexpectedStatus("Azure DevOps", resp.status)
	}
}

// unexpectedStatus covers answers no row of the diagnosis table explains.
func unexpectedStatus(service string, status int) *failure {
	switch {
	case status == http.StatusUnauthorized:
		return &failure{CodeAuthFailed, fmt.Sprintf("%s rejected the credentials (HTTP 401).", service), "Check the token or secret and create a new one if in doubt."}
	case status == http.StatusForbidden:
		return &failure{CodeInsufficientScope, fmt.Sprintf("%s refused access (HTTP 403).", service), "Check the account's permissions and the token's scopes."}
	case status >= 500:
		return &failure{CodeUnreachable, fmt.Sprintf("%s answered with a server error (HTTP %d).", service, status), "Try again later; if it persists, contact the server's administrator with the support id."}
	}
	return &failure{CodeUnreachable, fmt.Sprintf("%s answered with unexpected HTTP %d.", service, status), "Check the URL; it must point at the service itself, not at a portal or gateway page."}
}

// adoIdentity reads who connectionData says authenticated.
func adoIdentity(body []byte) string {
	var cd struct {
		AuthenticatedUser struct {
			ProviderDisplayName string `json:"providerDisplayName"`
			Properties          struct {
				Account struct {
					Value string `json:"$value"`
				} `json:"Account"`
			} `json:"properties"`
		} `json:"authenticatedUser"`
	}
	if json.Unmarshal(body, &cd) != nil {
		return ""
	}
	if v := serverText(cd.AuthenticatedUser.Properties.Account.Value); v != "" {
		return v
	}
	return serverText(cd.AuthenticatedUser.ProviderDisplayName)
}

func (r *run) orgName() string {
	if r.t.Organisation != "" {
		return r.t.Organisation
	}
	u, err := url.Parse(r.t.BaseURL)
	if err != nil {
		return r.t.BaseURL
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		return p[strings.LastIndex(p, "/")+1:]
	}
	return u.Host
}

// entraToken gets an access token by client credentials. The secret goes in
// the form body only (AuthStyleInParams): auto-detection would first try
// Basic and, on any error, send the secret a second time.
func (r *run) entraToken(tokenURL *url.URL, secret []byte) (string, *failure) {
	cfg := clientcredentials.Config{
		ClientID:     r.t.ClientID,
		ClientSecret: string(secret),
		TokenURL:     tokenURL.String(),
		Scopes:       []string{AzureDevOpsScope},
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	ctx := context.WithValue(r.ctx, oauth2.HTTPClient, r.p.client)
	start := time.Now()
	tok, err := cfg.Token(ctx)
	d := time.Since(start)
	if err == nil {
		r.record(CheckEntraToken, http.StatusOK, true, d)
		return tok.AccessToken, nil
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		r.record(CheckEntraToken, 0, false, d)
		if strings.HasPrefix(err.Error(), "oauth2:") {
			return "", &failure{CodeAuthFailed, "The authentication URL answered without an access token.", entraURLHint}
		}
		return "", r.transportFailure(err, tokenURL.String())
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
		r.noteSupportID(re.Response.Header)
	}
	r.record(CheckEntraToken, status, false, d)
	var body struct {
		ErrorCodes []int  `json:"error_codes"`
		TraceID    string `json:"trace_id"`
	}
	_ = json.Unmarshal(re.Body, &body)
	if id := serverText(body.TraceID); id != "" {
		r.res.SupportID = id
	}
	tenant := strings.SplitN(strings.Trim(tokenURL.Path, "/"), "/", 2)[0]
	code := 0
	if len(body.ErrorCodes) > 0 {
		code = body.ErrorCodes[0]
	}
	switch code {
	case 90002, 900023:
		return "", &failure{CodeTenantNotFound,
			fmt.Sprintf("Tenant '%s' was not found.", tenant),
			"Use the Directory (tenant) ID GUID or the tenant's domain in the authentication URL."}
	case 700016:
		return "", &failure{CodeClientNotFound,
			fmt.Sprintf("No application with client ID '%s' exists in tenant '%s'.", r.t.ClientID, tenant),
			"Check the Application (client) ID and the tenant of the app registration."}
	case 7000215:
		return "", &failure{CodeClientSecretInvalid,
			"The client secret is wrong.",
			"Copy the secret's Value (shown once when it is created), not its Secret ID."}
	case 7000222:
		return "", &failure{CodeClientSecretExpired,
			"The client secret has expired.",
			"Create a new secret in the app registration (Certificates & secrets) and store it here."}
	case 70011, 500011:
		return "", &failure{CodeAuthFailed,
			fmt.Sprintf("Entra ID rejected the token scope (internal error: the scope must be %s).", AzureDevOpsScope),
			"Report this as a bug; check that the authentication URL is the v2.0 token endpoint."}
	}
	switch {
	case status == http.StatusProxyAuthRequired:
		return "", proxyAuthFailure("in front of " + tokenURL.Host)
	case code != 0:
		return "", &failure{CodeAuthFailed, fmt.Sprintf("Entra ID refused the token request (AADSTS%d).", code), "Check the client ID, secret and tenant; the support id identifies the request for Microsoft support."}
	}
	return "", &failure{CodeAuthFailed, fmt.Sprintf("The authentication URL didn't answer like an Entra token endpoint (HTTP %d).", status), entraURLHint}
}

const entraURLHint = "It should look like https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token."
