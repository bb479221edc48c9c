package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// principal is who an Azure DevOps request authenticated as.
type principal struct {
	account, display, id string
	pat                  *PAT
	app                  *App
}

// Verbatim or reference-default Azure DevOps messages.
const (
	msgAnonymous  = "TF400813: Resource not available for anonymous access. Client authentication required."
	msgExpiredPAT = "Access Denied: The Personal Access Token used has expired."
)

func (s *Server) adoHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("ActivityId", ActivityID)
	h.Set("X-TFS-Session", ActivityID)
	h.Set("X-VSS-E2EID", ActivityID)
	h.Set("X-TFS-ProcessId", "b31d03ba-e172-440e-8f6d-26aa693a51f8")
}

// adoError writes the Azure DevOps error envelope (protocols.md §1.5) with
// the message repeated URL-encoded in X-TFS-ServiceError.
func (s *Server) adoError(w http.ResponseWriter, status int, message, typeName, typeKey string, custom map[string]any) {
	w.Header().Set("X-TFS-ServiceError", url.QueryEscape(message))
	body := map[string]any{
		"$id": "1", "innerException": nil, "message": message,
		"typeName": typeName, "typeKey": typeKey, "errorCode": 0, "eventId": 3000,
	}
	if custom != nil {
		body["customProperties"] = custom
	}
	writeJSON(w, status, s.cfg.BOM, body)
}

// unauthorized answers a missing/invalid credential: 401 with the
// federation headers when the client suppressed the redirect, otherwise the
// configured sign-in redirect (the 203 trap).
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, org *Org, message string) {
	if r.Header.Get("X-TFS-FedAuthRedirect") != "Suppress" || org.IgnoreSuppress {
		s.signIn(w, r)
		return
	}
	s.challenge(w, r, org)
	s.adoError(w, http.StatusUnauthorized, message,
		"Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server",
		"UnauthorizedRequestException", nil)
}

// challenge sets the headers every Azure DevOps 401 carries.
func (s *Server) challenge(w http.ResponseWriter, r *http.Request, org *Org) {
	h := w.Header()
	tenant := org.Tenant
	if tenant == "" {
		tenant = "00000000-0000-0000-0000-000000000000"
	}
	if org.Server {
		h.Set("WWW-Authenticate", fmt.Sprintf(`Bearer, Basic realm="%s/tfs", Negotiate, NTLM`, origin(r)))
	} else {
		if org.Tenant != "" {
			h.Add("WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/"+org.Tenant)
		}
		h.Add("WWW-Authenticate", `Basic realm="https://tfsprodweusu4.app.visualstudio.com/"`)
		h.Add("WWW-Authenticate", "TFS-Federated")
		h.Set("X-TFS-FedAuthRealm", "https://tfs.app.visualstudio.com/")
		h.Set("X-TFS-FedAuthIssuer", "https://"+org.Name+".visualstudio.com/")
		h.Set("X-VSS-ResourceTenant", tenant)
	}
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	loc := origin(r) + "/_signin?realm=dev.azure.com&reply_to=" + url.QueryEscape(origin(r)+r.URL.RequestURI())
	w.Header().Set("X-TFS-FedAuthRedirect", loc)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch s.cfg.SignIn {
	case SignIn203:
		w.WriteHeader(http.StatusNonAuthoritativeInfo)
		_, _ = w.Write([]byte(signInPage))
	case SignIn200:
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(signInPage))
	default:
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusFound)
		fmt.Fprintf(w, `<html><head><title>Object moved</title></head><body><h2>Object moved to <a href="%s">here</a>.</h2></body></html>`, loc)
	}
}

