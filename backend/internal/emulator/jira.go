package emulator

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
)

const (
	msgJiraUnauthenticated = "Client must be authenticated to access this resource."
	msgJiraPassword        = "Basic authentication with passwords is deprecated. For more information, see: https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/"
)

func (s *Server) jiraCloud() bool {
	return s.cfg.Jira.Deployment == "" || strings.EqualFold(s.cfg.Jira.Deployment, "Cloud")
}

// serveJira handles /rest/api/{2,3}/...
func (s *Server) serveJira(w http.ResponseWriter, r *http.Request, rest []string) {
	h := w.Header()
	h.Set("X-AREQUESTID", JiraRequestID)
	if s.jiraCloud() {
		h.Set("ATL-TraceId", JiraTraceID)
	}
	if s.cfg.Jira.SiteUnavailable {
		writeJSON(w, http.StatusNotFound, false, map[string]string{"errorMessage": "Site temporarily unavailable", "errorCode": "OTHER"})
		return
	}
	if len(rest) < 2 || (rest[0] != "2" && rest[0] != "3") || (rest[0] == "3" && !s.jiraCloud()) {
		// Data Center has no v3; Jira's dead-link page.
		h.Set("Content-Type", "text/html;charset=UTF-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "<html><head><title>Oops, you&#39;ve found a dead link. - JIRA</title></head><body>Oops, you've found a dead link.</body></html>")
		return
	}
	user, ok := s.jiraAuth(w, r)
	if !ok {
		return
	}
	route := rest[1:]
	switch {
	case len(route) == 1 && route[0] == "serverInfo":
		s.serverInfo(w, r)
	case user == nil:
		s.jiraUnauthorized(w, r, false)
	case len(route) == 1 && route[0] == "myself":
		s.myself(w, r, user)
	case len(route) == 2 && route[0] == "project":
		p := s.jiraProject(route[1])
		if p == nil {
			writeJSON(w, http.StatusNotFound, false, map[string]any{
				"errorMessages": []string{fmt.Sprintf("No project could be found with key '%s'.", route[1])}, "errors": map[string]any{}})
			return
		}
		writeJSON(w, http.StatusOK, false, map[string]any{
			"self": origin(r) + "/rest/api/" + rest[0] + "/project/" + p.ID, "id": p.ID, "key": p.Key, "name": p.Name,
			"projectTypeKey": "software", "simplified": false, "style": "classic", "isPrivate": false,
		})
	case len(route) == 1 && route[0] == "mypermissions":
		s.myPermissions(w, r)
	default:
		writeJSON(w, http.StatusNotFound, false, map[string]any{"errorMessages": []string{"Not found"}, "errors": map[string]any{}})
	}
}

// jiraAuth returns the user (nil = anonymous). ok is false when it has
// answered already (bad credentials, CAPTCHA).
func (s *Server) jiraAuth(w http.ResponseWriter, r *http.Request) (*JiraUser, bool) {
	kind, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cloud := s.jiraCloud()
	switch strings.ToLower(kind) {
	case "":
		return nil, true
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			break
		}
		email, secret, _ := strings.Cut(string(raw), ":")
		u := s.jiraUser(email)
		if u != nil && (u.Captcha || s.cfg.Jira.Captcha) {
			s.captcha(w, r)
			return nil, false
		}
		if u == nil {
			break
		}
		switch {
		case cloud && secret == u.APIToken && u.APIToken != "":
			return u, true
		case cloud && secret == u.Password && u.Password != "":
			w.Header().Set("X-Seraph-LoginReason", "AUTHENTICATED_FAILED")
			w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, msgJiraPassword)
			return nil, false
		case !cloud && s.cfg.Jira.BasicDisabled:
			// [unverified] wording; Jira 11 disables Basic by default.
			w.Header().Set("X-Seraph-LoginReason", "AUTHENTICATED_FAILED")
			writeJSON(w, http.StatusUnauthorized, false, map[string]any{"errorMessages": []string{"Basic auth is disabled on this server; use a personal access token."}, "errors": map[string]any{}})
			return nil, false
		case !cloud && secret == u.PAT && u.PAT != "":
			// A DC PAT sent as a Basic password.
			w.Header().Set("X-Seraph-LoginReason", "AUTHENTICATION_DENIED")
			writeJSON(w, http.StatusForbidden, false, map[string]any{"errorMessages": []string{"Basic Authentication Failure - Reason : AUTHENTICATION_DENIED"}, "errors": map[string]any{}})
			return nil, false
		case !cloud && secret == u.Password && u.Password != "":
			return u, true
		}
	case "bearer":
		if cloud {
			break // Cloud API tokens are never Bearer on the site URL
		}
		for i := range s.cfg.Jira.Users {
			u := &s.cfg.Jira.Users[i]
			if u.PAT != "" && u.PAT == cred {
				if u.Captcha || s.cfg.Jira.Captcha {
					s.captcha(w, r)
					return nil, false
				}
				return u, true
			}
		}
	}
	s.jiraUnauthorized(w, r, true)
	return nil, false
}

