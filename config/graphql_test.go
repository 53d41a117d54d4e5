package config

import "testing"

// With only the REST URL set (GitHub Enterprise Server, or a double),
// GraphQL goes to the same host: sending an Enterprise installation's
// token to api.github.com fails every commit and review request.
func TestGraphQLURLFollowsTheRESTURL(t *testing.T) {
	for _, c := range []struct{ v3, v4, want string }{
		{"", "", DefaultV4APIURL},
		{DefaultV3APIURL, "", DefaultV4APIURL},
		{"https://ghe.example/api/v3/", "", "https://ghe.example/api/graphql"},
		{"https://ghe.example/api/v3", "", "https://ghe.example/api/graphql"},
		{"http://127.0.0.1:8081/", "", "http://127.0.0.1:8081/graphql"},
		{"https://ghe.example/api/v3/", "https://gql.example/graphql", "https://gql.example/graphql"},
	} {
		cfg, err := Load(testEnv(t, map[string]string{"GITHUB_V3_API_URL": c.v3, "GITHUB_V4_API_URL": c.v4}))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.V4APIURL != c.want {
			t.Errorf("REST %q, GraphQL %q: GraphQL URL %q, want %q", c.v3, c.v4, cfg.V4APIURL, c.want)
		}
	}
}
