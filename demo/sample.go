package demo

import (
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
)

// The sample the demo plays out: one account's repository with a typo in
// its README and an issue asking for the fix, opened and labelled by its
// owner.
const (
	installationID = 1
	account        = "octo-org"
	repoName       = account + "/hello"
	person         = "octocat"
	issueTitle     = "Fix the typo in the README"
	issueBody      = "The README greets the reader with \"Hello, wrold!\". It should say \"Hello, world!\"."
	// scriptedModel is the model name the scripted model answers to; it is
	// priced as free.
	scriptedModel = "lifeos-demo-scripted"
)

// sampleFiles is the sample repository's default branch.
var sampleFiles = map[string]string{
	"README.md": "# hello\n\nHello, wrold!\n\nA tiny program that greets you.\n",
	"main.go":   "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"Hello, world!\")\n}\n",
	"go.mod":    "module example.com/hello\n\ngo 1.22\n",
}

// seed puts the sample on the GitHub double: the installation, the
// repository, its owner (an admin, signed in to the double's OAuth pages)
// and the issue. It returns the issue's number.
func seed(gh *githubfake.Server, clientID, clientSecret string) int {
	gh.AddInstallation(installationID, account)
	gh.AddRepo(installationID, repoName, sampleFiles)
	gh.AddUser(person, "User")
	gh.SetPermission(repoName, person, "admin")
	gh.SetOAuthClient(clientID, clientSecret)
	gh.SignIn(person)
	return gh.AddIssue(repoName, issueTitle, issueBody, person)
}

// script is what the scripted model answers, turn by turn: read the
// README, fix the typo, finish with a summary.
func script(m *modelfake.Server) {
	m.Script(
		modelfake.Reply{Content: "Let me read the README first.", ToolCalls: []modelfake.ToolCall{
			modelfake.Call("read_file", map[string]any{"path": "README.md"})}},
		modelfake.Reply{Content: "The greeting says \"wrold\"; fixing it.", ToolCalls: []modelfake.ToolCall{
			modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "Hello, wrold!", "new": "Hello, world!"})}},
		modelfake.Finish("Fixed the typo in README.md: \"Hello, wrold!\" now reads \"Hello, world!\"."),
	)
}
