package agent

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/option"
)

// CheckTimeout bounds the start-up check of the model endpoint.
const CheckTimeout = 10 * time.Second

// DefaultBaseURL is the endpoint openai-go calls when OPENAI_BASE_URL is unset.
const DefaultBaseURL = "https://api.openai.com/v1/"

// CheckEndpoint asks the model endpoint for its models (GET models), the
// cheapest question an OpenAI-compatible server answers. It returns the
// model ids listed, or an error stating the cause and the setting to fix
// in one line. An endpoint that answers but lists no models (404, as some
// do) is reachable: the list is then nil and the error nil.
func CheckEndpoint(ctx context.Context, baseURL, apiKey string) ([]string, error) {
	opts := []option.RequestOption{option.WithAPIKey(apiKey), option.WithMaxRetries(0), option.WithRequestTimeout(CheckTimeout)}
	where := DefaultBaseURL
	if baseURL != "" {
		opts, where = append(opts, option.WithBaseURL(baseURL)), baseURL
	}
	client := openai.NewClient(opts...)
	page, err := client.Models.List(ctx)
	switch code := ModelStatus(err); {
	case err == nil:
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed:
		return nil, nil
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return nil, fmt.Errorf("model endpoint %s rejected the API key (GET models answered %d): check OPENAI_API_KEY", where, code)
	case code != 0:
		return nil, fmt.Errorf("model endpoint %s is failing (GET models answered %d): check the model server", where, code)
	default:
		return nil, fmt.Errorf("model endpoint %s is unreachable (GET models: %v): check OPENAI_BASE_URL and that the model server is running", where, err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	return ids, nil
}
