package connect

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// jiraPermissions are what a board integration needs in its project.
var jiraPermissions = []string{"BROWSE_PROJECTS", "CREATE_ISSUES", "EDIT_ISSUES"}

// jira runs serverInfo (anonymous), myself, and the board steps.
func (r *run) jira() *failure {
	base, f := checkURL("Jira domain", r.t.BaseURL)
	if f != nil {
		return f
	}
	b := baseString(base)
	cloud := r.t.Method == MethodCloud
	v := "2"
	if cloud {
		v = "3"
	}
	api := b + "/rest/api/" + v

	// Anonymous on purpose: it proves the site exists and tells Cloud from
	// Data Center before any credential leaves the machine.
	resp, f := r.step(request{name: CheckServerInfo, url: api + "/serverInfo"}, r.judgeJira(CheckServerInfo))
	if f != nil && f.code == CodeUnreachable && cloud && resp != nil && resp.status == http.StatusNotFound && !siteGone(resp.body) {
		// Data Center has no /rest/api/3; ask v2 (which both have) so a
		// Data Center site chosen as Cloud is named as such.
		resp, f = r.step(request{name: CheckServerInfo + " (api 2)", url: b + "/rest/api/2/serverInfo"}, r.judgeJira(CheckServerInfo))
	}
	if f != nil {
		return f
	}
	if resp.ok() {
		var si struct {
			DeploymentType string `json:"deploymentType"`
		}
		_ = json.Unmarshal(resp.body, &si)
		dt := strings.ToLower(si.DeploymentType)
		switch {
		case cloud && dt != "" && dt != "cloud":
			return &failure{CodeWrongDeployment, "This is Jira Data Center (or Server), not Jira Cloud.", "Switch the connection type to Data Center and use a personal access token."}
		case !cloud && dt == "cloud":
			return &failure{CodeWrongDeployment, "This is Jira Cloud, not Jira Data Center.", "Switch the connection type to Cloud and use your Atlassian account email with an API token."}
		}
	}

	secret, f := r.loadSecret()
	if f != nil {
		return f
	}
	if cloud {
		r.auth = basicAuth([]byte(strings.TrimSpace(r.t.Username)), secret)
	} else {
		r.auth = "Bearer " + string(secret)
	}
	resp, f = r.step(request{name: CheckMyself, url: api + "/myself", auth: true}, r.judgeJira(CheckMyself))
	if f != nil {
		return f
	}
	var me struct {
		EmailAddress string `json:"emailAddress"`
		DisplayName  string `json:"displayName"`
		Name         string `json:"name"`
	}
	_ = json.Unmarshal(resp.body, &me)
	me.EmailAddress, me.DisplayName, me.Name = serverText(me.EmailAddress), serverText(me.DisplayName), serverText(me.Name)
	switch {
	case me.EmailAddress != "":
		r.res.Identity = me.EmailAddress
	case me.DisplayName != "":
		r.res.Identity = me.DisplayName
	default:
		r.res.Identity = me.Name
	}
	// Only the email can be compared: display names are not what was typed.
	if u := strings.TrimSpace(r.t.Username); u != "" && me.EmailAddress != "" && !strings.EqualFold(u, me.EmailAddress) {
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf(
			"The token belongs to %s, not to the email entered (%s).", me.EmailAddress, u))
	}
	if r.t.Project == "" {
		return nil
	}

	key := url.PathEscape(r.t.Project)
	if _, f := r.step(request{name: CheckProject, url: api + "/project/" + key, auth: true}, r.judgeJira(CheckProject)); f != nil {
		return f
	}
	q := url.Values{"projectKey": {r.t.Project}, "permissions": {strings.Join(jiraPermissions, ",")}}
	_, f = r.step(request{name: CheckPermissions, url: api + "/mypermissions?" + q.Encode(), auth: true}, func(resp *response) *failure {
		if f := r.judgeJira(CheckPermissions)(resp); f != nil {
			return f
		}
		var mp struct {
			Permissions map[string]struct {
				HavePermission bool `json:"havePermission"`
			} `json:"permissions"`
		}
		_ = json.Unmarshal(resp.body, &mp)
		var missing []string
		for _, p := range jiraPermissions {
			if !mp.Permissions[p].HavePermission {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			return &failure{CodeInsufficientScope,
				fmt.Sprintf("Signed in as %s, but in project %s the account lacks: %s.", r.res.Identity, r.t.Project, strings.Join(missing, ", ")),
				"Ask a Jira administrator to grant these project permissions (Project settings → Permissions) to the account."}
		}
		return nil
	})
	return f
}

