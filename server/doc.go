// Package server builds every dependency once, from a *config.Config, and
// serves the webhook and health endpoints until told to stop.
package server
