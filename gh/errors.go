package gh

import (
	"errors"
	"net/http"
	"strings"

	"github.com/google/go-github/v89/github"
)

// ErrBranchExists means a branch is there already, made by someone or
// something LifeOS has no record of.
var ErrBranchExists = errors.New("branch already exists")

// ErrBranchMoved means a branch gained commits while the agent worked.
var ErrBranchMoved = errors.New("branch moved while the agent worked")

// status is the HTTP status of GitHub's answer in err, or 0.
func status(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return 0
}

// statusError keeps the status of an answer that go-github reports as a
// plain error (the calls that follow redirects: branches, archive links,
// job logs).
type statusError struct {
	code int
	err  error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// withStatus attaches resp's status to err when go-github did not.
func withStatus(resp *github.Response, err error) error {
	if err == nil || resp == nil || resp.Response == nil || status(err) != 0 {
		return err
	}
	return &statusError{code: resp.StatusCode, err: err}
}

// HTTPStatus is the HTTP status of GitHub's error answer in err, or 0 when
// GitHub gave none (unreachable, timed out) or err is no GitHub error.
func HTTPStatus(err error) int { return status(err) }

// Answer reports whether err is GitHub's answer to the request rather than
// a fault: 404 (no such thing, or no access) and 422 (refused as asked).
// Asking again gets the same answer, so a job that met one is not retried.
func Answer(err error) bool {
	code := status(err)
	return code == http.StatusNotFound || code == http.StatusUnprocessableEntity
}

// Permanent reports whether GitHub refused a request in a way a retry will
// not change (a missing permission, a missing commit), rather than failing.
func Permanent(err error) bool {
	code := status(err)
	return code >= 400 && code < 500 && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout
}

// protectionUnavailable reports GitHub's answer for a repository whose plan
// has no branch protection.
func protectionUnavailable(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && status(err) == http.StatusForbidden && strings.Contains(er.Message, "Upgrade to GitHub Pro")
}
