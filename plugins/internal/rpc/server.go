package rpc

import (
	"context"
	"errors"

	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil/rpcerror"
	"google.golang.org/grpc/codes"
	"reflect"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Server serves a set of resource types as one provider plugin.
type Server struct {
	pulumirpc.UnimplementedResourceProviderServer
	Name      string
	Version   string
	Resources map[string]Resource // by type token, e.g. docker:index/network:Network
	// Configure receives the provider's configuration (e.g. docker "host").
	OnConfigure func(vars map[string]string, args Props) error
	// Functions are the invokes (data sources) by token, e.g. docker:index/getRegistryImage:getRegistryImage.
	Functions map[string]Function
}

// Function is one invoke: its arguments in, its result out.
type Function func(ctx context.Context, args Props) (Props, error)

// Main runs the plugin: it is what the engine starts.
func Main(s *Server) {
	err := provider.Main(s.Name, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return s, nil
	})
	if err != nil {
		panic(err)
	}
}

func (s *Server) resourceFor(urn string) (Resource, string, error) {
	u := resource.URN(urn)
	typ := string(u.Type())
	r, ok := s.Resources[typ]
	if !ok {
		known := make([]string, 0, len(s.Resources))
		for k := range s.Resources {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, typ, fmt.Errorf("resource type %s is not implemented by this %s plugin (shipyard offline build); implemented: %s",
			typ, s.Name, strings.Join(known, ", "))
	}
	return r, typ, nil
}

func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.Version}, nil
}

func (s *Server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, s.Name, s.Version)}, nil
}

