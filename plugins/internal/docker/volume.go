package docker

import (
	"context"
	"net/url"

	"shipyard/plugins/internal/rpc"
)

// Volume is docker:index/volume:Volume.
type Volume struct{ E *Engine }

func (Volume) Spec() rpc.Spec {
	return rpc.Spec{
		Inputs:   map[string]bool{"name": true, "driver": true, "driverOpts": true, "labels": true},
		Defaults: rpc.Props{"driver": "local"},
		Computed: []string{"mountpoint"},
		AutoName: true,
		Validate: labelsValid,
	}
}

func (v Volume) Create(ctx context.Context, _ string, in rpc.Props) (string, rpc.Props, error) {
	c, err := v.E.Client()
	if err != nil {
		return "", nil, err
	}
	body := map[string]any{
		"Name":       rpc.Str(in, "name"),
		"Driver":     rpc.Str(in, "driver"),
		"DriverOpts": rpc.StrMap(in, "driverOpts"),
		"Labels":     labelMap(in),
	}
	var resp struct{ Name, Mountpoint string }
	if err := c.Do(ctx, "POST", "/volumes/create", nil, body, &resp); err != nil {
		return "", nil, err
	}
	out := rpc.Copy(in)
	out["mountpoint"] = resp.Mountpoint
	return resp.Name, out, nil
}

func (v Volume) Read(ctx context.Context, id string, state rpc.Props) (rpc.Props, bool, error) {
	c, err := v.E.Client()
	if err != nil {
		return nil, false, err
	}
	var resp struct {
		Name, Mountpoint string
		Labels           map[string]string
	}
	if err := c.Do(ctx, "GET", "/volumes/"+url.PathEscape(id), nil, nil, &resp); err != nil {
		if isGone(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	out := rpc.Copy(state)
	out["mountpoint"] = resp.Mountpoint
	readLabels(out, state, resp.Labels)
	return out, true, nil
}

func (v Volume) Delete(ctx context.Context, id string, _ rpc.Props) error {
	c, err := v.E.Client()
	if err != nil {
		return err
	}
	return retryConflict(ctx, func() error {
		err := c.Do(ctx, "DELETE", "/volumes/"+url.PathEscape(id), nil, nil, nil)
		if isGone(err) {
			return nil
		}
		return err
	})
}
