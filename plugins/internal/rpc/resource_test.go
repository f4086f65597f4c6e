package rpc

import (
	"reflect"
	"testing"
)

// After an in-place update, an input the program leaves out keeps the engine's value
// when it is Optional+Computed (Filled), and is dropped otherwise.
func TestMergeInputsKeepsFilledValues(t *testing.T) {
	spec := Spec{Inputs: map[string]bool{"image": true, "user": true, "memory": false, "dns": true}, Filled: []string{"user"}}
	state := Props{"image": "a:1", "user": "app", "memory": 256.0, "dns": []any{"1.1.1.1"}, "id": "c1"}
	news := Props{"image": "a:1", "memory": 512.0}
	got := MergeInputs(spec, state, news)
	want := Props{"image": "a:1", "user": "app", "memory": 512.0, "id": "c1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MergeInputs = %v, want %v", got, want)
	}
}
