package workspace

import (
	"slices"
	"testing"
)

func TestInverse(t *testing.T) {
	snap := func(files map[string]string) *Snapshot {
		m := map[string][]byte{}
		for p, c := range files {
			m[p] = []byte(c)
		}
		return NewSnapshot(m)
	}
	before := snap(map[string]string{"a.md": "old a\n", "gone.md": "was here\n", "same.md": "same\n"})
	after := snap(map[string]string{"a.md": "new a\n", "added.md": "new file\n", "same.md": "same\n"})
	tests := []struct {
		name      string
		now       *Snapshot
		want      []Change
		conflicts []string
	}{
		{"nothing since", snap(map[string]string{"a.md": "new a\n", "added.md": "new file\n", "same.md": "same\n", "other.md": "x\n"}),
			[]Change{{Path: "a.md", Content: []byte("old a\n"), Mode: ModeFile}, {Path: "added.md", Delete: true, Mode: ModeFile}, {Path: "gone.md", Content: []byte("was here\n"), Mode: ModeFile}}, nil},
		{"a file changed since", snap(map[string]string{"a.md": "newer a\n", "added.md": "new file\n"}), nil, []string{"a.md"}},
		{"an added file deleted since", snap(map[string]string{"a.md": "new a\n"}), nil, []string{"added.md"}},
		{"a deleted file back since", snap(map[string]string{"a.md": "new a\n", "added.md": "new file\n", "gone.md": "again\n"}), nil, []string{"gone.md"}},
	}
	for _, tt := range tests {
		got, conflicts := Inverse([]string{"gone.md", "a.md", "added.md", "a.md"}, before, after, tt.now)
		if !slices.Equal(conflicts, tt.conflicts) {
			t.Errorf("%s: conflicts = %q, want %q", tt.name, conflicts, tt.conflicts)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: changes = %+v, want %+v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if g.Path != w.Path || g.Delete != w.Delete || string(g.Content) != string(w.Content) || g.Mode != w.Mode {
				t.Errorf("%s: change %d = %+v, want %+v", tt.name, i, g, w)
			}
		}
	}
}
