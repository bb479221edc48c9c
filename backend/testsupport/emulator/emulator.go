// Package emulator re-exports the Azure DevOps / Entra / Jira emulator of
// backend/internal/emulator for tests outside backend/ (the window's browser
// tests in app/), which Go's internal-package rule keeps from importing it
// directly. Only _test.go files import this package; no binary links it.
package emulator

import "sharedvault/backend/internal/emulator"

type (
	Server   = emulator.Server
	Config   = emulator.Config
	PAT      = emulator.PAT
	App      = emulator.App
	JiraUser = emulator.JiraUser
)

var (
	// New starts an HTTP (loopback) emulator for cfg; it stops when the test ends.
	New = emulator.New
	// NewTLS starts an HTTPS emulator with a fresh test CA (Server.CAPEM).
	NewTLS = emulator.NewTLS
	// Fixture returns the standard small world (see internal/emulator/fixture.go).
	Fixture = emulator.Fixture
)

// Fixture values.
const (
	OrgName         = emulator.OrgName
	Tenant          = emulator.Tenant
	ProjectName     = emulator.ProjectName
	UserEmail       = emulator.UserEmail
	UserDisplayName = emulator.UserDisplayName
	GoodPAT         = emulator.GoodPAT
	ExpiredPAT      = emulator.ExpiredPAT
	AppClientID     = emulator.AppClientID
	AppSecret       = emulator.AppSecret
	JiraEmail       = emulator.JiraEmail
	JiraAPIToken    = emulator.JiraAPIToken
)
