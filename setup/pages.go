package setup

import (
	"html/template"
	"net/http"
)

// The pages are small and self-contained: set-up mode serves no assets.
var (
	pageTmpl = template.Must(template.New("page").Parse(head + `<h1>Register LifeOS on GitHub</h1>
<p>One click creates LifeOS's GitHub App from its manifest (<code>app.yml</code>) on {{.WebURL}}, with:</p>
<ul><li>webhooks delivered to <code>{{.Webhook}}</code></li><li>GitHub sending you back to <code>{{.Public}}/setup/callback</code></li></ul>
{{if .Local}}<p class="warn">LIFEOS_PUBLIC_URL is not set, so this server calls itself {{.Public}}. GitHub cannot deliver webhooks there: set LIFEOS_WEBHOOK_URL to a smee.io channel (see README) or LIFEOS_PUBLIC_URL to a public https address, and restart, before registering.</p>{{end}}
<form method="post" action="/setup">
<p><label>Organization (leave empty for your personal account): <input name="org" autocomplete="off"></label></p>
<p><button type="submit">Register the GitHub App</button></p>
</form>` + tail))
	postTmpl = template.Must(template.New("post").Parse(head + `<h1>On to GitHub…</h1>
<form id="f" method="post" action="{{.Action}}"><input type="hidden" name="manifest" value="{{.Manifest}}">
<p><button type="submit">Continue to GitHub</button></p></form>
<script>document.getElementById("f").submit()</script>` + tail))
	doneTmpl = template.Must(template.New("done").Parse(head + `<h1>LifeOS is registered</h1>
<p>The App <strong>{{.Slug}}</strong> exists, and this server now runs with it.</p>
<ol><li><a href="{{.Install}}">Install it</a> on the repositories (or the organization) LifeOS may work on.</li>
<li>Create the label <code>{{.Label}}</code> in a repository, and put it on an issue.</li></ol>
<p>The credentials are stored in the server's data directory; the server's terminal shows the <code>fly secrets set</code> line that gives them to another deployment.</p>` + tail))
	plainTmpl = template.Must(template.New("plain").Parse(head + `<h1>{{.Title}}</h1><p>{{.Message}}</p>` + tail))
)

const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LifeOS set-up</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}.warn{background:#fff4ce;padding:.5em}</style></head><body>`

const tail = `</body></html>`

func render(w http.ResponseWriter, code int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(code)
	_ = t.Execute(w, data)
}
