package docker

import (
	"context"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"

	"shipyard/plugins/internal/rpc"
)

// Rows "replacement order" and "labels" of docs/upstream-fidelity.md (networks, volumes).

func checkThenDiff(t *testing.T, typ string, olds, news rpc.Props) *pulumirpc.DiffResponse {
	t.Helper()
	s := &rpc.Server{Name: "docker", Resources: map[string]rpc.Resource{
		"docker:index/network:Network": Network{},
		"docker:index/volume:Volume":   Volume{},
	}}
	urn := "urn:pulumi:dev::p::" + typ + "::res"
	encode := func(p rpc.Props) *structpb.Struct {
		e, err := rpc.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	checked := func(p rpc.Props, olds *structpb.Struct) *structpb.Struct {
		r, err := s.Check(context.Background(), &pulumirpc.CheckRequest{Urn: urn, News: encode(p), Olds: olds})
		if err != nil || len(r.GetFailures()) > 0 {
			t.Fatalf("check: %v %v", err, r.GetFailures())
		}
		return r.GetInputs()
	}
	// As the engine does: the new inputs are checked against the old ones (an autoname is kept).
	o := checked(olds, encode(rpc.Props{}))
	d, err := s.Diff(context.Background(), &pulumirpc.DiffRequest{Urn: urn, Id: "x", Olds: o, News: checked(news, o)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func labels(kv ...string) []any {
	var out []any
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, map[string]any{"label": kv[i], "value": kv[i+1]})
	}
	return out
}

func TestLabelChangeReplacesAsUpstream(t *testing.T) {
	for _, typ := range []string{"docker:index/network:Network", "docker:index/volume:Volume"} {
		old := rpc.Props{"name": "sys-dev-data", "labels": labels("io.shipyard.system", "sys")}
		changed := rpc.Props{"name": "sys-dev-data", "labels": labels("io.shipyard.system", "sys", "team", "ops")}
		d := checkThenDiff(t, typ, old, changed)
		if len(d.GetReplaces()) != 1 || d.GetReplaces()[0] != "labels" {
			t.Errorf("%s: a label change must replace (labels ForceNew); got replaces %v", typ, d.GetReplaces())
		}
		if !d.GetDeleteBeforeReplace() {
			t.Errorf("%s: an explicitly named one is replaced delete-first (BR schema.go:193-245)", typ)
		}
		auto := checkThenDiff(t, typ, rpc.Props{"labels": labels("a", "1")}, rpc.Props{"labels": labels("a", "2")})
		if len(auto.GetReplaces()) != 1 || auto.GetDeleteBeforeReplace() {
			t.Errorf("%s: an autonamed one is replaced create-first; got %v dbr=%v", typ, auto.GetReplaces(), auto.GetDeleteBeforeReplace())
		}
	}
}

func TestReadLabelsAsASet(t *testing.T) {
	state := rpc.Props{"labels": labels("b", "2", "a", "1")}
	out := rpc.Copy(state)
	readLabels(out, state, map[string]string{"a": "1", "b": "2"})
	if !rpc.Equal(out["labels"], state["labels"]) {
		t.Errorf("the same labels in another order keep the state's list; got %v", out["labels"])
	}
	readLabels(out, state, map[string]string{"a": "1"})
	if !rpc.Equal(out["labels"], labels("a", "1")) {
		t.Errorf("the engine's labels are read back; got %v", out["labels"])
	}
}

func TestServiceDurationsReadBackAsUpstream(t *testing.T) {
	for in, want := range map[string]string{"60s": "1m", "1h0m0s": "1h", "90s": "1m30s", "5s": "5s", "0s": "0s", "1h30m0s": "1h30m"} {
		d, _ := time.ParseDuration(in)
		if got := shortDur(d); got != want {
			t.Errorf("shortDur(%s) = %q, upstream %q", in, got, want)
		}
	}
	var insp serviceInspect
	sixty := int64(60 * time.Second)
	insp.Spec.TaskTemplate.ContainerSpec.Healthcheck = &struct{ Interval, Timeout, StartPeriod int64 }{int64(2 * time.Second), 0, sixty}
	insp.Spec.TaskTemplate.ContainerSpec.StopGracePeriod = &sixty
	state := rpc.Props{"taskSpec": map[string]any{"containerSpec": map[string]any{
		"healthcheck": map[string]any{"tests": []any{"CMD", "true"}, "interval": "2s", "startPeriod": "1m0s"}, "stopGracePeriod": "60s"}}}
	cs := rpc.Obj(rpc.Obj(readDurations(state, insp), "taskSpec"), "containerSpec")
	hc := rpc.Obj(cs, "healthcheck")
	if hc["startPeriod"] != "1m" || hc["timeout"] != "0s" || hc["interval"] != "2s" || cs["stopGracePeriod"] != "1m" {
		t.Errorf("read back %v, stop grace %v; upstream: startPeriod 1m, timeout 0s, stop grace 1m", hc, cs["stopGracePeriod"])
	}
}

// Row "ipv6 read-back" of docs/upstream-fidelity.md (networks): upstream reads
// EnableIPv6 back always (TF network_funcs.go:181) and ipv6 forces a new network.
func TestNetworkIPv6ReadBackAsUpstream(t *testing.T) {
	typ := "docker:index/network:Network"
	declared := rpc.Props{"name": "sys-dev-data"}
	off := checkThenDiff(t, typ, rpc.Props{"name": "sys-dev-data", "ipv6": false}, declared)
	if off.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("the default engine reads back ipv6 false: no change for a program that leaves it out; got %v", off.GetDiffs())
	}
	on := checkThenDiff(t, typ, rpc.Props{"name": "sys-dev-data", "ipv6": true}, declared)
	if len(on.GetReplaces()) != 1 || on.GetReplaces()[0] != "ipv6" {
		t.Errorf("an engine that enabled IPv6 by default replaces the network on every run, as upstream; got %v", on.GetReplaces())
	}
}
