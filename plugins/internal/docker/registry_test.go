package docker

import (
	"encoding/base64"
	"testing"

	"shipyard/plugins/internal/rpc"
)

func TestParseImageOptionsAsUpstream(t *testing.T) {
	for in, want := range map[string]imageOptions{
		"127.0.0.1:5000/demo/app:main":           {"127.0.0.1:5000", "demo/app", "main"},
		"127.0.0.1:5000/demo/app:main@sha256:ab": {"127.0.0.1:5000", "demo/app", "sha256:ab"},
		"ghcr.io/example/demo":                   {"ghcr.io", "example/demo", "latest"},
		"redis:7":                                {"registry-1.docker.io", "library/redis", "7"},
		"prom/prometheus:v2.53.0":                {"registry-1.docker.io", "prom/prometheus", "v2.53.0"},
		"localhost/x:1":                          {"localhost", "x", "1"},
	} {
		if got := parseImageOptions(in); got != want {
			t.Errorf("%s: got %+v, want %+v", in, got, want)
		}
	}
}

func TestRegistryAuthKeyedByHostAsUpstream(t *testing.T) {
	got, err := ParseRegistryAuth(`[{"address":"http://127.0.0.1:5000","username":"ci","password":"pw"},{"address":"ghcr.io","authDisabled":true}]`)
	if err != nil {
		t.Fatal(err)
	}
	if a := got["127.0.0.1:5000"]; a.ServerAddress != "http://127.0.0.1:5000" || a.Username != "ci" || a.Password != "pw" {
		t.Errorf("http registry: %+v", a)
	}
	if a := got["ghcr.io"]; a.ServerAddress != "https://ghcr.io" || a.Username != "username" {
		t.Errorf("authDisabled: %+v", a)
	}
	if _, err := ParseRegistryAuth(`[{"address":"ghcr.io","configFile":"/x"}]`); err == nil {
		t.Error("configFile accepted")
	}
}

func TestServiceAuthAsUpstream(t *testing.T) {
	auths := map[string]AuthConfig{"127.0.0.1:5000": {Username: "ci", Password: "pw", ServerAddress: "http://127.0.0.1:5000"}}
	if got := fromRegistryAuth("127.0.0.1:5000/demo/app:main@sha256:ab", auths); got.Username != "ci" {
		t.Errorf("provider entry by the image's registry: %+v", got)
	}
	if got := fromRegistryAuth("redis:7", auths); got != (AuthConfig{}) {
		t.Errorf("no slash, no auth: %+v", got)
	}
	e := &Engine{Auth: auths}
	own := rpc.Props{"auth": []any{rpc.Props{"username": "u", "password": "p", "serverAddress": "x"}},
		"taskSpec": rpc.Props{"containerSpec": rpc.Props{"image": "127.0.0.1:5000/demo/app:main"}}}
	if e.serviceRegistryAuth(own) != base64.URLEncoding.EncodeToString([]byte(`{"username":"u","password":"p","serveraddress":"x"}`)) {
		t.Errorf("the service's own auth block first: %s", e.serviceRegistryAuth(own))
	}
}
