package githubfake

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v89/github"
)

const (
	// DefaultTokenLifetime is how long an installation token lives on
	// GitHub.
	DefaultTokenLifetime = time.Hour
	// maxJWTLifetime is GitHub's limit on how far in the future a JWT's exp
	// may lie.
	maxJWTLifetime = 10 * time.Minute
	// jwtClockSkew is the drift tolerated on iat and exp. GitHub's own docs
	// advise iat 60 s in the past and exp 10 min ahead, so exp - iat may be
	// up to 11 minutes.
	jwtClockSkew = 60 * time.Second
)

// DefaultPermissions are what an installation grants unless
// SetInstallationPermissions says otherwise. They cover everything the
// double serves except changing workflow files (the "workflows"
// permission), which GitHub Apps rarely get.
func DefaultPermissions() map[string]string {
	return map[string]string{
		"metadata":       "read",
		"contents":       "write",
		"issues":         "write",
		"pull_requests":  "write",
		"checks":         "write",
		"statuses":       "write",
		"administration": "read",
		"actions":        "read",
		"members":        "read",
	}
}

// AddInstallation installs the App on an account (an organization unless
// the login was added with AddUser as a "User").
func (s *Server) AddInstallation(id int64, account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.installations[id]; ok {
		panic(fmt.Sprintf("githubfake: installation %d already exists", id))
	}
	if _, ok := s.users[strings.ToLower(account)]; !ok {
		s.users[strings.ToLower(account)] = &userState{id: s.newID(), login: account, typ: "Organization"}
	}
	s.installations[id] = &installation{
		id: id, account: account, perms: DefaultPermissions(),
		repoIDs: map[int64]bool{}, createdAt: s.now(),
	}
}

// SetInstallationPermissions replaces what an installation grants, e.g.
// {"contents": "read", "workflows": "write"}. Tokens issued earlier keep
// their permissions, as on GitHub.
func (s *Server) SetInstallationPermissions(id int64, perms map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.mustInstallation(id)
	inst.perms = map[string]string{}
	for k, v := range perms {
		inst.perms[k] = v
	}
}

func (s *Server) mustInstallation(id int64) *installation {
	inst, ok := s.installations[id]
	if !ok {
		panic(fmt.Sprintf("githubfake: no installation %d", id))
	}
	return inst
}

// authenticate checks the credential an operation takes and fills in the
// call's installation and token.
func (s *Server) authenticate(c *call, kind authKind) (reply, bool) {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(c.r.Header.Get("Authorization")), " ")
	cred = strings.TrimSpace(cred)
	if cred == "" {
		return errReply(http.StatusUnauthorized, "Requires authentication"), false
	}
	scheme = strings.ToLower(scheme)
	isJWT := scheme == "bearer" && strings.Count(cred, ".") == 2
	switch kind {
	case authJWT:
		if !isJWT {
			return errReply(http.StatusUnauthorized, "A JSON web token could not be decoded"), false
		}
		if msg := s.checkJWT(cred); msg != "" {
			return errReply(http.StatusUnauthorized, msg), false
		}
		return reply{}, true
	default:
		if isJWT {
			if s.checkJWT(cred) == "" {
				return errReply(http.StatusForbidden, "Resource not accessible by integration"), false
			}
			return errReply(http.StatusUnauthorized, "Bad credentials"), false
		}
		if scheme != "token" && scheme != "bearer" {
			return errReply(http.StatusUnauthorized, "Bad credentials"), false
		}
		if login, ok := s.oauth.tokens[cred]; ok {
			if kind != authInstallationOrUser {
				return errReply(http.StatusForbidden, "Resource not accessible by integration"), false
			}
			c.user = login
			return reply{}, true
		}
		tok, ok := s.tokens[cred]
		if !ok || !s.now().Before(tok.expiresAt) {
			return errReply(http.StatusUnauthorized, "Bad credentials"), false
		}
		c.token = tok
		c.inst = s.installations[tok.installationID]
		return reply{}, true
	}
}

// checkJWT verifies an App JWT the way GitHub does and returns GitHub's
// complaint, or "" if it is fine.
func (s *Server) checkJWT(raw string) string {
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation(), jwt.WithJSONNumber())
	_, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &s.key.PublicKey, nil })
	if err != nil {
		return "A JSON web token could not be decoded"
	}
	now := s.clock()
	exp, okExp := numericClaim(claims["exp"])
	if !okExp || !time.Unix(exp, 0).After(now) {
		return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	}
	if time.Unix(exp, 0).After(now.Add(maxJWTLifetime + jwtClockSkew)) {
		return "'Expiration time' claim ('exp') is too far in the future"
	}
	iat, okIat := numericClaim(claims["iat"])
	if !okIat || time.Unix(iat, 0).After(now.Add(jwtClockSkew)) {
		return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
	}
	if time.Unix(exp, 0).Sub(time.Unix(iat, 0)) > maxJWTLifetime+jwtClockSkew {
		return "'Expiration time' claim ('exp') is too far in the future"
	}
	var iss string
	switch v := claims["iss"].(type) {
	case json.Number:
		iss = v.String()
	case string:
		iss = v
	}
	if iss != strconv.FormatInt(s.appID, 10) {
		return "'Issuer' claim ('iss') must be an Integer"
	}
	return ""
}

func numericClaim(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	return int64(f), err == nil
}

