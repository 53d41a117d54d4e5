package setup

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/datadir"
	"github.com/lifeos/lifeos/gh"
)

// credentialMode is the mode of the stored credentials: the server's user
// alone may read them.
const credentialMode = 0o600

// storeApp writes the registered App's settings and key into dir, each
// file mode 0600 and replaced whole (written aside, then renamed), the key
// first so that the settings file, read first, never names a missing key.
func storeApp(dir string, app gh.RegisteredApp, public string) (config.StoredApp, error) {
	if err := datadir.Writable(dir); err != nil {
		return config.StoredApp{}, err
	}
	key := make([]byte, config.MinSessionKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return config.StoredApp{}, fmt.Errorf("session key: %w", err)
	}
	stored := config.StoredApp{
		ID: app.ID, Slug: app.Slug, Name: app.Name, HTMLURL: app.HTMLURL, WebhookSecret: app.WebhookSecret,
		ClientID: app.ClientID, ClientSecret: app.ClientSecret, SessionKey: hex.EncodeToString(key), PublicURL: public,
	}
	raw, err := json.MarshalIndent(stored, "", "  ")
	if err != nil {
		return config.StoredApp{}, err
	}
	if err := writeSecret(filepath.Join(dir, config.AppKeyFile), app.PrivateKeyPEM); err != nil {
		return config.StoredApp{}, err
	}
	if err := writeSecret(filepath.Join(dir, config.AppFile), append(raw, '\n')); err != nil {
		return config.StoredApp{}, err
	}
	return stored, nil
}

// writeSecret replaces path with data, mode 0600.
func writeSecret(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // fails once renamed
	if err := f.Chmod(credentialMode); err != nil {
		f.Close()
		return fmt.Errorf("store %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("store %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("store %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	return nil
}

// printSecrets writes to the terminal the `fly secrets set` line that
// gives another deployment the same App. It goes to the terminal alone:
// never to a page, never to a log collector.
func printSecrets(w io.Writer, dir string, app config.StoredApp) {
	keyPath := filepath.Join(dir, config.AppKeyFile)
	fmt.Fprintf(w, "\nLifeOS is registered as the GitHub App %q (id %d). Its credentials are in %s and %s (mode 0600).\n",
		app.Slug, app.ID, filepath.Join(dir, config.AppFile), keyPath)
	fmt.Fprintf(w, "To give them to a Fly deployment instead (the environment wins over the stored files):\n\n")
	fmt.Fprintf(w, "  fly secrets set GITHUB_APP_INTEGRATION_ID=%d GITHUB_APP_WEBHOOK_SECRET=%s GITHUB_APP_PRIVATE_KEY=\"$(cat %s)\"%s LIFEOS_PUBLIC_URL=%s\n\n",
		app.ID, shellQuote(app.WebhookSecret), shellQuote(keyPath), clientSecrets(app), shellQuote(app.PublicURL))
}

func clientSecrets(app config.StoredApp) string {
	if app.ClientID == "" {
		return ""
	}
	return fmt.Sprintf(" GITHUB_APP_CLIENT_ID=%s GITHUB_APP_CLIENT_SECRET=%s LIFEOS_SESSION_KEY=%s",
		shellQuote(app.ClientID), shellQuote(app.ClientSecret), shellQuote(app.SessionKey))
}

// shellQuote quotes s for a POSIX shell when it holds more than safe
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
