package docker

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"shipyard/plugins/internal/rpc"
)

// Registry access as upstream's provider does it (terraform-provider-docker
// v4.5.0, docs/upstream-fidelity.md "Registries"): the provider's
// registry_auth blocks keyed by host name (provider.go:302-388), the manifest
// HEAD of the getRegistryImage data source (data_source_docker_registry_image.go:43-147,
// authentication_helpers.go:70-200), and the auth a pull sends
// (resource_docker_image_funcs.go:249-279).

// AuthConfig is one registry_auth entry as upstream keeps it (moby's registry.AuthConfig).
type AuthConfig struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	ServerAddress string `json:"serveraddress,omitempty"`
}

// ParseRegistryAuth reads the provider's registryAuth: the SDK sends it JSON-encoded
// (@pulumi/docker provider.js), a list of {address, username, password, authDisabled}.
// Only username/password and authDisabled are implemented; configFile and
// configFileContent are refused by name.
func ParseRegistryAuth(v any) (map[string]AuthConfig, error) {
	out := map[string]AuthConfig{}
	var list []map[string]any
	switch t := v.(type) {
	case nil, rpc.Unknown:
		return out, nil
	case string:
		if t == "" || t == "null" {
			return out, nil
		}
		if err := json.Unmarshal([]byte(t), &list); err != nil {
			return nil, fmt.Errorf("registryAuth: %w", err)
		}
	case []any:
		for _, e := range t {
			if m, ok := e.(rpc.Props); ok {
				list = append(list, m)
			} else if m, ok := e.(map[string]any); ok {
				list = append(list, m)
			}
		}
	default:
		return nil, fmt.Errorf("registryAuth: a list of {address, username, password} expected")
	}
	for i, a := range list {
		str := func(k string) string { s, _ := a[k].(string); return s }
		address := str("address")
		if address == "" {
			return nil, fmt.Errorf("registryAuth[%d].address: required", i)
		}
		for _, k := range []string{"configFile", "configFileContent"} {
			if str(k) != "" {
				return nil, fmt.Errorf("registryAuth[%d].%s is not supported by the shipyard offline docker plugin; give username and password", i, k)
			}
		}
		// provider.go:311-312: the address canonicalised, the entry keyed by its host name.
		c := AuthConfig{ServerAddress: canonicalizeRegistryAddress(address)}
		username, password := str("username"), str("password")
		if d, _ := a["authDisabled"].(bool); d { // provider.go:319-323
			username, password = "username", "password"
		}
		if username == "" {
			// Upstream reads config_file (default ~/.docker/config.json, provider.go:131-146) then; not here.
			return nil, fmt.Errorf("registryAuth[%d] (%s): username is required by the shipyard offline docker plugin (or authDisabled: true)", i, address)
		}
		c.Username, c.Password = username, password
		out[convertToHostname(c.ServerAddress)] = c
	}
	return out, nil
}

// normalizeRegistryAddress: config.go:228-236.
func normalizeRegistryAddress(address string) string {
	if strings.HasPrefix(address, "http://") || strings.HasPrefix(address, "https://") {
		return address
	}
	return "https://" + address
}

// canonicalizeRegistryAddress: config.go:238-245.
func canonicalizeRegistryAddress(address string) string {
	n := normalizeRegistryAddress(address)
	if strings.HasPrefix(n, "http://") {
		return "http://" + convertToHostname(n)
	}
	return "https://" + convertToHostname(n)
}

// convertToHostname: provider.go:461-474.
func convertToHostname(u string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	return strings.SplitN(s, "/", 2)[0]
}

// imageOptions: resource_docker_image_funcs.go:281-341.
type imageOptions struct{ Registry, Repository, Tag string }

func parseImageOptions(image string) imageOptions {
	o := imageOptions{Repository: image}
	first := strings.Index(image, "/")
	if strings.Count(image, "/") > 1 || first != -1 && (strings.ContainsAny(image[:first], ".:") || image[:first] == "localhost") {
		o.Registry = image[:first]
	}
	p := len(o.Registry)
	if i := strings.Index(image[p:], ":"); i != -1 {
		o.Repository = image[:p+i]
		o.Tag = image[p+i+1:]
		if d := strings.Index(o.Tag, "@"); d != -1 {
			o.Tag = o.Tag[d+1:]
		}
	}
	if o.Tag == "" {
		o.Tag = "latest"
	}
	if o.Registry == "" {
		o.Registry = "registry-1.docker.io"
		if !strings.Contains(o.Repository, "/") {
			o.Repository = "library/" + o.Repository
		}
	} else {
		o.Repository = strings.Replace(o.Repository, o.Registry+"/", "", 1)
	}
	return o
}

