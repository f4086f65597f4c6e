package docker

import (
	"context"

	"shipyard/plugins/internal/rpc"
)

// Network is docker:index/network:Network.
type Network struct{ E *Engine }

func (Network) Spec() rpc.Spec {
	return rpc.Spec{
		Inputs: map[string]bool{
			"name": true, "driver": true, "internal": true, "attachable": true,
			"labels": true, "options": true, "ipv6": true, "checkDuplicate": true,
			"ingress": true, "ipamConfigs": true, "ipamDriver": true,
		},
		Defaults: rpc.Props{"driver": "bridge"},
		Computed: []string{"scope"},
		AutoName: true,
		Validate: labelsValid,
	}
}

type networkInspect struct {
	ID         string
	Name       string
	Driver     string
	Scope      string
	Internal   bool
	Attachable bool
	EnableIPv6 bool
	Labels     map[string]string
	Containers map[string]any
}

func (n Network) Create(ctx context.Context, _ string, in rpc.Props) (string, rpc.Props, error) {
	c, err := n.E.Client()
	if err != nil {
		return "", nil, err
	}
	body := map[string]any{
		"Name":           rpc.Str(in, "name"),
		"Driver":         rpc.Str(in, "driver"),
		"Internal":       rpc.Bool(in, "internal"),
		"Attachable":     rpc.Bool(in, "attachable"),
		"Ingress":        rpc.Bool(in, "ingress"),
		"Labels":         labelMap(in),
		"Options":        rpc.StrMap(in, "options"),
		"CheckDuplicate": true,
	}
	// As upstream: EnableIPv6 is sent only when the program sets ipv6 true
	// (TF network_funcs.go:51-54, d.GetOk skips false); otherwise the
	// engine's default decides (a daemon's default-network-opts may enable it).
	if rpc.Bool(in, "ipv6") {
		body["EnableIPv6"] = true
	}
	if cfgs := rpc.Objs(in, "ipamConfigs"); len(cfgs) > 0 {
		var ipam []map[string]string
		for _, c := range cfgs {
			ipam = append(ipam, map[string]string{"Subnet": rpc.Str(c, "subnet"), "Gateway": rpc.Str(c, "gateway"), "IPRange": rpc.Str(c, "ipRange")})
		}
		body["IPAM"] = map[string]any{"Driver": "default", "Config": ipam}
	}
	var resp struct{ Id string }
	if err := c.Do(ctx, "POST", "/networks/create", nil, body, &resp); err != nil {
		return "", nil, err
	}
	out := rpc.Copy(in)
	var insp networkInspect
	if err := c.Do(ctx, "GET", "/networks/"+resp.Id, nil, nil, &insp); err != nil {
		return "", nil, err
	}
	out["scope"] = insp.Scope
	out["ipv6"] = insp.EnableIPv6
	return resp.Id, out, nil
}

func (n Network) Read(ctx context.Context, id string, state rpc.Props) (rpc.Props, bool, error) {
	c, err := n.E.Client()
	if err != nil {
		return nil, false, err
	}
	var insp networkInspect
	if err := c.Do(ctx, "GET", "/networks/"+id, nil, nil, &insp); err != nil {
		if isGone(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	out := rpc.Copy(state)
	out["name"] = insp.Name
	out["scope"] = insp.Scope
	readLabels(out, state, insp.Labels)
	// Read back always (TF network_funcs.go:181): an engine that enabled IPv6
	// by default reads back true against a program that left ipv6 out, and
	// ipv6 forces a new network (TF network.go:78-83), as upstream.
	out["ipv6"] = insp.EnableIPv6
	if _, ok := state["internal"]; ok || insp.Internal {
		out["internal"] = insp.Internal
	}
	return out, true, nil
}

func (n Network) Delete(ctx context.Context, id string, _ rpc.Props) error {
	c, err := n.E.Client()
	if err != nil {
		return err
	}
	// Containers being removed in parallel can hold the network a moment longer.
	return retryConflict(ctx, func() error {
		err := c.Do(ctx, "DELETE", "/networks/"+id, nil, nil, nil)
		if isGone(err) {
			return nil
		}
		return err
	})
}
