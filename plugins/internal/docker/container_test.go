package docker

import (
	"testing"

	"shipyard/plugins/internal/rpc"
)

// Each case is a row of docs/upstream-fidelity.md.

func TestNanoToDecimalAsUpstream(t *testing.T) {
	for n, want := range map[int64]string{1e9: "1.0", 5e8: "0.5", 25e7: "0.25", 2e9: "2.0", 15e8: "1.5", 1e10: "10."} {
		if got := nanoToDecimal(n); got != want {
			t.Errorf("nanoToDecimal(%d) = %q, want %q", n, got, want)
		}
	}
}

func inspectWith(f func(*containerInspect)) containerInspect {
	var i containerInspect
	i.Name = "/demo-dev-api"
	i.State.Running = true
	i.Config.Image = "demo/api:1"
	i.HostConfig.NanoCpus = 1e9
	i.HostConfig.Memory = 512 << 20
	i.HostConfig.MemorySwap = -1
	i.HostConfig.RestartPolicy.Name = "unless-stopped"
	i.HostConfig.NetworkMode = "bridge"
	f(&i)
	return i
}

func TestReadBackFormatsAsUpstream(t *testing.T) {
	state := rpc.Props{"image": "demo/api:1", "cpus": "1", "memory": 512.0, "mustRun": true,
		"envs": []any{"A=1"}, "labels": []any{map[string]any{"label": "a", "value": "b"}}}
	out := readBack(state, inspectWith(func(i *containerInspect) {
		i.Config.Healthcheck = &healthConfig{Test: []string{"CMD", "true"}, Interval: 90e9, Timeout: 5e9}
	}))
	if out["cpus"] != "1.0" {
		t.Errorf("cpus read back %v, want 1.0 (so the program must send 1.0)", out["cpus"])
	}
	if out["memorySwap"] != -1.0 {
		t.Errorf("memorySwap read back %v, want the engine's -1", out["memorySwap"])
	}
	hc := out["healthcheck"].(map[string]any)
	if hc["interval"] != "1m30s" || hc["startInterval"] != "0s" {
		t.Errorf("healthcheck read back %v, want Go durations", hc)
	}
	// env and labels are not read back upstream: the state keeps what was asked.
	if rpc.Strings(out, "envs")[0] != "A=1" || len(rpc.Objs(out, "labels")) != 1 {
		t.Errorf("env or labels changed by a read: %v %v", out["envs"], out["labels"])
	}
	if out["mustRun"] != true {
		t.Errorf("a running container must keep mustRun true")
	}
}

func TestStoppedContainerSetsMustRunFalse(t *testing.T) {
	out := readBack(rpc.Props{"mustRun": true}, inspectWith(func(i *containerInspect) { i.State.Running = false }))
	if out["mustRun"] != false {
		t.Fatalf("a stopped container reads back mustRun %v, want false (the next up starts it in place)", out["mustRun"])
	}
}

func diffOf(t *testing.T, olds, news rpc.Props) (diffs, replaces []string) {
	t.Helper()
	return rpc.DiffProps(Container{}.Spec(), olds, news, true)
}

func TestDiffAsUpstream(t *testing.T) {
	base := rpc.Props{"image": "a:1", "cpus": "1.0", "memory": 512.0, "memorySwap": -1.0, "command": []any{"x"},
		"healthcheck": map[string]any{"tests": []any{"CMD", "true"}, "interval": "5s"}}
	news := rpc.Props{"image": "a:1", "cpus": "1", "memory": 512.0, "memorySwap": -1.0,
		"healthcheck": map[string]any{"tests": []any{"CMD", "true"}, "interval": "5s"}}
	d, r := diffOf(t, base, news)
	if len(r) != 1 || r[0] != "cpus" {
		t.Errorf(`"1" against a read-back "1.0" must replace (cpus is ForceNew); got diffs %v replaces %v`, d, r)
	}
	news["cpus"] = "1.0"
	delete(news, "memorySwap")
	d, r = diffOf(t, base, news)
	if len(d) != 1 || d[0] != "memorySwap" || len(r) != 0 {
		t.Errorf("memorySwap left out against a stored -1 must be an in-place diff; got %v %v", d, r)
	}
	news["memorySwap"] = -1.0
	news["healthcheck"] = map[string]any{"tests": []any{"CMD", "false"}, "interval": "5s"}
	d, r = diffOf(t, base, news)
	if len(d) != 1 || d[0] != "healthcheck" || len(r) != 0 {
		t.Errorf("a changed healthcheck is an in-place update upstream; got %v %v", d, r)
	}
	delete(news, "healthcheck")
	d, _ = diffOf(t, base, news)
	if len(d) != 0 {
		t.Errorf("command and healthcheck left out are filled from the engine: no diff; got %v", d)
	}
}

func TestPrepareFillsNestedDefaults(t *testing.T) {
	in := rpc.Props{"healthcheck": map[string]any{"tests": []any{"CMD", "true"}}, "ports": []any{map[string]any{"internal": 80.0}}}
	prepareContainer(in)
	hc := in["healthcheck"].(map[string]any)
	if hc["startInterval"] != "0s" || hc["retries"] != 0.0 {
		t.Errorf("healthcheck defaults not filled: %v", hc)
	}
	if p := rpc.Objs(in, "ports")[0]; p["protocol"] != "tcp" || p["ip"] != "0.0.0.0" {
		t.Errorf("port defaults not filled: %v", p)
	}
}

func TestLogOptsReadBackAsUpstream(t *testing.T) {
	withDefaults := func(i *containerInspect) {
		i.HostConfig.LogConfig.Type = "json-file"
		// A daemon with default log-opts merges its own keys in (moby daemon/logs.go:199-205).
		i.HostConfig.LogConfig.Config = map[string]string{"max-size": "10m", "max-file": "3", "compress": "true"}
	}
	out := readBack(rpc.Props{"logOpts": map[string]any{"max-size": "10m", "max-file": "3"}}, inspectWith(withDefaults))
	if got := rpc.StrMap(out, "logOpts"); len(got) != 3 || got["compress"] != "true" {
		t.Errorf("logOpts read back %v, want the engine's three options (upstream then replaces: ForceNew)", got)
	}
	news := rpc.Copy(out)
	news["logOpts"] = map[string]any{"max-size": "10m", "max-file": "3"}
	if _, replaces := diffOf(t, out, news); len(replaces) != 1 || replaces[0] != "logOpts" {
		t.Errorf("replaces %v, want [logOpts]", replaces)
	}
	out = readBack(rpc.Props{}, inspectWith(withDefaults))
	if _, ok := out["logOpts"]; ok {
		t.Errorf("logOpts read back %v without logOpts in the state; upstream leaves it out", out["logOpts"])
	}
}
