// Package gh is LifeOS's one adapter to GitHub's REST API and the only
// package (besides the test double, githubfake) that imports go-github.
// It turns GitHub's answers into the plain values the workflows need
// (roles, heads, snapshots, pull requests, comments, checks and statuses,
// every page of each) and GitHub's errors into a few named ones.
//
// A new GitHub read or write is a method on Repo here, and a line in the
// small interface of the workflow that needs it (package runner).
package gh
