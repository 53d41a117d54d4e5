package server

import (
	"context"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/gh"
)

// readIdentity reads the App's identity from GitHub. A configured slug
// (LIFEOS_APP_SLUG) overrides what GitHub says, with a warning when the two
// differ.
func readIdentity(ctx context.Context, clients *gh.Clients, override string, log zerolog.Logger) (gh.Identity, error) {
	id, err := clients.Identity(ctx)
	if err != nil {
		return gh.Identity{}, err
	}
	if override != "" && override != id.Slug {
		log.Warn().Str("configured", override).Str("github", id.Slug).
			Msg("LIFEOS_APP_SLUG differs from the App's slug on GitHub; using the configured value, so the App's own PRs and checks are recognised only if it is right")
		id.Slug = override
	}
	return id, nil
}
