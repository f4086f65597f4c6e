package docker

import (
	"reflect"
	"testing"

	"shipyard/plugins/internal/rpc"
)

func TestImageWithTagAsUpstream(t *testing.T) {
	for in, want := range map[string]string{
		"redis":                          "redis:latest",
		"redis:7":                        "redis:7",
		"127.0.0.1:5000/demo/app":        "127.0.0.1:5000/demo/app:latest",
		"127.0.0.1:5000/demo/app:main":   "127.0.0.1:5000/demo/app:main",
		"127.0.0.1:5000/app@sha256:abcd": "127.0.0.1:5000/app@sha256:abcd",
	} {
		if got := imageWithTag(in); got != want {
			t.Errorf("imageWithTag(%q) = %q, want %q", in, got, want)
		}
	}
}

// A service created from a tag reads back pinned, with the registry's
// platforms: against the program's tag that is a diff on the next up.
func TestServiceImageReadBackAsUpstream(t *testing.T) {
	state := rpc.Props{"taskSpec": map[string]any{
		"containerSpec": map[string]any{"image": "r:5000/app:main"},
		"placement":     map[string]any{"constraints": []any{"node.role==worker"}},
	}}
	var insp serviceInspect
	insp.Spec.TaskTemplate.ContainerSpec.Image = "r:5000/app:main@sha256:abcd"
	insp.Spec.TaskTemplate.Placement = &struct {
		Platforms []struct{ Architecture, OS string }
	}{Platforms: []struct{ Architecture, OS string }{{"amd64", "linux"}}}
	got := readImage(state, insp)
	if img := serviceImage(got); img != "r:5000/app:main@sha256:abcd" {
		t.Fatalf("image read back %q", img)
	}
	pl := rpc.Obj(rpc.Obj(got, "taskSpec"), "placement")
	want := []any{map[string]any{"architecture": "amd64", "os": "linux"}}
	if !reflect.DeepEqual(pl["platforms"], want) {
		t.Fatalf("platforms read back %v", pl["platforms"])
	}
	if serviceImage(state) != "r:5000/app:main" {
		t.Fatal("the state given was changed")
	}
	spec := Service{}.Spec()
	news := rpc.Props{"taskSpec": map[string]any{
		"containerSpec": map[string]any{"image": "r:5000/app:main"},
		"placement":     map[string]any{"constraints": []any{"node.role==worker"}},
	}}
	if d, _ := rpc.DiffProps(spec, got, news, true); len(d) == 0 {
		t.Fatal("a tag against the pinned read-back must differ")
	}
	pinned := withServiceImage(news, "r:5000/app:main@sha256:abcd")
	if d, _ := rpc.DiffProps(spec, got, pinned, true); len(d) == 0 {
		t.Fatal("the platforms read back differ from a program that sets none")
	}
	if d, _ := rpc.DiffProps(spec, got, pinned, true, "taskSpec.placement.platforms"); len(d) != 0 {
		t.Fatalf("pinned image, platforms ignored: no diff expected, got %v", d)
	}
	// Without a placement block (Computed upstream) the platforms are not the program's concern.
	bare := rpc.Props{"taskSpec": map[string]any{"containerSpec": map[string]any{"image": "r:5000/app:main@sha256:abcd"}}}
	if d, _ := rpc.DiffProps(spec, readImage(bare, insp), bare, true); len(d) != 0 {
		t.Fatalf("no placement declared: no diff expected, got %v", d)
	}
}