// authenticate resolves the Authorization header. It writes the failure
// answer itself and returns nil when the request must stop.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, org *Org) *principal {
	kind, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch strings.ToLower(kind) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			break
		}
		_, token, ok := strings.Cut(string(raw), ":") // the user name is ignored
		if !ok {
			break
		}
		for i := range s.cfg.PATs {
			p := &s.cfg.PATs[i]
			if p.Token != token {
				continue
			}
			if p.Expired {
				s.challenge(w, r, org)
				w.Header().Set("X-TFS-ServiceError", url.PathEscape(msgExpiredPAT))
				body := map[string]any{
					"$id": "1",
					"customProperties": map[string]any{"Descriptor": nil, "IdentityDisplayName": nil, "Token": nil,
						"RequestedPermissions": 0, "NamespaceId": "00000000-0000-0000-0000-000000000000"},
					"innerException": nil, "message": msgExpiredPAT,
					"typeName": "Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi",
					"typeKey":  "AccessCheckException", "errorCode": 0, "eventId": 3000,
				}
				writeJSON(w, http.StatusUnauthorized, s.cfg.BOM, body)
				return nil
			}
			if len(p.Orgs) > 0 && !containsFold(p.Orgs, org.Name) {
				break // an org-scoped PAT looks invalid elsewhere
			}
			return &principal{account: p.Account, display: p.DisplayName, id: "08347002-d37b-6380-a5a7-645420d92a52", pat: p}
		}
	case "bearer":
		app := s.appByClientID(s.issued[cred])
		if app == nil {
			break
		}
		if org.Tenant != "" && !strings.EqualFold(org.Tenant, app.Tenant) {
			s.unauthorized(w, r, org, fmt.Sprintf("TF400813: The user '%s' is not authorized to access this resource.", app.ObjectID))
			return nil
		}
		if !containsFold(app.Orgs, org.Name) {
			// Status 401 is the reference's default [unverified].
			s.unauthorized(w, r, org, fmt.Sprintf(
				`TF401444: Please sign-in at least once as %s\%s\%s in a web browser to enable access to the service.`,
				app.Tenant, app.Tenant, app.ObjectID))
			return nil
		}
		return &principal{account: app.ClientID, display: app.DisplayName, id: app.ObjectID, app: app}
	}
	s.unauthorized(w, r, org, msgAnonymous)
	return nil
}

