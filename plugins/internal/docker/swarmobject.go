package docker

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"shipyard/plugins/internal/dockerapi"
	"shipyard/plugins/internal/rpc"
)

// SwarmObject is docker:index/secret:Secret (Path "secrets") and
// docker:index/serviceConfig:ServiceConfig (Path "configs"): immutable
// named data a Swarm service mounts as a file. Any change replaces it, under
// a fresh name, before the old one is removed.
type SwarmObject struct {
	E    *Engine
	Path string
}

func (SwarmObject) Spec() rpc.Spec {
	return rpc.Spec{
		Inputs:   map[string]bool{"name": true, "data": true, "labels": true},
		Required: []string{"data"},
		AutoName: true,
		Validate: func(in rpc.Props) []rpc.Failure {
			f := labelsValid(in)
			if d, ok := in["data"].(string); ok {
				if _, err := base64.StdEncoding.DecodeString(d); err != nil {
					f = append(f, rpc.Failure{Property: "data", Reason: "data must be base64-encoded"})
				}
			}
			return f
		},
	}
}

func (o SwarmObject) Create(ctx context.Context, urn string, in rpc.Props) (string, rpc.Props, error) {
	c, err := o.E.Client()
	if err != nil {
		return "", nil, err
	}
	labels := labelMap(in)
	labels[URNLabel] = urn
	body := map[string]any{"Name": rpc.Str(in, "name"), "Data": rpc.Str(in, "data"), "Labels": labels}
	var resp struct{ ID string }
	if err := c.Do(ctx, "POST", "/"+o.Path+"/create", nil, body, &resp); err != nil {
		if e, ok := err.(*dockerapi.Error); ok && e.Status == http.StatusServiceUnavailable {
			return "", nil, fmt.Errorf("%s %s: this engine is not a Swarm manager; run `docker swarm init` (or set shipyard:engine to container): %w", o.kind(), rpc.Str(in, "name"), err)
		}
		return "", nil, fmt.Errorf("%s %s: %w", o.kind(), rpc.Str(in, "name"), err)
	}
	return resp.ID, rpc.Copy(in), nil
}

func (o SwarmObject) kind() string { return strings.TrimSuffix(o.Path, "s") }

func (o SwarmObject) Read(ctx context.Context, id string, state rpc.Props) (rpc.Props, bool, error) {
	c, err := o.E.Client()
	if err != nil {
		return nil, false, err
	}
	var insp struct{ ID string }
	if err := c.Do(ctx, "GET", "/"+o.Path+"/"+id, nil, nil, &insp); err != nil {
		if isGone(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return rpc.Copy(state), true, nil
}

// Delete waits while a service still uses the object (its update to the
// replacement is rolling out), for up to two minutes.
func (o SwarmObject) Delete(ctx context.Context, id string, _ rpc.Props) error {
	c, err := o.E.Client()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		err := c.Do(ctx, "DELETE", "/"+o.Path+"/"+id, nil, nil, nil)
		if err == nil || isGone(err) {
			return nil
		}
		if !strings.Contains(err.Error(), "in use") || time.Now().After(deadline) {
			return fmt.Errorf("%s %s: %w", o.kind(), id, err)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(500 * time.Millisecond):
		}
	}
}
