package store

import (
	"context"
	"testing"
	"time"
)

// riverState reads a River job's state and attempt.
func riverState(t *testing.T, db *DB, jobID int64) string {
	t.Helper()
	var state string
	if err := db.QueryRowContext(context.Background(), `SELECT state FROM river_job WHERE id = $1`, jobID).Scan(&state); err != nil {
		t.Fatalf("read job %d: %v", jobID, err)
	}
	return state
}

// setAttempt sets a River job's attempt, as River's fetch does.
func setAttempt(t *testing.T, db *DB, jobID int64, attempt int) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `UPDATE river_job SET attempt = $1 WHERE id = $2`, attempt, jobID); err != nil {
		t.Fatalf("set attempt of job %d: %v", jobID, err)
	}
}

func TestAnExpiredLeaseOfARunningJobIsHandedBackOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for name, db := range storesWithRiver(t) {
		t.Run(name, func(t *testing.T) {
			s := New(db, func() time.Time { return now })
			lease := func(state string, attempt int, until time.Time) int64 {
				t.Helper()
				id := riverJob(t, db, state)
				setAttempt(t, db, id, 1)
				if err := s.RenewLease(ctx, id, attempt, until); err != nil {
					t.Fatal(err)
				}
				return id
			}
			dead := lease("running", 1, now.Add(-time.Second))
			fresh := lease("running", 1, now.Add(time.Minute))
			done := lease("completed", 1, now.Add(-time.Hour))
			takenOver := lease("running", 1, now.Add(-time.Hour))
			setAttempt(t, db, takenOver, 2) // a live process took it after the lease's attempt died
			renewed := lease("running", 1, now.Add(-time.Hour))
			if err := s.RenewLease(ctx, renewed, 1, now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			released := lease("running", 1, now.Add(-time.Hour))
			if err := s.ReleaseLease(ctx, released, 1); err != nil {
				t.Fatal(err)
			}

			ids, err := s.ExpiredLeases(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 1 || ids[0] != dead {
				t.Fatalf("ExpiredLeases = %v, want only %d", ids, dead)
			}
			for _, id := range []int64{fresh, done, takenOver, renewed, released} {
				if ok, err := s.HandBackJob(ctx, id, now); err != nil || ok {
					t.Errorf("HandBackJob(%d) = %v, %v; want false", id, ok, err)
				}
			}
			if ok, err := s.HandBackJob(ctx, dead, now); err != nil || !ok {
				t.Fatalf("HandBackJob(dead) = %v, %v", ok, err)
			}
			if st := riverState(t, db, dead); st != "available" {
				t.Fatalf("handed-back job is %s, want available", st)
			}
			if ok, err := s.HandBackJob(ctx, dead, now); err != nil || ok {
				t.Fatalf("second HandBackJob = %v, %v; want false", ok, err)
			}
			if st := riverState(t, db, fresh); st != "running" {
				t.Fatalf("job with a fresh lease is %s, want running", st)
			}
		})
	}
}

func TestStopRequestedOfJobNamesTheRunningRunAskedToStop(t *testing.T) {
	ctx := context.Background()
	for name, db := range storesWithRiver(t) {
		t.Run(name, func(t *testing.T) {
			s := New(db, nil)
			job := riverJob(t, db, "running")
			run, err := s.StartRun(ctx, NewRun{Repo: "o/r", InstallationID: 1, IssueNumber: 4, DeliveryID: "d1",
				JobID: job, Trigger: "label", Actor: "alice", Status: StatusRunning})
			if err != nil {
				t.Fatal(err)
			}
			if id, err := s.StopRequestedOfJob(ctx, job); err != nil || id != 0 {
				t.Fatalf("before a stop: %d, %v", id, err)
			}
			if err := s.RequestCancel(ctx, run.ID, "bob"); err != nil {
				t.Fatal(err)
			}
			if id, err := s.StopRequestedOfJob(ctx, job); err != nil || id != run.ID {
				t.Fatalf("after a stop: %d, %v; want %d", id, err, run.ID)
			}
			if _, err := s.EndRun(ctx, run.ID, StatusCancelled, "stopped"); err != nil {
				t.Fatal(err)
			}
			if id, err := s.StopRequestedOfJob(ctx, job); err != nil || id != 0 {
				t.Fatalf("after the run ended: %d, %v", id, err)
			}
		})
	}
}
