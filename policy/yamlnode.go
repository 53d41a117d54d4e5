// The strict YAML walker behind ParseFile: typed scalars, lists and mappings, each problem at its node's line and column.

package policy

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parser walks the YAML node tree and collects problems rather than stopping
// at the first, so one round of fixes is enough.
type parser struct {
	problems []Problem
}

type field struct {
	name string
	set  func(key string, v *yaml.Node)
}

func (p *parser) add(n *yaml.Node, key, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: n.Line, Column: n.Column, Key: key, Message: fmt.Sprintf(format, args...)})
}

// resolve follows aliases, so anchors work like the values they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports a key written without a value ("limits:") or as ~ / null,
// which counts as absent.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func (p *parser) object(n *yaml.Node, path string, fields []field) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	if n.Kind != yaml.MappingNode {
		where := "the file"
		if path != "" {
			where = path
		}
		p.add(n, path, "%s must be a mapping with the keys %s, got %s", where, strings.Join(names, ", "), describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k, path, "keys must be plain names, got %s", describe(k))
			continue
		}
		key := join(path, k.Value)
		if seen[k.Value] {
			p.add(k, key, "key is set twice")
			continue
		}
		seen[k.Value] = true
		var set func(string, *yaml.Node)
		for _, f := range fields {
			if f.name == k.Value {
				set = f.set
			}
		}
		if set == nil {
			msg := "unknown key"
			if s := suggest(k.Value, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			} else {
				msg += fmt.Sprintf(" (known keys: %s)", strings.Join(names, ", "))
			}
			p.add(k, key, "%s", msg)
			continue
		}
		set(key, resolve(v))
	}
}

// scalar returns n if it is a non-null scalar; a null means absent and
// anything else is a problem.
func (p *parser) scalar(n *yaml.Node, key, want string) (*yaml.Node, bool) {
	if isNull(n) {
		return nil, false
	}
	if n.Kind != yaml.ScalarNode {
		p.add(n, key, "must be %s, got %s", want, describe(n))
		return nil, false
	}
	return n, true
}

func (p *parser) integer(n *yaml.Node, key string) (int, bool) {
	const want = "a whole number"
	n, ok := p.scalar(n, key, want)
	if !ok {
		return 0, false
	}
	var v int
	if n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.add(n, key, "must be %s, got %s", want, describe(n))
		return 0, false
	}
	return v, true
}

func (p *parser) positive(n *yaml.Node, key string) (int, bool) {
	v, ok := p.integer(n, key)
	if ok && v <= 0 {
		p.add(n, key, "must be a positive whole number, got %d", v)
		return 0, false
	}
	return v, ok
}

func (p *parser) money(n *yaml.Node, key string) Money {
	const want = "an amount of US dollars such as 2.50"
	n, ok := p.scalar(n, key, want)
	if !ok {
		return 0
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!str":
	default:
		p.add(n, key, "must be %s, got %s", want, describe(n))
		return 0
	}
	m, err := ParseMoney(n.Value)
	if err != nil {
		p.add(n, key, "must be %s: %v", want, err)
		return 0
	}
	if m < 0 {
		p.add(n, key, "must not be negative, got %s", m)
		return 0
	}
	return m
}

func (p *parser) boolean(n *yaml.Node, key string) *bool {
	const want = "true or false"
	n, ok := p.scalar(n, key, want)
	if !ok {
		return nil
	}
	var v bool
	if n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		p.add(n, key, "must be %s, got %s", want, describe(n))
		return nil
	}
	return &v
}

func (p *parser) str(n *yaml.Node, key, want string) (string, bool) {
	n, ok := p.scalar(n, key, want)
	if !ok {
		return "", false
	}
	return n.Value, true
}

// list calls each for every item of a sequence and keeps the values it
// accepts.
func (p *parser) list(n *yaml.Node, key, want, itemWant string, each func(key string, item *yaml.Node) (string, bool)) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n, key, "must be a list of %s, got %s", want, describe(n))
		return nil
	}
	var out []string
	for i, item := range n.Content {
		item = resolve(item)
		ikey := fmt.Sprintf("%s[%d]", key, i)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			p.add(item, ikey, "must be %s, got %s", itemWant, describe(item))
			continue
		}
		if v, ok := each(ikey, item); ok {
			out = append(out, v)
		}
	}
	return out
}