// serveDevOps handles /{org}/... and /tfs/{collection}/... below the org.
func (s *Server) serveDevOps(w http.ResponseWriter, r *http.Request, org *Org, rest []string) {
	s.adoHeaders(w)
	if org == nil || len(rest) == 0 {
		notFoundText(w) // [unverified] reference default for an unknown org
		return
	}
	who := s.authenticate(w, r, org)
	if who == nil {
		return
	}
	// Versioned routes; connectionData takes no api-version.
	versioned := !(len(rest) == 2 && rest[0] == "_apis" && strings.EqualFold(rest[1], "connectionData"))
	if versioned && !s.versionOK(w, r, org) {
		return
	}
	switch {
	case len(rest) == 2 && rest[0] == "_apis" && strings.EqualFold(rest[1], "connectionData") && r.Method == http.MethodGet:
		s.connectionData(w, org, who)
	case len(rest) == 2 && rest[0] == "_apis" && rest[1] == "projects" && r.Method == http.MethodGet:
		if who.pat != nil && who.pat.NoProjectScope {
			// [unverified] the reference's default body for a missing scope.
			s.unauthorized(w, r, org, fmt.Sprintf("TF400813: The user '%s' is not authorized to access this resource.", who.id))
			return
		}
		s.projectList(w, r, org)
	case len(rest) == 3 && rest[0] == "_apis" && rest[1] == "projects" && r.Method == http.MethodGet:
		if who.pat != nil && who.pat.NoProjectScope {
			s.unauthorized(w, r, org, fmt.Sprintf("TF400813: The user '%s' is not authorized to access this resource.", who.id))
			return
		}
		p := s.project(w, org, rest[2])
		if p != nil {
			writeJSON(w, http.StatusOK, s.cfg.BOM, projectRef(r, org, p))
		}
	case len(rest) >= 5 && rest[1] == "_apis" && rest[2] == "wit" && strings.EqualFold(rest[3], "classificationnodes") && strings.EqualFold(rest[4], "Areas") && r.Method == http.MethodGet:
		p := s.project(w, org, rest[0])
		if p == nil {
			return
		}
		if who.pat != nil && who.pat.NoWorkScope {
			s.unauthorized(w, r, org, fmt.Sprintf("TF400813: The user '%s' is not authorized to access this resource.", who.id))
			return
		}
		s.areaNode(w, r, p, rest[5:])
	case len(rest) == 4 && rest[1] == "_apis" && rest[2] == "wit" && rest[3] == "wiql" && r.Method == http.MethodPost:
		p := s.project(w, org, rest[0])
		if p == nil {
			return
		}
		if who.pat != nil && who.pat.NoWorkScope {
			s.unauthorized(w, r, org, fmt.Sprintf("TF400813: The user '%s' is not authorized to access this resource.", who.id))
			return
		}
		var q struct {
			Query string `json:"query"`
		}
		if json.NewDecoder(r.Body).Decode(&q) != nil || q.Query == "" {
			s.adoError(w, http.StatusBadRequest, "VS402621: The WIQL query is empty or invalid.", "Microsoft.TeamFoundation.WorkItemTracking.Server.Queries.SyntaxException, Microsoft.TeamFoundation.WorkItemTracking.Server", "SyntaxException", nil)
			return
		}
		writeJSON(w, http.StatusOK, s.cfg.BOM, map[string]any{
			"queryType": "flat", "queryResultType": "workItem", "asOf": "2024-01-01T00:00:00Z",
			"columns":   []map[string]string{{"referenceName": "System.Id", "name": "ID", "url": origin(r) + "/_apis/wit/fields/System.Id"}},
			"workItems": []map[string]any{{"id": 1, "url": origin(r) + "/_apis/wit/workItems/1"}},
		})
	default:
		notFoundText(w)
	}
}

// versionOK enforces a Server collection's api-version ceiling. The version
// may come in the query or the Accept header (what the Go client sends).
func (s *Server) versionOK(w http.ResponseWriter, r *http.Request, org *Org) bool {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		if _, params, err := mime.ParseMediaType(r.Header.Get("Accept")); err == nil {
			v = params["api-version"]
		}
	}
	if v == "" || !org.Server {
		return true
	}
	max := org.MaxAPIVersion
	if max == "" {
		max = "7.0"
	}
	req, _, _ := strings.Cut(v, "-")
	if compareVersion(req, max) <= 0 {
		return true
	}
	// Message verbatim from field reports; status and type [unverified].
	s.adoError(w, http.StatusBadRequest,
		fmt.Sprintf("The requested REST API version of %s is out of range for this server. The latest REST API version this server supports is %s.", req, max),
		"Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi",
		"VssVersionOutOfRangeException", nil)
	return false
}

