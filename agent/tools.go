// The tools the model is offered: their names, descriptions and argument schemas.

package agent

// Tool names as the model sees them.
const (
	toolListFiles  = "list_files"
	toolReadFile   = "read_file"
	toolSearch     = "search"
	toolWriteFile  = "write_file"
	toolEditFile   = "edit_file"
	toolDeleteFile = "delete_file"
	toolFinish     = "finish"
	toolPropose    = "propose_issue"
)

// toolSpec is one tool: its schema for the model and its implementation.
type toolSpec struct {
	name        string
	description string
	schema      map[string]any
	// writes marks tools that change the workspace; plan-only runs neither
	// offer nor run them.
	writes bool
	// proposes marks the tool offered only to runs that may propose work.
	proposes bool
	run      func(tb *toolbox, args string) (string, error)
}

// object builds a JSON schema for an arguments object.
func object(props map[string]any, required ...string) map[string]any {
	if required == nil {
		required = []string{}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

func str(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }

// toolSpecs lists every tool in the order offered to the model. finish has
// no run function: the loop handles it, since it ends the run.
func toolSpecs() []toolSpec {
	return []toolSpec{
		{
			name:        toolListFiles,
			description: "List the repository's files (including your edits), one path per line.",
			schema:      object(map[string]any{"path": str("Directory to list, e.g. \"src/api\". Omit for the whole repository.")}),
			run:         (*toolbox).listFiles,
		},
		{
			name:        toolReadFile,
			description: "Read a file; lines are numbered. Large files are cut off: read them in parts with start_line and end_line.",
			schema: object(map[string]any{
				"path":       str("File path relative to the repository root."),
				"start_line": map[string]any{"type": "integer", "minimum": 1, "description": "First line to read (1-based). Default 1."},
				"end_line":   map[string]any{"type": "integer", "minimum": 1, "description": "Last line to read, inclusive. Default: end of file."},
			}, "path"),
			run: (*toolbox).readFile,
		},
		{
			name:        toolSearch,
			description: "Search file contents line by line. Prints path:line: text for each match. Case-sensitive; with regex, (?i) makes it case-insensitive.",
			schema: object(map[string]any{
				"query": str("Text to find, or a Go (RE2) regular expression if regex is true."),
				"path":  str("Only search files under this directory or path. Omit for the whole repository."),
				"regex": map[string]any{"type": "boolean", "description": "Treat query as a regular expression. Default false."},
			}, "query"),
			run: (*toolbox).search,
		},
		{
			name:        toolWriteFile,
			description: "Create a file or replace its whole content. Prefer edit_file for changes to existing files.",
			schema: object(map[string]any{
				"path":    str("File path relative to the repository root."),
				"content": str("The complete new content of the file."),
			}, "path", "content"),
			writes: true,
			run:    (*toolbox).writeFile,
		},
		{
			name:        toolEditFile,
			description: "Replace one exact piece of text in a file. old must occur exactly once in the file, whitespace included; add surrounding lines to make it unique.",
			schema: object(map[string]any{
				"path": str("File path relative to the repository root."),
				"old":  str("The exact text to replace; must occur exactly once."),
				"new":  str("The replacement text (may be empty to delete old)."),
			}, "path", "old", "new"),
			writes: true,
			run:    (*toolbox).editFile,
		},
		{
			name:        toolDeleteFile,
			description: "Delete a file.",
			schema:      object(map[string]any{"path": str("File path relative to the repository root.")}, "path"),
			writes:      true,
			run:         (*toolbox).deleteFile,
		},
		{
			name:        toolPropose,
			description: "Propose a separate piece of follow-up work as a new issue for a maintainer to accept (they label it to start it). Use for work outside this task; at most 3 per run.",
			schema: object(map[string]any{
				"title": str("Issue title."),
				"body":  str("Markdown: what to do and why."),
			}, "title", "body"),
			proposes: true,
			run:      (*toolbox).propose,
		},
		{
			name:        toolFinish,
			description: "End the task. Call it alone, once your changes are complete (or, in plan-only mode, with your plan).",
			schema:      object(map[string]any{"summary": str("Markdown summary for the pull request: what changed and why. In plan-only mode: the plan.")}, "summary"),
		},
	}
}
