package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A repository's schedules are stored from its policy file whenever that
// is read (the App's installation, a push touching the file); the leader's
// tick fires the due ones. A firing is claimed by a row keyed by schedule
// and tick, so that even two leaders fire each tick once.

// Schedule is one stored schedule of a repository.
type Schedule struct {
	ID             int64
	Repo           string
	InstallationID int64
	DefaultBranch  string
	Name           string
	Cron           string
	Timezone       string
	Recipe         string
	Task           string
	NextAt         time.Time
	LastFiredAt    *time.Time
}

// ReplaceSchedules makes scheds the repository's schedules: each is added
// or updated in place (keeping its id, so its runs stay together), and
// every other schedule of the repository is removed, so it stops.
func (s *Store) ReplaceSchedules(ctx context.Context, repo string, scheds []Schedule) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("replace the schedules of %s: %w", repo, err)
	}
	defer tx.Rollback()
	now := s.now().UTC()
	keep := []any{repo}
	placeholders := ""
	for i, sc := range scheds {
		_, err := tx.ExecContext(ctx, `INSERT INTO lifeos_schedules
			(repo, installation_id, default_branch, name, cron, timezone, recipe, task, next_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (repo, name) DO UPDATE SET installation_id = excluded.installation_id,
			default_branch = excluded.default_branch, cron = excluded.cron, timezone = excluded.timezone,
			recipe = excluded.recipe, task = excluded.task, next_at = excluded.next_at, updated_at = excluded.updated_at`,
			repo, sc.InstallationID, sc.DefaultBranch, sc.Name, sc.Cron, sc.Timezone, sc.Recipe, sc.Task, sc.NextAt.UTC(), now)
		if err != nil {
			return fmt.Errorf("store schedule %s of %s: %w", sc.Name, repo, err)
		}
		if i > 0 {
			placeholders += ", "
		}
		keep = append(keep, sc.Name)
		placeholders += fmt.Sprintf("$%d", i+2)
	}
	del := `DELETE FROM lifeos_schedules WHERE repo = $1`
	if placeholders != "" {
		del += ` AND name NOT IN (` + placeholders + `)`
	}
	if _, err := tx.ExecContext(ctx, del, keep...); err != nil {
		return fmt.Errorf("remove the dropped schedules of %s: %w", repo, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replace the schedules of %s: %w", repo, err)
	}
	return nil
}

const scheduleColumns = `id, repo, installation_id, default_branch, name, cron, timezone, recipe, task, next_at, last_fired_at`

func scanSchedule(row interface{ Scan(...any) error }) (*Schedule, error) {
	var sc Schedule
	var last sql.NullTime
	if err := row.Scan(&sc.ID, &sc.Repo, &sc.InstallationID, &sc.DefaultBranch, &sc.Name, &sc.Cron, &sc.Timezone,
		&sc.Recipe, &sc.Task, &sc.NextAt, &last); err != nil {
		return nil, err
	}
	if last.Valid {
		t := last.Time
		sc.LastFiredAt = &t
	}
	return &sc, nil
}

// Schedules lists a repository's schedules by name ("" lists every
// repository's).
func (s *Store) Schedules(ctx context.Context, repo string) ([]Schedule, error) {
	return s.querySchedules(ctx, `SELECT `+scheduleColumns+` FROM lifeos_schedules WHERE $1 = '' OR repo = $1 ORDER BY repo, name`, repo)
}

// DueSchedules lists the schedules whose next firing is at or before now.
func (s *Store) DueSchedules(ctx context.Context, now time.Time) ([]Schedule, error) {
	return s.querySchedules(ctx, `SELECT `+scheduleColumns+` FROM lifeos_schedules WHERE next_at <= $1 ORDER BY next_at, id`, now.UTC())
}

func (s *Store) querySchedules(ctx context.Context, q string, arg any) ([]Schedule, error) {
	rows, err := s.db.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	defer rows.Close()
	var out []Schedule
	for rows.Next() {
		sc, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("scan schedule: %w", err)
		}
		out = append(out, *sc)
	}
	return out, rows.Err()
}

