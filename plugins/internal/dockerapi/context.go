package dockerapi

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// ContextHost is the docker endpoint of the named context in the Docker CLI's
// store, as terraform-provider-docker v4.5.0 finds it (provider.go:257-297):
// every <home>/.docker/contexts/meta/*/meta.json, unreadable ones skipped.
func ContextHost(name, home string) (string, error) {
	dir := filepath.Join(home, ".docker", "contexts", "meta")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("could not read contexts directory: %v", err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "meta.json"))
		if err != nil {
			continue
		}
		var meta struct {
			Name      string
			Endpoints map[string]struct{ Host string }
		}
		if json.Unmarshal(b, &meta) != nil {
			continue
		}
		if meta.Name == name {
			if ep, ok := meta.Endpoints["docker"]; ok {
				return ep.Host, nil
			}
		}
	}
	return "", fmt.Errorf("context '%s' not found", name)
}