// jiraUnauthorized writes the 401; the body format follows Accept.
func (s *Server) jiraUnauthorized(w http.ResponseWriter, r *http.Request, failedLogin bool) {
	h := w.Header()
	if failedLogin {
		h.Set("X-Seraph-LoginReason", "AUTHENTICATED_FAILED")
	}
	// Presence observed; value [unverified].
	h.Set("WWW-Authenticate", `OAuth realm="https%3A%2F%2Fexample.atlassian.net"`)
	accept := r.Header.Get("Accept")
	switch {
	case !s.jiraCloud():
		writeJSON(w, http.StatusUnauthorized, false, map[string]any{
			"errorMessages": []string{"You are not authenticated. Authentication required to perform this operation."}, "errors": map[string]any{}})
	case strings.Contains(accept, "json"):
		h.Set("Content-Type", "application/json;charset=UTF-8")
		writeJSON(w, http.StatusUnauthorized, false, map[string]any{"message": msgJiraUnauthenticated, "status-code": 401})
	case strings.Contains(accept, "xml"):
		h.Set("Content-Type", "application/xml;charset=UTF-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><status><status-code>401</status-code><message>`+msgJiraUnauthenticated+`</message></status>`)
	default:
		h.Set("Content-Type", "text/plain;charset=UTF-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, msgJiraUnauthenticated)
	}
}

func (s *Server) captcha(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Seraph-LoginReason", "AUTHENTICATION_DENIED")
	w.Header().Set("X-Authentication-Denied-Reason", "CAPTCHA_CHALLENGE; login-url="+origin(r)+"/login.jsp")
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, "<html><body>CAPTCHA_CHALLENGE</body></html>")
}

func (s *Server) jiraUser(email string) *JiraUser {
	for i := range s.cfg.Jira.Users {
		u := &s.cfg.Jira.Users[i]
		if strings.EqualFold(u.Email, email) || (u.Name != "" && strings.EqualFold(u.Name, email)) {
			return u
		}
	}
	return nil
}

func (s *Server) jiraProject(keyOrID string) *JiraProject {
	for i := range s.cfg.Jira.Projects {
		p := &s.cfg.Jira.Projects[i]
		if strings.EqualFold(p.Key, keyOrID) || p.ID == keyOrID {
			return p
		}
	}
	return nil
}

func (s *Server) serverInfo(w http.ResponseWriter, r *http.Request) {
	if s.jiraCloud() {
		// The spec example, verbatim apart from baseUrl, plus deploymentType.
		writeJSON(w, http.StatusOK, false, map[string]any{
			"baseUrl": origin(r), "version": "1001.0.0-SNAPSHOT", "versionNumbers": []int{5, 0, 0},
			"deploymentType": "Cloud", "buildNumber": 582, "buildDate": "2022-07-15T09:19:40.227+0000",
			"serverTime": "2022-07-15T09:19:40.227+0000", "scmInfo": "1f51473f5c7b75c1a69a0090f4832cdc5053702a",
			"serverTitle": "My Jira instance", "defaultLocale": map[string]string{"locale": "en_AU"},
		})
		return
	}
	writeJSON(w, http.StatusOK, false, map[string]any{
		"baseUrl": origin(r), "version": "10.3.19", "versionNumbers": []int{10, 3, 19},
		"deploymentType": "Server", "buildNumber": 10030019, "buildDate": "2025-06-10T00:00:00.000+0000",
		"serverTime": "2025-07-01T12:00:00.000+0000", "scmInfo": "0d6f6c3a1f1f2e7b9b5c8e4f8e9d2c1b0a9f8e7d",
		"serverTitle": "Jira",
	})
}

func (s *Server) myself(w http.ResponseWriter, r *http.Request, u *JiraUser) {
	avatars := map[string]string{}
	for _, sz := range []string{"48", "24", "16", "32"} {
		avatars[sz+"x"+sz] = "https://avatar-management--avatars.server-location.prod.public.atl-paas.net/initials/MK-5.png?size=" + sz + "&s=" + sz
	}
	if s.jiraCloud() {
		const id = "5b10a2844c20165700ede21g"
		writeJSON(w, http.StatusOK, false, map[string]any{
			"self": origin(r) + "/rest/api/3/user?accountId=" + id, "key": "", "accountId": id, "accountType": "atlassian",
			"name": "", "emailAddress": u.Email, "avatarUrls": avatars, "displayName": u.DisplayName, "active": true,
			"timeZone": "Australia/Sydney", "groups": map[string]any{"size": 3, "items": []any{}},
			"applicationRoles": map[string]any{"size": 1, "items": []any{}},
		})
		return
	}
	writeJSON(w, http.StatusOK, false, map[string]any{
		"self": origin(r) + "/rest/api/2/user?username=" + u.Name, "key": "JIRAUSER10100", "name": u.Name,
		"emailAddress": u.Email, "avatarUrls": avatars, "displayName": u.DisplayName, "active": true,
		"timeZone": "Europe/Berlin", "locale": "en_UK",
		"groups":           map[string]any{"size": 1, "items": []map[string]string{{"name": "jira-software-users", "self": origin(r) + "/rest/api/2/group?groupname=jira-software-users"}}},
		"applicationRoles": map[string]any{"size": 1, "items": []any{}}, "expand": "groups,applicationRoles",
	})
}

// myPermissions answers only the permissions asked for, like Cloud (which
// requires the parameter).
func (s *Server) myPermissions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := s.jiraProject(q.Get("projectKey"))
	if q.Get("projectKey") != "" && p == nil {
		writeJSON(w, http.StatusNotFound, false, map[string]any{
			"errorMessages": []string{fmt.Sprintf("No project could be found with key '%s'.", q.Get("projectKey"))}, "errors": map[string]any{}})
		return
	}
	if q.Get("permissions") == "" {
		writeJSON(w, http.StatusBadRequest, false, map[string]any{
			"errorMessages": []string{"The permissions query parameter is required."}, "errors": map[string]any{}})
		return
	}
	perms := map[string]any{}
	for i, k := range strings.Split(q.Get("permissions"), ",") {
		k = strings.TrimSpace(k)
		have := p == nil || !containsFold(p.Denied, k)
		perms[k] = map[string]any{
			"id": fmt.Sprint(10 + i), "key": k, "name": strings.ReplaceAll(strings.ToLower(k), "_", " "),
			"type": "PROJECT", "description": "Ability to " + strings.ToLower(strings.ReplaceAll(k, "_", " ")) + ".",
			"havePermission": have,
		}
	}
	writeJSON(w, http.StatusOK, false, map[string]any{"permissions": perms})
}