// ScheduleByID returns a stored schedule, or nil once it was removed.
func (s *Store) ScheduleByID(ctx context.Context, id int64) (*Schedule, error) {
	sc, err := scanSchedule(s.db.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM lifeos_schedules WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read schedule %d: %w", id, err)
	}
	return sc, nil
}

// ClaimFiring claims the firing of schedule id at tick, and reports
// whether this caller won it: only one claim of a schedule and tick ever
// succeeds, whichever process makes it.
func (s *Store) ClaimFiring(ctx context.Context, id int64, tick time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_schedule_firings (schedule_id, tick, created_at)
		VALUES ($1, $2, $3) ON CONFLICT (schedule_id, tick) DO NOTHING`, id, tick.UTC(), s.now().UTC())
	if err != nil {
		return false, fmt.Errorf("claim the firing of schedule %d at %s: %w", id, tick.UTC().Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim the firing of schedule %d: %w", id, err)
	}
	return n == 1, nil
}

// ReleaseFiring gives up a claimed firing whose job could not be queued,
// so the next tick claims it again.
func (s *Store) ReleaseFiring(ctx context.Context, id int64, tick time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM lifeos_schedule_firings WHERE schedule_id = $1 AND tick = $2`, id, tick.UTC()); err != nil {
		return fmt.Errorf("release the firing of schedule %d: %w", id, err)
	}
	return nil
}

// Firings counts the claimed firings of schedule id.
func (s *Store) Firings(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM lifeos_schedule_firings WHERE schedule_id = $1`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count the firings of schedule %d: %w", id, err)
	}
	return n, nil
}

// ScheduleFired moves schedule id on past a tick: its next firing, and,
// when fired is set, when it last fired. It moves only a schedule whose
// next firing is still tick, so a reload that rescheduled it meanwhile
// wins.
func (s *Store) ScheduleFired(ctx context.Context, id int64, tick, next time.Time, fired bool) error {
	q := `UPDATE lifeos_schedules SET next_at = $1 WHERE id = $2 AND next_at = $3`
	args := []any{next.UTC(), id, tick.UTC()}
	if fired {
		q = `UPDATE lifeos_schedules SET next_at = $1, last_fired_at = $4 WHERE id = $2 AND next_at = $3`
		args = append(args, tick.UTC())
	}
	if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("move schedule %d on: %w", id, err)
	}
	return nil
}

// Proposal is an issue LifeOS opened proposing work, by its fingerprint
// (the normalised title and what it touches).
type Proposal struct {
	Repo        string
	Fingerprint string
	Title       string
	Issue       int
	CreatedAt   time.Time
}

// RecordProposal records an opened proposal.
func (s *Store) RecordProposal(ctx context.Context, p Proposal) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_proposals (repo, fingerprint, title, issue_number, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (repo, fingerprint) DO UPDATE SET title = excluded.title,
		issue_number = excluded.issue_number, created_at = excluded.created_at`,
		p.Repo, p.Fingerprint, p.Title, p.Issue, s.now().UTC())
	if err != nil {
		return fmt.Errorf("record proposal #%d of %s: %w", p.Issue, p.Repo, err)
	}
	return nil
}

// Proposals lists the proposals LifeOS opened on a repository.
func (s *Store) Proposals(ctx context.Context, repo string) ([]Proposal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT repo, fingerprint, title, issue_number, created_at FROM lifeos_proposals
		WHERE repo = $1 ORDER BY created_at, issue_number`, repo)
	if err != nil {
		return nil, fmt.Errorf("list the proposals of %s: %w", repo, err)
	}
	defer rows.Close()
	var out []Proposal
	for rows.Next() {
		var p Proposal
		if err := rows.Scan(&p.Repo, &p.Fingerprint, &p.Title, &p.Issue, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan proposal: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
