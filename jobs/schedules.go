package jobs

import (
	"fmt"
	"time"
)

// Reload reads the policy of each repository in Repos from its default
// branch and stores its schedules: the App was installed on them, or a
// push to the default branch touched the policy file. Repo (in Base) is
// the first of them, for logs.
type Reload struct {
	Base
	Repos []Repo `json:"repos"`
}

// NewReload makes a Reload job; repos must not be empty.
func NewReload(d Delivery, repos []Repo) Reload {
	return Reload{Base: newBase(d, repos[0]), Repos: repos}
}

func (Reload) Kind() string { return "lifeos_reload" }
func (Reload) Subject() int { return 0 }

// Fire is one firing of a stored schedule at one tick. Its delivery is
// made of the schedule and the tick, so a tick queued twice is one job and
// one run.
type Fire struct {
	Base
	ScheduleID int64     `json:"schedule_id"`
	Name       string    `json:"name"`
	Tick       time.Time `json:"tick"`
	// Subject is the run subject of the schedule (names.ScheduleSubject).
	RunSubject int `json:"subject"`
}

// NewFire makes the Fire job of schedule id at tick; subject is its runs'
// issue number (names.ScheduleSubject).
func NewFire(r Repo, id int64, name string, subject int, tick, now time.Time) Fire {
	d := Delivery{ID: fmt.Sprintf("schedule-%d-%d", id, tick.Unix()), Event: "schedule", QueuedAt: now}
	return Fire{Base: newBase(d, r), ScheduleID: id, Name: name, Tick: tick.UTC(), RunSubject: subject}
}

func (Fire) Kind() string   { return "lifeos_fire" }
func (j Fire) Subject() int { return j.RunSubject }

var (
	_ Job = Reload{}
	_ Job = Fire{}
)
