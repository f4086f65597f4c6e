package docker

import (
	"context"
	"log"
	"strings"

	"shipyard/plugins/internal/dockerapi"
	"shipyard/plugins/internal/rpc"
)

// Upstream creates a service with QueryRegistry (terraform-provider-docker
// v4.5.0 resource_docker_service_funcs.go:45); its moby v28.5.2 client then
// asks the engine for the image's registry digest (GET /distribution/<image>/json)
// and pins the spec to `name:tag@sha256:…` unless the image already carries a
// digest, and sets the placement's platforms to the registry's
// (client/service_create.go:52-54, 87-149). An image no registry answers for
// is sent as named, with a warning. Update sends no QueryRegistry
// (resource_docker_service_funcs.go:185-192): the image goes as the program
// names it. Both add ":latest" to a bare name (imageWithTagString, :171-177).
// Read writes back the spec's image and platforms
// (resource_docker_service_structures.go:123-124, 491-492); `placement` is
// Computed, so platforms differ only where the program declares a placement.

// imageWithTag adds ":latest" to an image with neither tag nor digest.
func imageWithTag(image string) string {
	if image == "" || strings.Contains(image, "@") {
		return image
	}
	last := image[strings.LastIndex(image, "/")+1:]
	if strings.Contains(last, ":") {
		return image
	}
	return image + ":latest"
}

type distributionInspect struct {
	Descriptor struct{ Digest string }
	Platforms  []struct {
		Architecture string
		OS           string
	}
}

// pinServiceImage is the create's QueryRegistry: the inputs with the image
// pinned and the registry's platforms, or as given (tagged) where the engine
// cannot reach a registry for it.
func (e *Engine) pinServiceImage(ctx context.Context, cl *dockerapi.Client, in rpc.Props) rpc.Props {
	out := withServiceImage(in, imageWithTag(serviceImage(in)))
	image := serviceImage(out)
	if image == "" {
		return out
	}
	var d distributionInspect
	if err := cl.DoWithHeaders(ctx, "GET", "/distribution/"+image+"/json", nil, e.registryHeader(in), nil, &d); err != nil || d.Descriptor.Digest == "" {
		log.Printf("image %s could not be accessed on a registry to record its digest (%v)", image, err)
		return out
	}
	if !strings.Contains(image, "@") {
		out = withServiceImage(out, image+"@"+d.Descriptor.Digest)
	}
	if len(d.Platforms) > 0 {
		var ps []any
		for _, p := range d.Platforms {
			arch := p.Architecture
			if strings.ToLower(arch) == "arm" {
				arch = "" // as the client does (swarmkit issue 2294)
			}
			ps = append(ps, map[string]any{"architecture": arch, "os": p.OS})
		}
		ts := rpc.Copy(rpc.Obj(out, "taskSpec"))
		pl := rpc.Copy(rpc.Obj(ts, "placement"))
		pl["platforms"] = ps
		ts["placement"] = map[string]any(pl)
		out = rpc.Copy(out)
		out["taskSpec"] = map[string]any(ts)
	}
	return out
}

func serviceImage(in rpc.Props) string {
	return rpc.Str(rpc.Obj(rpc.Obj(in, "taskSpec"), "containerSpec"), "image")
}

func withServiceImage(in rpc.Props, image string) rpc.Props {
	ts := rpc.Obj(in, "taskSpec")
	cs := rpc.Obj(ts, "containerSpec")
	if cs == nil || image == "" {
		return in
	}
	cs = rpc.Copy(cs)
	cs["image"] = image
	ts = rpc.Copy(ts)
	ts["containerSpec"] = map[string]any(cs)
	out := rpc.Copy(in)
	out["taskSpec"] = map[string]any(ts)
	return out
}

// readImage is upstream's read of the image and the placement's platforms:
// as the engine stores them (a pinned image differs from a tag the program sent).
func readImage(state rpc.Props, insp serviceInspect) rpc.Props {
	spec := insp.Spec.TaskTemplate
	out := withServiceImage(state, spec.ContainerSpec.Image)
	ts := rpc.Obj(out, "taskSpec")
	if ts == nil {
		return out
	}
	had := rpc.Obj(ts, "placement") != nil
	pl := rpc.Copy(rpc.Obj(ts, "placement"))
	var ps []any
	if spec.Placement != nil {
		for _, p := range spec.Placement.Platforms {
			ps = append(ps, map[string]any{"architecture": p.Architecture, "os": p.OS})
		}
	}
	// `placement` is Optional and Computed (resource_docker_service.go:637-641): a
	// program that leaves it out keeps what the engine has, so no diff.
	if !had {
		return out
	}
	if ps != nil {
		pl["platforms"] = ps
	} else {
		delete(pl, "platforms")
	}
	ts = rpc.Copy(ts)
	ts["placement"] = map[string]any(pl)
	out = rpc.Copy(out)
	out["taskSpec"] = map[string]any(ts)
	return out
}