func (s *Server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig: a changed provider input (e.g. docker's registryAuth) is an
// update of the provider, as the bridge answers: a detailed diff of old and new
// inputs, a replacement only where the schema says ForcesProviderReplace
// (pulumi-terraform-bridge v3.136.0 pkg/tfbridge/provider.go:855-897; none
// here). The engine then configures the provider with the new values.
func (s *Server) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := Decode(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if len(olds) == 0 {
		if olds, err = Decode(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := Decode(req.GetNews())
	if err != nil {
		return nil, err
	}
	var diffs []string
	for k := range keysOf(olds, news) {
		if !Equal(olds[k], news[k]) {
			diffs = append(diffs, k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: diffs}, nil
}

func keysOf(ms ...Props) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

func (s *Server) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	if s.OnConfigure != nil {
		args, err := Decode(req.GetArgs())
		if err != nil {
			return nil, err
		}
		if err := s.OnConfigure(req.GetVariables(), args); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: false, SupportsPreview: true}, nil
}

func (s *Server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *Server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	f, ok := s.Functions[req.GetTok()]
	if !ok {
		return nil, fmt.Errorf("function %s is not implemented by this %s plugin (shipyard offline build)", req.GetTok(), s.Name)
	}
	args, err := Decode(req.GetArgs())
	if err != nil {
		return nil, err
	}
	out, err := f(ctx, args)
	if err != nil {
		return nil, err
	}
	ret, err := Encode(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:7]
}

func (s *Server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	r, typ, err := s.resourceFor(req.GetUrn())
	if err != nil {
		return nil, err
	}
	spec := r.Spec()
	news, err := Decode(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := Decode(req.GetOlds())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: reason})
	}
	allowed := make([]string, 0, len(spec.Inputs))
	for k := range spec.Inputs {
		allowed = append(allowed, k)
	}
	sort.Strings(allowed)
	for k := range news {
		if _, ok := spec.Inputs[k]; !ok {
			fail(k, fmt.Sprintf("%s.%s is not supported by the shipyard offline %s plugin; supported properties: %s",
				typ, k, s.Name, strings.Join(allowed, ", ")))
		}
	}
	for k, v := range spec.Defaults {
		if _, ok := news[k]; !ok {
			news[k] = v
		}
	}
	if spec.Prepare != nil {
		spec.Prepare(news)
	}
	if spec.AutoName {
		// The bridge lists the inputs it filled in "__defaults"; a name the
		// program gave is not among them (BR schema.go:193-245).
		defaults := []any{}
		if _, ok := news["name"]; !ok {
			defaults = append(defaults, "name")
			// An auto-named resource keeps its name. On a replacement the
			// engine checks again without olds (pulumi
			// pkg/resource/deploy/step_generator.go:2004-2015), so the
			// replacement gets a fresh name, as with the bridged providers.
			if old, ok := olds["name"].(string); ok && old != "" {
				news["name"] = old
			} else {
				news["name"] = resource.URN(req.GetUrn()).Name() + "-" + randomSuffix()
			}
		}
		news[DefaultsKey] = defaults
	}
	for _, k := range spec.Required {
		if _, ok := news[k]; !ok {
			fail(k, fmt.Sprintf("%s.%s is required", typ, k))
		}
	}
	if spec.Validate != nil && len(failures) == 0 {
		for _, f := range spec.Validate(news) {
			fail(f.Property, f.Reason)
		}
	}
	inputs, err := Encode(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// normalize makes values comparable: []string and []any with equal content
// compare equal, as do int and float64.
func normalize(v any) any {
	switch t := v.(type) {
	case int:
		return float64(t)
	case []string:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = e
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			if e != nil {
				out[k] = normalize(e)
			}
		}
		return out
	}
	return v
}

// Equal compares two plain values as a diff does.
func Equal(a, b any) bool { return reflect.DeepEqual(normalize(a), normalize(b)) }

// isZero reports whether v is a zero value (0, "", false, empty list or map).
func isZero(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case float64:
		return t == 0
	case string:
		return t == ""
	case bool:
		return !t
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}

func (s *Server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	r, _, err := s.resourceFor(req.GetUrn())
	if err != nil {
		return nil, err
	}
	spec := r.Spec()
	olds, err := Decode(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := Decode(req.GetNews())
	if err != nil {
		return nil, err
	}
	_, canUpdate := r.(Updater)
	diffs, replaces := DiffProps(spec, olds, news, canUpdate, req.GetIgnoreChanges()...)
	detailed := map[string]*pulumirpc.PropertyDiff{}
	rep := map[string]bool{}
	for _, k := range replaces {
		rep[k] = true
	}
	for _, k := range diffs {
		_, hasOld := olds[k]
		_, hasNew := news[k]
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hasOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if rep[k] {
			kind += 1 // the *_REPLACE variant follows each kind in the enum
		}
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	sort.Strings(diffs)
	sort.Strings(replaces)
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(diffs) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{
		Changes:             changes,
		Diffs:               diffs,
		Replaces:            replaces,
		DeleteBeforeReplace: len(replaces) > 0 && (spec.DeleteBeforeReplace || nameGiven(spec, news)),
		DetailedDiff:        detailed,
		HasDetailedDiff:     true,
	}, nil
}

// DefaultsKey holds the inputs Check filled in, as the bridge's "__defaults".
const DefaultsKey = "__defaults"

// nameGiven is the bridge's nameRequiresDeleteBeforeReplace: an auto-namable
// resource whose name the program set is replaced delete-first, since the
// name cannot exist twice (BR schema.go:193-245, provider.go:1275-1276;
// pulumi-docker's SetAutonaming covers every resource with a "name" input,
// provider/resources.go:404). Networks and volumes with fixed names included.
func nameGiven(spec Spec, news Props) bool {
	defaults, ok := news[DefaultsKey].([]any)
	if !spec.AutoName || !ok {
		return false
	}
	for _, d := range defaults {
		if d == "name" {
			return false
		}
	}
	return true
}

func (s *Server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	r, _, err := s.resourceFor(req.GetUrn())
	if err != nil {
		return nil, err
	}
	in, err := Decode(req.GetProperties())
	if err != nil {
		return nil, err
	}
	delete(in, DefaultsKey)
	if req.GetPreview() {
		out := Props{}
		for k, v := range in {
			out[k] = v
		}
		for _, k := range r.Spec().Computed {
			out[k] = Unknown{}
		}
		for _, k := range r.Spec().Filled {
			if _, ok := out[k]; !ok {
				out[k] = Unknown{}
			}
		}
		props, err := Encode(out)
		return &pulumirpc.CreateResponse{Properties: props}, err
	}
	id, out, err := r.Create(ctx, req.GetUrn(), in)
	var initErr *InitError
	if errors.As(err, &initErr) && id != "" {
		props, perr := Encode(out)
		if perr != nil {
			return nil, perr
		}
		return nil, rpcerror.WithDetails(rpcerror.New(codes.Unknown, initErr.Reason),
			&pulumirpc.ErrorResourceInitFailed{Id: id, Properties: props, Reasons: []string{initErr.Reason}, Inputs: req.GetProperties()})
	}
	if err != nil {
		return nil, err
	}
	props, err := Encode(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (s *Server) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	r, _, err := s.resourceFor(req.GetUrn())
	if err != nil {
		return nil, err
	}
	state, err := Decode(req.GetProperties())
	if err != nil {
		return nil, err
	}
	out, exists, err := r.Read(ctx, req.GetId(), state)
	if err != nil {
		return nil, err
	}
	if !exists {
		return &pulumirpc.ReadResponse{}, nil
	}
	props, err := Encode(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: props, Inputs: req.GetInputs()}, nil
}

func (s *Server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	r, typ, err := s.resourceFor(req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := Decode(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := Decode(req.GetNews())
	if err != nil {
		return nil, err
	}
	delete(news, DefaultsKey)
	if req.GetPreview() {
		props, err := Encode(MergeInputs(r.Spec(), olds, news))
		return &pulumirpc.UpdateResponse{Properties: props}, err
	}
	u, ok := r.(Updater)
	if !ok {
		return nil, fmt.Errorf("%s cannot be updated in place", typ)
	}
	out, err := u.Update(ctx, req.GetId(), olds, news)
	// An update that changed the object and failed after: a partial failure with the
	// state it returned, as the bridge does (BR provider.go Update, initializationError).
	var initErr *InitError
	if errors.As(err, &initErr) && out != nil {
		props, perr := Encode(out)
		if perr != nil {
			return nil, perr
		}
		return nil, rpcerror.WithDetails(rpcerror.New(codes.Unknown, initErr.Reason),
			&pulumirpc.ErrorResourceInitFailed{Id: req.GetId(), Properties: props, Reasons: []string{initErr.Reason}, Inputs: req.GetNews()})
	}
	if err != nil {
		return nil, err
	}
	props, err := Encode(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (s *Server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	r, _, err := s.resourceFor(req.GetUrn())
	if err != nil {
		return nil, err
	}
	state, err := Decode(req.GetProperties())
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, r.Delete(ctx, req.GetId(), state)
}

// DiffProps is the diff of a resource's state (olds) against the program's
// inputs (news): the changed inputs, and those that force a replacement.
func DiffProps(spec Spec, olds, news Props, canUpdate bool, ignoreChanges ...string) (diffs, replaces []string) {
	ignore := map[string]bool{}
	for _, k := range ignoreChanges {
		if path := strings.Split(k, "."); len(path) > 1 {
			// A nested path: the bridge drops the attribute diffs under it
			// (pulumi-terraform-bridge v3.136.0 pkg/tfshim/sdk-v2/instance_diff.go:95-109).
			olds, news = dropPath(olds, path), dropPath(news, path)
			continue
		}
		ignore[k] = true
	}
	filled := map[string]bool{}
	for _, k := range spec.Filled {
		filled[k] = true
	}
	for k, forceNew := range spec.Inputs {
		if ignore[k] {
			continue
		}
		o, hasOld := olds[k]
		n, hasNew := news[k]
		if !hasOld && !hasNew {
			continue
		}
		// Left out by the program: a filled input keeps what the engine
		// has; any other compares as its zero value, as Terraform does.
		if !hasNew && (filled[k] || isZero(o)) {
			continue
		}
		if !HasUnknown(n) && reflect.DeepEqual(normalize(o), normalize(n)) {
			continue
		}
		diffs = append(diffs, k)
		if forceNew || !canUpdate || (spec.Replaces != nil && spec.Replaces(k, o, n)) {
			replaces = append(replaces, k)
		}
	}
	sort.Strings(diffs)
	sort.Strings(replaces)
	return diffs, replaces
}

// dropPath is p without the value at a nested object path (maps copied on the way).
func dropPath(p Props, path []string) Props {
	if p == nil {
		return p
	}
	if _, ok := p[path[0]]; !ok {
		return p
	}
	out := Copy(p)
	if len(path) == 1 {
		delete(out, path[0])
		return out
	}
	if inner, ok := p[path[0]].(map[string]any); ok {
		out[path[0]] = map[string]any(dropPath(inner, path[1:]))
	}
	return out
}
