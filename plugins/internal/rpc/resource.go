package rpc

import "context"

// Failure is one invalid input: the property and what is wrong with it.
type Failure struct {
	Property string
	Reason   string
}

// Spec describes a resource type's inputs.
type Spec struct {
	// Inputs lists every accepted input; the value says whether a change to it
	// forces a replacement (true) or can be applied in place (false).
	Inputs map[string]bool
	// Defaults fill inputs the program left out.
	Defaults Props
	// Required inputs must be present.
	Required []string
	// Computed outputs are unknown until the resource exists.
	Computed []string
	// Filled inputs are set from the engine when the program leaves them
	// out (Terraform's Optional+Computed): absent in news, they never diff,
	// and a preview shows them as unknown.
	Filled []string
	// AutoName gives "name" a default of the resource name plus a random suffix.
	AutoName bool
	// DeleteBeforeReplace removes the old resource before creating its
	// replacement (fixed names and host ports cannot exist twice).
	DeleteBeforeReplace bool
	// Prepare fills nested defaults after the top-level ones (Terraform's
	// Default on attributes inside blocks), so a diff compares like with like.
	Prepare func(in Props)
	// Replaces reports whether a change to an in-place input k still forces
	// a replacement (a ForceNew attribute nested inside it).
	Replaces func(k string, o, n any) bool
	// Validate checks known input values; unknown values are skipped.
	Validate func(in Props) []Failure
}

// Resource is one resource type's implementation. Outputs must carry every
// input under the same key (so a diff against state sees drift), plus the
// computed outputs.
type Resource interface {
	Spec() Spec
	Create(ctx context.Context, urn string, in Props) (id string, out Props, err error)
	// Read returns the current outputs, or exists=false when the object is gone.
	Read(ctx context.Context, id string, state Props) (out Props, exists bool, err error)
	Delete(ctx context.Context, id string, state Props) error
}

// Updater is implemented by resources that can apply some changes in place.
type Updater interface {
	Update(ctx context.Context, id string, state, news Props) (Props, error)
}

// MergeInputs is the state after an in-place update: the old outputs with
// every input key taken from news, and dropped where news lacks it, except a
// Filled input (Optional+Computed): the program left it out, so it keeps the
// value read from the engine before, as Terraform's planned state keeps a
// computed attribute the configuration does not set.
func MergeInputs(spec Spec, state, news Props) Props {
	out := Copy(state)
	filled := map[string]bool{}
	for _, k := range spec.Filled {
		filled[k] = true
	}
	for k := range spec.Inputs {
		if v, ok := news[k]; ok {
			out[k] = v
		} else if !filled[k] {
			delete(out, k)
		}
	}
	return out
}

// InitError is a create that made the object but failed after: the engine
// keeps the object in the state with the reason (Pulumi's
// ErrorResourceInitFailed), as the bridge does for a Terraform create that set
// its ID before failing.
type InitError struct{ Reason string }

func (e *InitError) Error() string { return e.Reason }
