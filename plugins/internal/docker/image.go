package docker

import (
	"context"
	"fmt"
	"net/url"

	"shipyard/plugins/internal/rpc"
)

// RemoteImage is docker:index/remoteImage:RemoteImage. It resolves an image to
// its ID (and repo digest when it has one), pulling it only when it is absent.
type RemoteImage struct{ E *Engine }

func (RemoteImage) Spec() rpc.Spec {
	return rpc.Spec{
		Inputs:   map[string]bool{"name": true, "keepLocally": false, "pullTriggers": true, "triggers": true, "forceRemove": false, "platform": true},
		Required: []string{"name"},
		Computed: []string{"imageId", "repoDigest"},
	}
}

type imageInspect struct {
	ID          string `json:"Id"`
	RepoDigests []string
}

func (r RemoteImage) inspect(ctx context.Context, name string) (*imageInspect, error) {
	cl, err := r.E.Client()
	if err != nil {
		return nil, err
	}
	var img imageInspect
	if err := cl.Do(ctx, "GET", "/images/"+url.PathEscape(name)+"/json", nil, nil, &img); err != nil {
		return nil, err
	}
	return &img, nil
}

func (r RemoteImage) outputs(in rpc.Props, img *imageInspect) rpc.Props {
	out := rpc.Copy(in)
	out["imageId"] = img.ID
	out["repoDigest"] = ""
	if len(img.RepoDigests) > 0 {
		out["repoDigest"] = img.RepoDigests[0]
	}
	return out
}

func (r RemoteImage) Create(ctx context.Context, _ string, in rpc.Props) (string, rpc.Props, error) {
	name := rpc.Str(in, "name")
	img, err := r.inspect(ctx, name)
	if isGone(err) {
		cl, _ := r.E.Client()
		perr := cl.Do(ctx, "POST", "/images/create", url.Values{"fromImage": {name}}, nil, nil)
		if perr != nil {
			return "", nil, fmt.Errorf("image %s is not on this engine and pulling it failed (%v); build it locally (scripts/images.sh) or choose another image in config", name, perr)
		}
		img, err = r.inspect(ctx, name)
	}
	if err != nil {
		return "", nil, fmt.Errorf("image %s: %w", name, err)
	}
	return img.ID + name, r.outputs(in, img), nil
}

func (r RemoteImage) Read(ctx context.Context, _ string, state rpc.Props) (rpc.Props, bool, error) {
	img, err := r.inspect(ctx, rpc.Str(state, "name"))
	if isGone(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return r.outputs(state, img), true, nil
}

// Update only changes provider-side settings (keepLocally, forceRemove).
func (r RemoteImage) Update(_ context.Context, _ string, state, news rpc.Props) (rpc.Props, error) {
	out := rpc.Copy(state)
	out["keepLocally"] = news["keepLocally"]
	out["forceRemove"] = news["forceRemove"]
	return out, nil
}

func (r RemoteImage) Delete(ctx context.Context, _ string, state rpc.Props) error {
	if rpc.Bool(state, "keepLocally") {
		return nil
	}
	cl, err := r.E.Client()
	if err != nil {
		return err
	}
	q := url.Values{}
	if rpc.Bool(state, "forceRemove") {
		q.Set("force", "true")
	}
	err = cl.Do(ctx, "DELETE", "/images/"+url.PathEscape(rpc.Str(state, "name")), q, nil, nil)
	if isGone(err) || (err != nil && !rpc.Bool(state, "forceRemove")) {
		// An image still used by other containers stays, as with the upstream provider.
		return nil
	}
	return err
}