// authorize checks that the token reaches the repository or organization
// named in the path and holds one of the permissions the operation needs.
func (s *Server) authorize(c *call, perms []string) (reply, bool) {
	owner, hasOwner := c.params["owner"]
	if hasOwner {
		repo := s.lookupRepo(owner, c.params["repo"])
		if repo == nil {
			return notFound(), false
		}
		if c.token != nil && (repo.installationID != c.token.installationID ||
			(c.token.repoIDs != nil && !c.token.repoIDs[repo.id])) {
			return notFound(), false
		}
		if c.user != "" && repo.roleOf(c.user) == "none" {
			return notFound(), false
		}
		c.repo = repo
	}
	if org, ok := c.params["org"]; ok && c.inst != nil && !strings.EqualFold(org, c.inst.account) {
		return notFound(), false
	}
	if c.token == nil || len(perms) == 0 {
		return reply{}, true
	}
	for _, p := range perms {
		cat, level, _ := strings.Cut(p, ":")
		if permits(c.token.perms[cat], level) {
			return reply{}, true
		}
	}
	return errReply(http.StatusForbidden, "Resource not accessible by integration"), false
}

// permits reports whether a granted level covers a needed one.
func permits(granted, needed string) bool {
	rank := map[string]int{"read": 1, "write": 2, "admin": 3}
	return granted != "" && rank[granted] >= rank[needed]
}

// randomString returns n random alphanumerics.
func randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(fmt.Sprintf("githubfake: random: %v", err))
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

// createAccessToken serves POST /app/installations/{installation_id}/access_tokens.
func (s *Server) createAccessToken(c *call) reply {
	inst, ok := s.installations[c.int64Param("installation_id")]
	if !ok {
		return notFound()
	}
	var in struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	tok := &tokenState{installationID: inst.id, expiresAt: s.now().Add(s.tokenLifetime), perms: map[string]string{}}
	for k, v := range inst.perms {
		tok.perms[k] = v
	}
	if len(in.Permissions) > 0 {
		tok.perms = map[string]string{"metadata": "read"}
		for k, v := range in.Permissions {
			if !permits(inst.perms[k], v) {
				return unprocessable("The permissions requested are not granted to this installation.")
			}
			tok.perms[k] = v
		}
	}
	if len(in.Repositories) > 0 || len(in.RepositoryIDs) > 0 {
		tok.repoIDs = map[int64]bool{}
		for _, name := range in.Repositories {
			r := s.lookupRepo(inst.account, name)
			if r == nil || !inst.repoIDs[r.id] {
				return unprocessable("There is at least one repository that does not exist or is not accessible to the parent installation.")
			}
			tok.repoIDs[r.id] = true
		}
		for _, id := range in.RepositoryIDs {
			if !inst.repoIDs[id] {
				return unprocessable("There is at least one repository that does not exist or is not accessible to the parent installation.")
			}
			tok.repoIDs[id] = true
		}
	}
	token := "ghs_" + randomString(36)
	s.tokens[token] = tok
	out := map[string]any{
		"token":                token,
		"expires_at":           tok.expiresAt.Format(time.RFC3339),
		"permissions":          tok.perms,
		"repository_selection": "all",
	}
	if tok.repoIDs != nil {
		out["repository_selection"] = "selected"
		var repos []*github.Repository
		for _, r := range s.sortedRepos() {
			if tok.repoIDs[r.id] {
				repos = append(repos, s.repoJSON(r))
			}
		}
		out["repositories"] = repos
	}
	return jsonReply(http.StatusCreated, out)
}

// sortedRepos lists every repository by id.
func (s *Server) sortedRepos() []*repoState {
	out := make([]*repoState, 0, len(s.repos))
	for _, r := range s.repos {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// getApp serves GET /app.
func (s *Server) getApp(*call) reply {
	t := github.Timestamp{Time: time.Unix(1_600_000_000, 0).UTC()}
	return jsonReply(http.StatusOK, &github.App{
		ID:                 ptr(s.appID),
		Slug:               ptr(s.slug),
		NodeID:             ptr(nodeID("Integration", s.appID)),
		Name:               ptr(s.slug),
		HTMLURL:            ptr(htmlURL("/apps/%s", s.slug)),
		CreatedAt:          &t,
		UpdatedAt:          &t,
		InstallationsCount: ptr(len(s.installations)),
	})
}

// installationJSON renders an installation.
func (s *Server) installationJSON(inst *installation) *github.Installation {
	acct := s.user(inst.account)
	perms := map[string]string{}
	for k, v := range inst.perms {
		perms[k] = v
	}
	var p github.InstallationPermissions
	js, _ := json.Marshal(perms)
	_ = json.Unmarshal(js, &p)
	t := github.Timestamp{Time: inst.createdAt}
	return &github.Installation{
		ID:                  ptr(inst.id),
		AppID:               ptr(s.appID),
		AppSlug:             ptr(s.slug),
		TargetID:            ptr(acct.id),
		TargetType:          ptr(acct.typ),
		Account:             s.userJSON(acct.login),
		AccessTokensURL:     ptr(s.apiURL("/app/installations/%d/access_tokens", inst.id)),
		RepositoriesURL:     ptr(s.apiURL("/installation/repositories")),
		HTMLURL:             ptr(htmlURL("/settings/installations/%d", inst.id)),
		RepositorySelection: ptr("selected"),
		Permissions:         &p,
		CreatedAt:           &t,
		UpdatedAt:           &t,
	}
}

// getInstallation serves GET /app/installations/{installation_id}.
func (s *Server) getInstallation(c *call) reply {
	inst, ok := s.installations[c.int64Param("installation_id")]
	if !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.installationJSON(inst))
}

// getRepoInstallation serves GET /repos/{owner}/{repo}/installation.
func (s *Server) getRepoInstallation(c *call) reply {
	inst, ok := s.installations[c.repo.installationID]
	if !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.installationJSON(inst))
}

// IssuedTokens lists every installation token the double has minted, so a
// test can check that none of them ends up anywhere LifeOS writes.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for tok := range s.tokens {
		out = append(out, tok)
	}
	return out
}
