// The policy file's schedules (work that starts itself on a cron) and its
// proposals section, and the arithmetic of when a schedule fires next.

package policy

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // a schedule's timezone: must not depend on the host's zoneinfo

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/lifeos/lifeos/names"
)

// MaxSchedules bounds the schedules one repository may have.
const MaxSchedules = 20

// DefaultMaxProposals is how many proposal issues a scout run may open when
// the policy does not say: few enough to read over breakfast.
const DefaultMaxProposals = 3

// MaxProposalsCeiling is the most a policy's proposals.max may ask for:
// the agent's own cap (agent.MaxProposals).
const MaxProposalsCeiling = 3

// ScheduleFile is one entry of the file's schedules: a name, a standard
// 5-field cron (UTC unless Timezone names a zone), and either a recipe's
// name or a free-text task. Line is where the entry starts, RecipeLine and
// RecipeColumn where its recipe is named (for CheckRecipes).
type ScheduleFile struct {
	Name     string
	Cron     string
	Timezone string
	Recipe   string
	Task     string

	Line, RecipeLine, RecipeColumn int
}

// ProposalsFile is the file's proposals section: how many issues a scout
// run may open at most.
type ProposalsFile struct {
	Max int
}

// cronParser reads exactly the five standard fields; no seconds, no
// descriptors, so what a reader sees is what fires.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// ParseCron reads a 5-field cron expression in the zone tz ("" for UTC).
func ParseCron(expr, tz string) (cron.Schedule, error) {
	loc := time.UTC
	if tz != "" {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil {
			return nil, fmt.Errorf("unknown timezone %q", tz)
		}
	}
	if len(strings.Fields(expr)) != 5 {
		return nil, fmt.Errorf("%q is not a 5-field cron expression (minute hour day-of-month month day-of-week)", expr)
	}
	s, err := cronParser.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid cron expression: %v", expr, err)
	}
	if spec, ok := s.(*cron.SpecSchedule); ok {
		spec.Location = loc
	}
	return s, nil
}

// NextFiring is when a schedule fires next after after: its cron's next
// time, but never sooner than minInterval after its last firing (zero
// last: it never fired), the server's cap on how often a repository's
// schedules may fire. A cron that cannot be read never fires (zero time).
func NextFiring(expr, tz string, after, last time.Time, minInterval time.Duration) time.Time {
	s, err := ParseCron(expr, tz)
	if err != nil {
		return time.Time{}
	}
	next := s.Next(after)
	if !last.IsZero() && minInterval > 0 && next.Sub(last) < minInterval {
		next = s.Next(last.Add(minInterval).Add(-time.Second))
	}
	return next.UTC()
}

func (p *parser) proposals(n *yaml.Node, key string, f *ProposalsFile) {
	p.object(n, key, []field{
		{"max", func(key string, v *yaml.Node) {
			if m, ok := p.positive(v, key); ok {
				if m > MaxProposalsCeiling {
					p.add(v, key, "at most %d proposals per run, got %d", MaxProposalsCeiling, m)
					return
				}
				f.Max = m
			}
		}},
	})
}

func (p *parser) schedules(n *yaml.Node, key string) []ScheduleFile {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n, key, "must be a list of schedules, got %s", describe(n))
		return nil
	}
	if len(n.Content) > MaxSchedules {
		p.add(n, key, "a repository may have at most %d schedules, this file has %d", MaxSchedules, len(n.Content))
	}
	var out []ScheduleFile
	seen := map[string]bool{}
	for i, item := range n.Content {
		item = resolve(item)
		k := fmt.Sprintf("%s[%d]", key, i)
		s, ok := p.schedule(item, k)
		switch {
		case !ok:
		case seen[s.Name]:
			p.add(item, k+".name", "schedule %q is named twice", s.Name)
		default:
			seen[s.Name] = true
			out = append(out, s)
		}
	}
	return out
}

// schedule reads one schedule; ok is false when it has a problem.
func (p *parser) schedule(n *yaml.Node, key string) (ScheduleFile, bool) {
	before := len(p.problems)
	s := ScheduleFile{Line: n.Line}
	var cronNode *yaml.Node
	p.object(n, key, []field{
		{"name", func(key string, v *yaml.Node) {
			if name, ok := p.str(v, key, "a schedule name"); ok {
				if why := names.ValidScheduleName(name); why != "" {
					p.add(v, key, "schedule name %q %s", name, why)
					return
				}
				s.Name = name
			}
		}},
		{"cron", func(key string, v *yaml.Node) { s.Cron, _ = p.str(v, key, "a cron expression"); cronNode = v }},
		{"timezone", func(key string, v *yaml.Node) { s.Timezone, _ = p.str(v, key, "a timezone name such as Europe/Paris") }},
		{"recipe", func(key string, v *yaml.Node) {
			s.Recipe, _ = p.str(v, key, "a recipe name")
			s.RecipeLine, s.RecipeColumn = v.Line, v.Column
		}},
		{"task", func(key string, v *yaml.Node) { s.Task, _ = p.str(v, key, "the task, in words") }},
	})
	if n.Kind != yaml.MappingNode {
		return s, false
	}
	switch {
	case s.Name == "" && len(p.problems) == before:
		p.add(n, key+".name", "every schedule needs a name")
	case s.Cron == "" && cronNode == nil:
		p.add(n, key+".cron", "schedule %q needs a cron expression", s.Name)
	case (s.Recipe == "") == (strings.TrimSpace(s.Task) == ""):
		p.add(n, key, "schedule %q needs exactly one of recipe and task", s.Name)
	}
	if cronNode != nil && s.Cron != "" {
		if _, err := ParseCron(s.Cron, s.Timezone); err != nil {
			p.add(cronNode, key+".cron", "%v", err)
		}
	}
	return s, len(p.problems) == before
}

// CheckRecipes reports each schedule whose recipe is unknown: known says
// whether a recipe exists (shipped with LifeOS or in the repository's
// .github/lifeos/recipes/). It returns a *FileError, or nil.
func (f *File) CheckRecipes(known func(name string) bool) error {
	var ps []Problem
	for i, s := range f.Schedules {
		if s.Recipe != "" && !known(s.Recipe) {
			ps = append(ps, Problem{Line: s.RecipeLine, Column: s.RecipeColumn, Key: fmt.Sprintf("schedules[%d].recipe", i),
				Message: fmt.Sprintf("unknown recipe %q: neither shipped with LifeOS nor in .github/lifeos/recipes/%s.md", s.Recipe, s.Recipe)})
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return &FileError{Problems: ps}
}
