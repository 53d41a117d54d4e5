package secrets

import "testing"

func TestDropExternalImages(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no images", "plain [link](https://example.com)", "plain [link](https://example.com)"},
		{"external inline", "a ![chart](https://evil.example/c.png?k=1) b", "a chart (image on evil.example removed) b"},
		{"external with title", `![x](<http://evil.example/a> "t")`, "x (image on evil.example removed)"},
		{"external without alt", "![](https://evil.example/a)", "(image on evil.example removed)"},
		{"protocol-relative", "![x](//evil.example/a)", "x (image on evil.example removed)"},
		{"data URL", "![x](data:image/png;base64,AAAA)", "x (image on data: removed)"},
		{"github user image", "![x](https://user-images.githubusercontent.com/1/a.png)", "![x](https://user-images.githubusercontent.com/1/a.png)"},
		{"github.com", "![x](https://github.com/o/r/raw/main/a.png)", "![x](https://github.com/o/r/raw/main/a.png)"},
		{"lookalike host", "![x](https://github.com.evil.example/a.png)", "x (image on github.com.evil.example removed)"},
		{"relative", "![x](docs/a.png)", "![x](docs/a.png)"},
		{"reference image", "![x][logo]\n\n[logo]: https://evil.example/l.png", "x (image on evil.example removed)\n\n[logo]: https://evil.example/l.png"},
		{"reference link is not an image", "[x][logo]\n\n[logo]: https://evil.example/l.png", "[x][logo]\n\n[logo]: https://evil.example/l.png"},
		{"html img", `<p><img width="10" src="https://evil.example/p?k=1"></p>`, "<p>(image on evil.example removed)</p>"},
		{"html img single quotes", `<IMG SRC='https://evil.example/p'>`, "(image on evil.example removed)"},
		{"html img on github", `<img src="https://avatars.githubusercontent.com/u/1">`, `<img src="https://avatars.githubusercontent.com/u/1">`},
	}
	for _, tt := range tests {
		if got := DropExternalImages(tt.in); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
