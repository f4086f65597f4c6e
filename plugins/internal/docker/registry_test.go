package docker

import "testing"

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