// compareVersion compares "major.minor" strings numerically.
func compareVersion(a, b string) int {
	pa, pb := strings.SplitN(a, ".", 2), strings.SplitN(b, ".", 2)
	for i := 0; i < 2; i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (s *Server) connectionData(w http.ResponseWriter, org *Org, who *principal) {
	deployment := "hosted"
	if org.Server {
		deployment = "onPremises"
	}
	identity := map[string]any{
		"id":                  who.id,
		"descriptor":          fmt.Sprintf(`Microsoft.IdentityModel.Claims.ClaimsIdentity;%s\%s`, org.Tenant, who.account),
		"subjectDescriptor":   "aad.ZmFrZS1zdWJqZWN0",
		"providerDisplayName": who.display,
		"isActive":            true,
		"properties":          map[string]any{"Account": map[string]any{"$type": "System.String", "$value": who.account}},
		"resourceVersion":     2,
		"metaTypeId":          0,
	}
	writeJSON(w, http.StatusOK, s.cfg.BOM, map[string]any{
		"authenticatedUser": identity,
		"authorizedUser":    identity,
		"instanceId":        "6e5a1e4e-0b8f-4b4a-9f5e-5d0c2a9b7c11",
		"deploymentId":      "0c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8",
		"deploymentType":    deployment,
		"locationServiceData": map[string]any{
			"serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7", "defaultAccessMappingMoniker": "PublicAccessMapping",
			"lastChangeId": 0, "lastChangeId64": 0,
		},
	})
}

// projectList answers {count,value}, honouring $top.
func (s *Server) projectList(w http.ResponseWriter, r *http.Request, org *Org) {
	value := []map[string]any{}
	for i := range org.Projects {
		value = append(value, projectRef(r, org, &org.Projects[i]))
	}
	if top, err := strconv.Atoi(r.URL.Query().Get("$top")); err == nil && top >= 0 && top < len(value) {
		value = value[:top]
	}
	writeJSON(w, http.StatusOK, s.cfg.BOM, map[string]any{"count": len(value), "value": value})
}

// projectRef is a TeamProjectReference.
func projectRef(r *http.Request, org *Org, p *Project) map[string]any {
	base := origin(r) + "/" + url.PathEscape(org.Name)
	if org.Server {
		base = origin(r) + "/tfs/" + url.PathEscape(org.Name)
	}
	return map[string]any{
		"id": p.ID, "name": p.Name, "description": p.Name + " project",
		"url":   base + "/_apis/projects/" + p.ID,
		"state": "wellFormed", "revision": 411, "visibility": "private",
		"lastUpdateTime": "2024-01-15T10:00:00.000Z",
	}
}

// project finds a project by name or id, else writes TF200016 (404).
func (s *Server) project(w http.ResponseWriter, org *Org, nameOrID string) *Project {
	for i := range org.Projects {
		p := &org.Projects[i]
		if strings.EqualFold(p.Name, nameOrID) || strings.EqualFold(p.ID, nameOrID) {
			return p
		}
	}
	s.adoError(w, http.StatusNotFound,
		fmt.Sprintf("TF200016: The following project does not exist: %s. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.", nameOrID),
		"Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, Microsoft.TeamFoundation.Core.WebApi",
		"ProjectDoesNotExistWithNameException", nil)
	return nil
}

// areaNode answers a classification node below the project's root area.
func (s *Server) areaNode(w http.ResponseWriter, r *http.Request, p *Project, segs []string) {
	path := strings.Join(segs, `\`)
	name := p.Name
	if path != "" {
		found := false
		for _, a := range p.Areas {
			if strings.EqualFold(a, path) {
				found = true
				break
			}
		}
		if !found {
			// Message and type [unverified]: not captured in the reference.
			s.adoError(w, http.StatusNotFound,
				fmt.Sprintf("VS402485: The node %s\\%s does not exist.", p.Name, path),
				"Microsoft.TeamFoundation.WorkItemTracking.Server.Metadata.ClassificationNodeDoesNotExistException, Microsoft.TeamFoundation.WorkItemTracking.Server",
				"ClassificationNodeDoesNotExistException", nil)
			return
		}
		name = segs[len(segs)-1]
	}
	writeJSON(w, http.StatusOK, s.cfg.BOM, map[string]any{
		"id": 7, "identifier": "a1b2c3d4-0000-4000-8000-000000000007", "name": name,
		"structureType": "area", "hasChildren": false,
		"path": `\` + p.Name + `\Area` + strings.TrimSuffix(`\`+path, `\`),
		"url":  origin(r) + r.URL.Path,
	})
}

func (s *Server) appByClientID(id string) *App {
	if id == "" {
		return nil
	}
	for i := range s.cfg.Apps {
		if strings.EqualFold(s.cfg.Apps[i].ClientID, id) {
			return &s.cfg.Apps[i]
		}
	}
	return nil
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
