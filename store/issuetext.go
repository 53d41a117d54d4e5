package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// IssueText is an issue's task as a trusted trigger saw it.
type IssueText struct {
	Title   string
	Body    string
	Author  string
	TakenAt time.Time
}

// SaveIssueText records the issue's text at a trusted trigger (a label or
// a command by a user with write access), replacing an earlier one.
func (s *Store) SaveIssueText(ctx context.Context, repo string, issue int, t IssueText) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_issue_texts (repo, issue_number, title, body, author, taken_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (repo, issue_number) DO UPDATE SET title = excluded.title, body = excluded.body,
			author = excluded.author, taken_at = excluded.taken_at`,
		repo, issue, t.Title, t.Body, t.Author, s.now().UTC())
	if err != nil {
		return fmt.Errorf("save the text of %s#%d: %w", repo, issue, err)
	}
	return nil
}

// IssueTextOf returns the issue's recorded text, or nil if none was taken.
func (s *Store) IssueTextOf(ctx context.Context, repo string, issue int) (*IssueText, error) {
	var t IssueText
	err := s.db.QueryRowContext(ctx, `SELECT title, body, author, taken_at FROM lifeos_issue_texts
		WHERE repo = $1 AND issue_number = $2`, repo, issue).Scan(&t.Title, &t.Body, &t.Author, &t.TakenAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the text of %s#%d: %w", repo, issue, err)
	}
	return &t, nil
}