// GetRegistryImage is docker:index/getRegistryImage:getRegistryImage
// (data_source_docker_registry_image.go:43-69): the manifest's digest, asked
// with the provider's credentials for the image's registry, else anonymously over HTTPS.
func (e *Engine) GetRegistryImage(ctx context.Context, args rpc.Props) (rpc.Props, error) {
	name := rpc.Str(args, "name")
	o := parseImageOptions(name)
	auth, ok := e.Auth[o.Registry]
	if !ok {
		auth = AuthConfig{ServerAddress: "https://" + o.Registry}
	}
	insecure := rpc.Bool(args, "insecureSkipVerify")
	digest, err := imageDigest(ctx, o, auth, insecure, false)
	if err != nil {
		digest, err = imageDigest(ctx, o, auth, insecure, true)
		if err != nil {
			return nil, fmt.Errorf("Got error when attempting to fetch image version %s:%s from registry: %s", o.Repository, o.Tag, err)
		}
	}
	out := rpc.Props{"id": digest, "name": name, "sha256Digest": digest}
	if _, set := args["insecureSkipVerify"]; set {
		out["insecureSkipVerify"] = insecure
	}
	return out, nil
}

func registryClient(insecure bool) *http.Client {
	// registry_image_funcs.go:313-323: a fresh transport, InsecureSkipVerify as asked.
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}, Proxy: http.ProxyFromEnvironment}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// manifestRequest: authentication_helpers.go:70-108 (the ghcr/gcr/ECR/ACR
// bearer variants are not implemented: basic auth for every registry here).
func manifestRequest(ctx context.Context, method string, o imageOptions, auth AuthConfig, fallback bool) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, auth.ServerAddress+"/v2/"+o.Repository+"/manifests/"+o.Tag, nil)
	if err != nil {
		return nil, fmt.Errorf("Error creating registry request: %s", err)
	}
	if auth.Username != "" {
		req.SetBasicAuth(auth.Username, auth.Password)
	}
	for _, a := range []string{
		"application/vnd.docker.distribution.manifest.v2+json",
		"application/vnd.docker.distribution.manifest.list.v2+json",
		"application/vnd.oci.image.manifest.v1+json",
		"application/vnd.oci.image.index.v1+json",
	} {
		req.Header.Add("Accept", a)
	}
	if fallback {
		req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v1+prettyjws")
	}
	return req, nil
}

// imageDigest: data_source_docker_registry_image.go:71-128.
func imageDigest(ctx context.Context, o imageOptions, auth AuthConfig, insecure, fallback bool) (string, error) {
	client := registryClient(insecure)
	req, err := manifestRequest(ctx, "HEAD", o, auth, fallback)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("Error during registry request: %s", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return digestOf(resp)
	case http.StatusUnauthorized:
		params, err := parseAuthHeader(resp.Header.Get("www-authenticate"))
		if err != nil {
			return "", fmt.Errorf("bad credentials: %s", resp.Status)
		}
		token, err := authToken(client, params, auth, "repository:"+o.Repository+":push,pull")
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		r2, err := digestRequest(client, req)
		if err != nil {
			return "", err
		}
		defer r2.Body.Close()
		if d, err := digestOf(r2); err == nil {
			return d, nil
		}
		req.Method = "GET"
		r3, err := digestRequest(client, req)
		if err != nil {
			return "", err
		}
		defer r3.Body.Close()
		return digestOf(r3)
	default:
		return "", fmt.Errorf("got bad response from registry: %s", resp.Status)
	}
}

func digestRequest(client *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("Error during registry request: %s", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("got bad response from registry: %s", resp.Status)
	}
	return resp, nil
}

