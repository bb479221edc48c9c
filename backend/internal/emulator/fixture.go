package emulator

// Fixture values: a small, realistic world most tests start from.
const (
	OrgName        = "fabrikam"
	CollectionName = "DefaultCollection" // Azure DevOps Server, api-version ceiling 7.0
	Tenant         = "05f0b08a-e682-4a53-a924-6bd72815be78"
	ProjectName    = "Fabrikam-Fiber-Git"
	Area           = `Team A`
	SubArea        = `Team A\Backend`

	UserEmail       = "jane@contoso.com"
	UserDisplayName = "Jane Doe"

	GoodPAT     = "e7awvivqlx3ufnmdgb2w5lq5y7gvuvt6kffwvq3wh7yxqqyroxta"
	ExpiredPAT  = "k3ntwwqbp3ekkryopbvsqjwj2bxh6g7v5kzfcmrlyfvyo2nhwmha"
	NoScopePAT  = "q6fpl2xmqrkyqcmjcv4vt7xtklxnynvbzwzmdyd2e5d5k6z2o7da"
	NoWorkPAT   = "w2xh4b3sm2d6ljkzrq7ptb2vdmhc3q2cuc7rxnf6bspq6bqkpw3a"
	OtherOrgPAT = "z5sdnqp5nwqxzbgbdr6csqvmnx2u5aavplm6nhlw6l4dqzeofbra"

	AppClientID        = "4d856d1f-8648-456c-9bb2-f36273bbe4e3"
	AppSecret          = "Qx78Q~emulator.secret.value-not-real_0123"
	AppObjectID        = "8c1d4f0e-5b6a-4e3f-9d2c-1a0b9c8d7e6f"
	OutsiderClientID   = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	OutsiderSecret     = "Zz91Q~outsider.secret.value-not-real_4567"
	ExpiredAppClientID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
	ExpiredAppSecret   = "Ex55Q~expired.secret.value-not-real_8901"

	JiraEmail       = "mia@example.com"
	JiraDisplayName = "Mia Krystof"
	JiraUserName    = "mia"
	JiraAPIToken    = "ATATT3xFfGF0emulatorApiTokenValue0123456789abcdef"
	JiraPassword    = "correct-horse-battery-staple"
	JiraPAT         = "NjE2NDM0MzYxMzY3OmVtdWxhdG9yLWRjLXBhdC12YWx1ZQ"
	JiraProjectKey  = "PROJ"
	JiraReadOnly    = "RO" // project where CREATE_ISSUES and EDIT_ISSUES are denied
)

// Fixture returns a fresh world: organisation fabrikam (Services) and
// collection DefaultCollection (Server 2022, max api-version 7.0), each with
// project Fabrikam-Fiber-Git; PATs for jane@contoso.com (good, expired,
// without project scope, without work scope, scoped to another org); an
// app in the org, one outside it, one with an expired secret; and a Jira
// Cloud site with mia@example.com and projects PROJ and RO.
func Fixture() Config {
	projects := func() []Project {
		return []Project{
			{Name: ProjectName, ID: "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c", Areas: []string{Area, SubArea, "Team B"}},
			{Name: "Fabrikam-Fiber-TFVC", ID: "eb6e4656-77fc-42a1-9181-4c6d8e9da5d1"},
		}
	}
	pat := func(tok string) PAT { return PAT{Token: tok, Account: UserEmail, DisplayName: UserDisplayName} }
	expired, noScope, noWork, other := pat(ExpiredPAT), pat(NoScopePAT), pat(NoWorkPAT), pat(OtherOrgPAT)
	expired.Expired, noScope.NoProjectScope, noWork.NoWorkScope, other.Orgs = true, true, true, []string{"contoso"}
	return Config{
		Orgs: []Org{
			{Name: OrgName, Tenant: Tenant, Projects: projects()},
			{Name: CollectionName, Server: true, MaxAPIVersion: "7.0", Projects: projects()},
		},
		PATs: []PAT{pat(GoodPAT), expired, noScope, noWork, other},
		Apps: []App{
			{Tenant: Tenant, ClientID: AppClientID, Secret: AppSecret, DisplayName: "sharedvault-sync", ObjectID: AppObjectID, Orgs: []string{OrgName, CollectionName}},
			{Tenant: Tenant, ClientID: OutsiderClientID, Secret: OutsiderSecret, DisplayName: "outsider", ObjectID: "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b"},
			{Tenant: Tenant, ClientID: ExpiredAppClientID, Secret: ExpiredAppSecret, DisplayName: "expired", ObjectID: "2a3b4c5d-6e7f-4091-a2b3-c4d5e6f7a8b9", SecretExpired: true, Orgs: []string{OrgName}},
		},
		Jira: Jira{
			Deployment: "Cloud",
			Users: []JiraUser{{Email: JiraEmail, APIToken: JiraAPIToken, Password: JiraPassword, PAT: JiraPAT,
				DisplayName: JiraDisplayName, Name: JiraUserName}},
			Projects: []JiraProject{
				{Key: JiraProjectKey, Name: "Project", ID: "10000"},
				{Key: JiraReadOnly, Name: "Read only", ID: "10001", Denied: []string{"CREATE_ISSUES", "EDIT_ISSUES"}},
			},
		},
	}
}
