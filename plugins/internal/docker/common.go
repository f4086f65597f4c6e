// Package docker implements the resource types of the Pulumi docker package
// (the subset this project uses) against the Docker Engine API.
package docker

import (
	"reflect"
	"sort"

	"shipyard/plugins/internal/dockerapi"
	"shipyard/plugins/internal/rpc"
)

// Engine gives resources their engine client; set when the provider is configured.
type Engine struct {
	Host string
	// Auth is the provider's registryAuth by registry host name (registry.go).
	Auth   map[string]AuthConfig
	client *dockerapi.Client
}

// Client connects lazily, so a wrong host fails on first use with a clear error.
func (e *Engine) Client() (*dockerapi.Client, error) {
	if e.client == nil {
		c, err := dockerapi.New(e.Host)
		if err != nil {
			return nil, err
		}
		e.client = c
	}
	return e.client, nil
}

// labelMap turns the docker package's [{label, value}] list into a map.
func labelMap(p rpc.Props) map[string]string {
	out := map[string]string{}
	for _, l := range rpc.Objs(p, "labels") {
		out[rpc.Str(l, "label")] = rpc.Str(l, "value")
	}
	return out
}

// readLabels sets the engine's labels into out: networks and volumes read
// their labels back (TF resource_docker_network_funcs.go:176,
// resource_docker_volume.go:309). Upstream they are a set: the same labels in
// another order are the same, so the state's list is kept then.
func readLabels(out, state rpc.Props, engine map[string]string) {
	if _, ok := state["labels"]; !ok && len(engine) == 0 {
		return
	}
	if reflect.DeepEqual(labelMap(state), engine) || (len(engine) == 0 && len(labelMap(state)) == 0) {
		return
	}
	out["labels"] = labelList(engine)
}

// labelList is labels in the program's form, sorted by label.
func labelList(m map[string]string) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, map[string]any{"label": k, "value": m[k]})
	}
	return out
}

func labelsValid(in rpc.Props) []rpc.Failure {
	var f []rpc.Failure
	for i, l := range rpc.Objs(in, "labels") {
		if _, ok := l["label"].(string); !ok {
			if _, unknown := l["label"].(rpc.Unknown); !unknown {
				f = append(f, rpc.Failure{Property: "labels", Reason: "labels[" + itoa(i) + "].label must be a string"})
			}
		}
	}
	return f
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
