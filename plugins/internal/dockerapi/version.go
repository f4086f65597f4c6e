package dockerapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// MaxAPIVersion is the newest engine API this client speaks: the cap of the
// Docker Go client upstream's provider is built with (github.com/docker/docker
// v28.5.2, pulumi-docker provider/go.mod:8; moby v28.5.2 api/common.go:6
// DefaultVersion "1.51", client/client.go:201). Like that client
// (client.WithAPIVersionNegotiation, terraform-provider-docker v4.5.0
// internal/provider/config.go:148), it asks the engine for its version and
// speaks the lower of the two: 1.51 on Docker 28.5 and on every Docker 29
// (whose API goes up to 1.55 and which refuses clients below 1.44 up to 29.2),
// 1.41 on Docker 20.10.
const MaxAPIVersion = "1.51"

// negotiate asks the engine (unversioned GET /version) for its API version,
// once: concurrent callers wait for the first, and the version is assigned in
// one step (a caller never sees MaxAPIVersion before it is lowered).
func (c *Client) negotiate(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != "" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, "GET", c.root+"/version", nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("docker engine unreachable: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var v struct{ ApiVersion string }
	_ = json.Unmarshal(data, &v)
	version := MaxAPIVersion
	if v.ApiVersion != "" && LessThan(v.ApiVersion, MaxAPIVersion) {
		version = v.ApiVersion
	}
	c.version = version
	return nil
}

// Version is the negotiated API version ("1.41" on Docker 20.10).
func (c *Client) Version(ctx context.Context) (string, error) {
	if err := c.negotiate(ctx); err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version, nil
}

// LessThan compares two API versions such as "1.41" and "1.44".
func LessThan(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// VersionError is the Docker client's refusal of a field the negotiated API
// lacks (moby client/container_create.go: NewVersionError).
func VersionError(feature, need, have string) error {
	return fmt.Errorf("%q requires API version %s, but the Docker daemon API version is %s", feature, need, have)
}
