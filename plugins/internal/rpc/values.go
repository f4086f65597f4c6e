// Package rpc turns a set of Go resource implementations into a Pulumi
// resource provider plugin (the gRPC ResourceProvider protocol).
//
// Values cross the boundary as plain Go values (map[string]any, []any,
// string, float64, bool, nil). A value not known during preview is Unknown.
package rpc

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
)

// Unknown stands for a value that is not known yet (preview).
type Unknown struct{}

// Props is the plain-value form of a property map.
type Props = map[string]any

func fromPV(v resource.PropertyValue) any {
	switch {
	case v.IsNull():
		return nil
	case v.IsComputed():
		return Unknown{}
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return Unknown{}
		}
		return fromPV(o.Element)
	case v.IsSecret():
		return fromPV(v.SecretValue().Element)
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = fromPV(e)
		}
		return out
	case v.IsObject():
		return fromPM(v.ObjectValue())
	case v.IsResourceReference():
		ref := v.ResourceReferenceValue()
		if id, ok := ref.IDString(); ok {
			return id
		}
		return string(ref.URN)
	}
	return nil
}

func fromPM(m resource.PropertyMap) Props {
	out := Props{}
	for k, v := range m {
		if v.IsNull() {
			continue
		}
		out[string(k)] = fromPV(v)
	}
	return out
}

func toPV(v any) resource.PropertyValue {
	switch t := v.(type) {
	case nil:
		return resource.NewNullProperty()
	case Unknown:
		return resource.MakeComputed(resource.NewStringProperty(""))
	case bool:
		return resource.NewBoolProperty(t)
	case float64:
		return resource.NewNumberProperty(t)
	case int:
		return resource.NewNumberProperty(float64(t))
	case int64:
		return resource.NewNumberProperty(float64(t))
	case string:
		return resource.NewStringProperty(t)
	case []string:
		arr := make([]resource.PropertyValue, len(t))
		for i, e := range t {
			arr[i] = resource.NewStringProperty(e)
		}
		return resource.NewArrayProperty(arr)
	case []any:
		arr := make([]resource.PropertyValue, len(t))
		for i, e := range t {
			arr[i] = toPV(e)
		}
		return resource.NewArrayProperty(arr)
	case map[string]any:
		return resource.NewObjectProperty(toPM(t))
	case map[string]string:
		m := resource.PropertyMap{}
		for k, e := range t {
			m[resource.PropertyKey(k)] = resource.NewStringProperty(e)
		}
		return resource.NewObjectProperty(m)
	}
	return resource.NewNullProperty()
}

func toPM(p Props) resource.PropertyMap {
	m := resource.PropertyMap{}
	for k, v := range p {
		if v == nil {
			continue
		}
		m[resource.PropertyKey(k)] = toPV(v)
	}
	return m
}

var unmarshalOpts = plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true, KeepResources: true}

// Decode turns a wire struct into plain values.
func Decode(s *structpb.Struct) (Props, error) {
	if s == nil {
		return Props{}, nil
	}
	pm, err := plugin.UnmarshalProperties(s, unmarshalOpts)
	if err != nil {
		return nil, err
	}
	return fromPM(pm), nil
}

// Encode turns plain values into a wire struct.
func Encode(p Props) (*structpb.Struct, error) {
	return plugin.MarshalProperties(toPM(p), plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true})
}

// HasUnknown reports whether v or anything inside it is Unknown.
func HasUnknown(v any) bool {
	switch t := v.(type) {
	case Unknown:
		return true
	case []any:
		for _, e := range t {
			if HasUnknown(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range t {
			if HasUnknown(e) {
				return true
			}
		}
	}
	return false
}