// judgeJira diagnoses a Jira answer for the given step.
func (r *run) judgeJira(step string) func(*response) *failure {
	return func(resp *response) *failure {
		host := hostOf(r.t.BaseURL)
		// CAPTCHA lockouts come on 403, and on old servers even on 200, so
		// these headers are read before the status.
		if strings.Contains(resp.header.Get("X-Authentication-Denied-Reason"), "CAPTCHA_CHALLENGE") ||
			strings.EqualFold(resp.header.Get("X-Seraph-LoginReason"), "AUTHENTICATION_DENIED") {
			return &failure{CodeCaptchaRequired,
				"Jira locked API logins for this account after failed attempts (CAPTCHA).",
				"Log in once in the browser at " + host + " and solve the CAPTCHA, then test again."}
		}
		if resp.ok() {
			return nil
		}
		body := string(resp.body)
		cloud := r.t.Method == MethodCloud
		switch {
		case resp.status == http.StatusProxyAuthRequired:
			return proxyAuthFailure("in front of " + host)
		case resp.status == http.StatusNotFound && siteGone(resp.body):
			return &failure{CodeUnreachable,
				fmt.Sprintf("No active Jira site at %s.", host),
				"Check the Jira domain (https://your_domain.atlassian.net/); the site may be deleted or suspended."}
		case resp.status == http.StatusNonAuthoritativeInfo, resp.status >= 300 && resp.status < 400, resp.isHTML() && resp.status < 300:
			return &failure{CodeSigninRedirect,
				fmt.Sprintf("Jira answered HTTP %d with a login page instead of data.", resp.status),
				"Check that the domain is the Jira site itself (not a portal or SSO gateway) and that the token is valid."}
		case step == CheckServerInfo:
			// Some Data Center sites hide serverInfo from anonymous users;
			// myself still decides.
			if resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden {
				return nil
			}
			if resp.status == http.StatusNotFound {
				return &failure{CodeUnreachable,
					fmt.Sprintf("%s doesn't look like a Jira site (serverInfo not found).", host),
					"Enter the Jira base URL, including a context path such as /jira if the server uses one."}
			}
		case strings.Contains(body, "Basic authentication with passwords is deprecated"),
			!cloud && strings.Contains(strings.ToLower(body), "basic auth") && resp.status == http.StatusUnauthorized:
			return &failure{CodePasswordNotToken,
				"Jira refused a password: it only accepts API tokens here.",
				"Create an API token (Atlassian account → Security → API tokens for Cloud; Profile → Personal Access Tokens for Data Center) and store that instead of the password."}
		case step == CheckMyself && resp.status == http.StatusUnauthorized && cloud:
			return &failure{CodeAuthFailed,
				"Jira rejected the email/API token.",
				"Check that the email is your Atlassian account email and that the token is current: API tokens now expire after at most one year. Scoped API tokens don't work on the site URL; use a classic token."}
		case step == CheckMyself && (resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden):
			return &failure{CodeAuthFailed,
				"Jira Data Center rejected the personal access token.",
				"Data Center personal access tokens are sent as Bearer tokens: create one under Profile → Personal Access Tokens (a password won't work), and check it hasn't expired or been revoked."}
		case step == CheckProject && (resp.status == http.StatusNotFound || resp.status == http.StatusForbidden):
			return &failure{CodeProjectNotFound,
				fmt.Sprintf("Signed in as %s, but project '%s' doesn't exist or you can't browse it.", r.res.Identity, r.t.Project),
				"Use the project key (for example PROJ), and check the account has the Browse Projects permission."}
		}
		return unexpectedStatus("Jira", resp.status)
	}
}

// okMessage says what was proven.
func (r *run) okMessage() string {
	who := r.res.Identity
	if who == "" {
		who = "the given credentials"
	}
	var s string
	if r.t.Service == ServiceDevOps {
		s = fmt.Sprintf("Connected to Azure DevOps organisation '%s' as %s.", r.orgName(), who)
		if r.t.Project != "" {
			if r.t.AreaPath != "" {
				s += fmt.Sprintf(" Project '%s' and area path '%s' are readable and work items can be queried.", r.t.Project, r.t.AreaPath)
			} else {
				s += fmt.Sprintf(" Project '%s' is readable and work items can be queried.", r.t.Project)
			}
		}
		return s
	}
	kind := "Jira Cloud"
	if r.t.Method == MethodDataCenter {
		kind = "Jira Data Center"
	}
	s = fmt.Sprintf("Connected to %s at %s as %s.", kind, hostOf(r.t.BaseURL), who)
	if r.t.Project != "" {
		s += fmt.Sprintf(" Project %s is readable and issues can be created and edited.", r.t.Project)
	}
	return s
}

// siteGone recognises Atlassian's answers for a deleted or suspended site.
func siteGone(body []byte) bool {
	s := string(body)
	return strings.Contains(s, "Site temporarily unavailable") || strings.Contains(s, "Page Unavailable")
}
