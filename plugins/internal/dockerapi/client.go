// Package dockerapi is a small client for the Docker Engine HTTP API.
package dockerapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Client talks to one Docker engine, at the API version negotiated with it.
type Client struct {
	http *http.Client
	root string
	// mu guards version: the provider serves concurrent requests, and none may
	// see a half-negotiated value.
	mu      sync.Mutex
	version string
}

// Error is an engine error response.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("docker engine: %s (HTTP %d)", e.Message, e.Status)
}

// IsNotFound reports whether err is the engine's 404.
func IsNotFound(err error) bool {
	e, ok := err.(*Error)
	return ok && e.Status == http.StatusNotFound
}

// IsConflict reports whether err is the engine's 409.
func IsConflict(err error) bool {
	e, ok := err.(*Error)
	return ok && e.Status == http.StatusConflict
}

// New connects to host ("unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"),
// defaulting to $DOCKER_HOST and then the local socket.
func New(host string) (*Client, error) {
	if host == "" {
		host = os.Getenv("DOCKER_HOST")
	}
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("docker host %q: %w", host, err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}
	base := ""
	switch u.Scheme {
	case "unix":
		path := u.Path
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
		base = "http://docker"
	case "tcp", "http":
		base = "http://" + u.Host
	default:
		return nil, fmt.Errorf("docker host %q: only unix:// and tcp:// are supported", host)
	}
	return &Client{http: &http.Client{Transport: tr}, root: base}, nil
}

// Do sends a request with an optional JSON body and decodes a JSON answer into out.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	return c.DoWithHeaders(ctx, method, path, query, nil, body, out)
}

// DoWithHeaders is Do with extra request headers (e.g. X-Registry-Auth).
func (c *Client) DoWithHeaders(ctx context.Context, method, path string, query url.Values, headers map[string]string, body, out any) error {
	var rdr io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rdr = b
		ctype = "application/x-tar"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rdr = bytes.NewReader(buf)
		ctype = "application/json"
	}
	version, err := c.Version(ctx)
	if err != nil {
		return err
	}
	u := c.root + "/v" + version + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rdr)
	if err != nil {
		return err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("docker engine unreachable: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		var e struct{ Message string }
		_ = json.Unmarshal(data, &e)
		if e.Message == "" {
			e.Message = strings.TrimSpace(string(data))
		}
		return &Error{Status: resp.StatusCode, Message: e.Message}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("docker engine answer to %s %s: %w", method, path, err)
		}
	}
	return nil
}

// Pull fetches an image as the Docker client's ImagePull does: fromImage is the
// name, tag the digest when the reference has one, else its tag; auth is the
// X-Registry-Auth value. The engine answers 200 and streams progress, with a
// failure as an "error" line in the stream.
func (c *Client) Pull(ctx context.Context, ref, auth string) error {
	name, tag := ref, ""
	if i := strings.Index(ref, "@"); i != -1 {
		name, tag = ref[:i], ref[i+1:]
	}
	if j := strings.LastIndex(name, ":"); j > strings.LastIndex(name, "/") {
		if tag == "" {
			tag = name[j+1:]
		}
		name = name[:j]
	}
	if tag == "" {
		tag = "latest"
	}
	version, err := c.Version(ctx)
	if err != nil {
		return err
	}
	q := url.Values{"fromImage": {name}, "tag": {tag}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.root+"/v"+version+"/images/create?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	if auth != "" {
		req.Header.Set("X-Registry-Auth", auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("docker engine unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		data, _ := io.ReadAll(resp.Body)
		var e struct{ Message string }
		_ = json.Unmarshal(data, &e)
		if e.Message == "" {
			e.Message = strings.TrimSpace(string(data))
		}
		return &Error{Status: resp.StatusCode, Message: e.Message}
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var line struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&line); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if line.Error != "" {
			return &Error{Status: 500, Message: line.Error}
		}
	}
}
