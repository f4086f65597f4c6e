package rpc

// Small typed readers for plain property values.

// Str returns p[k] as a string ("" when absent or not a string).
func Str(p Props, k string) string {
	s, _ := p[k].(string)
	return s
}

// Bool returns p[k] as a bool.
func Bool(p Props, k string) bool {
	b, _ := p[k].(bool)
	return b
}

// Num returns p[k] as a number (0 when absent).
func Num(p Props, k string) float64 {
	switch n := p[k].(type) {
	case float64:
		return n
	case int:
		return float64(n)
	}
	return 0
}

// List returns p[k] as a list.
func List(p Props, k string) []any {
	l, _ := p[k].([]any)
	return l
}

// Strings returns p[k] as a list of strings.
func Strings(p Props, k string) []string {
	var out []string
	for _, e := range List(p, k) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Obj returns p[k] as an object.
func Obj(p Props, k string) Props {
	o, _ := p[k].(map[string]any)
	return o
}

// Objs returns p[k] as a list of objects.
func Objs(p Props, k string) []Props {
	var out []Props
	for _, e := range List(p, k) {
		if o, ok := e.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

// StrMap returns p[k] as a map of strings.
func StrMap(p Props, k string) map[string]string {
	out := map[string]string{}
	for key, v := range Obj(p, k) {
		if s, ok := v.(string); ok {
			out[key] = s
		}
	}
	return out
}

// Copy returns a shallow copy of p.
func Copy(p Props) Props {
	out := Props{}
	for k, v := range p {
		out[k] = v
	}
	return out
}