// digestOf: data_source_docker_registry_image.go:130-147.
func digestOf(resp *http.Response) (string, error) {
	if h := resp.Header.Get("Docker-Content-Digest"); h != "" {
		return h, nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || len(body) == 0 {
		return "", fmt.Errorf("error reading registry response body: %v", err)
	}
	return fmt.Sprintf("sha256:%x", sha256.Sum256(body)), nil
}

var authParam = regexp.MustCompile(`\w+\=\".*?\"|\w+[^\s\"]+?`)

// parseAuthHeader: authentication_helpers.go:137-161.
func parseAuthHeader(header string) (map[string]string, error) {
	if !strings.HasPrefix(header, "Bearer") {
		return nil, errors.New("missing or invalid www-authenticate header, does not start with 'Bearer'")
	}
	parts := strings.SplitN(header, " ", 2)
	if len(parts) < 2 {
		return nil, errors.New("missing or invalid www-authenticate header parameters")
	}
	opts := map[string]string{}
	for _, p := range authParam.FindAllString(parts[1], -1) {
		kv := strings.SplitN(p, "=", 2)
		if len(kv) != 2 {
			return nil, fmt.Errorf("missing or invalid www-authenticate key/value pair: %s", p)
		}
		opts[kv[0]] = strings.Trim(kv[1], "\", ")
	}
	return opts, nil
}

// authToken: authentication_helpers.go:163-230 (credentials first, then anonymously).
func authToken(client *http.Client, params map[string]string, auth AuthConfig, fallbackScope string) (string, error) {
	q := url.Values{}
	q.Set("service", params["service"])
	q.Set("scope", params["scope"])
	if params["scope"] == "" {
		q.Set("scope", fallbackScope)
	}
	u := params["realm"] + "?" + q.Encode()
	ask := func(basic bool) (*http.Response, error) {
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			return nil, fmt.Errorf("error creating registry request: %s", err)
		}
		req.Header.Set("Accept", "application/json")
		if basic {
			req.SetBasicAuth(auth.Username, auth.Password)
		}
		return client.Do(req)
	}
	basic := auth.Username != ""
	resp, err := ask(basic)
	if err != nil {
		return "", fmt.Errorf("error during registry request: %s", err)
	}
	if basic && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		resp.Body.Close()
		if resp, err = ask(false); err != nil {
			return "", fmt.Errorf("error during anonymous registry token request: %s", err)
		}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("got bad response from registry: %s", resp.Status)
	}
	var t struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		return "", fmt.Errorf("error parsing OAuth token response: %s", err)
	}
	if t.Token != "" {
		return t.Token, nil
	}
	if t.AccessToken != "" {
		return t.AccessToken, nil
	}
	return "", errors.New("error getting access token: no token in response")
}

// registryAuthHeader is the X-Registry-Auth a pull sends: the entry for the
// image's registry, else an empty one (resource_docker_image_funcs.go:249-264).
func (e *Engine) registryAuthHeader(image string) string {
	auth := e.Auth[parseImageOptions(image).Registry]
	b, _ := json.Marshal(auth)
	return base64.URLEncoding.EncodeToString(b)
}

// serviceRegistryAuth is the X-Registry-Auth of a service create or update
// (resource_docker_service_funcs.go:43-44, 186-190, 603-660): the service's own
// auth block when it has a username and a password, else the provider's entry
// for the text before the image's first slash.
func (e *Engine) serviceRegistryAuth(in rpc.Props) string {
	var auth AuthConfig
	if a := rpc.Objs(in, "auth"); len(a) > 0 {
		if u, p := rpc.Str(a[0], "username"), rpc.Str(a[0], "password"); u != "" && p != "" {
			auth = AuthConfig{Username: u, Password: p, ServerAddress: rpc.Str(a[0], "serverAddress")}
		}
	} else {
		auth = fromRegistryAuth(imageOfService(in), e.Auth)
	}
	b, _ := json.Marshal(auth)
	return base64.URLEncoding.EncodeToString(b)
}

// fromRegistryAuth: resource_docker_service_funcs.go:622-643 (the Docker Hub aliases left out).
func fromRegistryAuth(image string, auths map[string]AuthConfig) AuthConfig {
	image = strings.Replace(strings.Replace(image, "http://", "", 1), "https://", "", 1)
	if i := strings.Index(image, "/"); i != -1 {
		if a, ok := auths[image[:i]]; ok {
			return a
		}
	}
	return AuthConfig{}
}

func imageOfService(in rpc.Props) string {
	ts := rpc.Obj(in, "taskSpec")
	if ts == nil {
		return ""
	}
	return rpc.Str(rpc.Obj(ts, "containerSpec"), "image")
}

// registryHeader is the header map a service create or update sends.
func (e *Engine) registryHeader(in rpc.Props) map[string]string {
	return map[string]string{"X-Registry-Auth": e.serviceRegistryAuth(in)}
}
