// Package random implements random:index/randomPassword:RandomPassword and
// random:index/randomString:RandomString: values generated once and kept in state.
package random

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"shipyard/plugins/internal/rpc"
)

// String generates RandomPassword and RandomString (same inputs, same output key).
type String struct{}

func (String) Spec() rpc.Spec {
	in := map[string]bool{}
	for _, k := range []string{"length", "special", "upper", "lower", "numeric", "number", "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial", "keepers"} {
		in[k] = true
	}
	return rpc.Spec{
		Inputs:   in,
		Defaults: rpc.Props{"special": true, "upper": true, "lower": true, "numeric": true, "minLower": 0.0, "minUpper": 0.0, "minNumeric": 0.0, "minSpecial": 0.0},
		Required: []string{"length"},
		Computed: []string{"result"},
		Validate: func(in rpc.Props) []rpc.Failure {
			if n, ok := in["length"].(float64); ok && (n < 1 || n > 4096) {
				return []rpc.Failure{{Property: "length", Reason: fmt.Sprintf("length is %v; allowed: 1 to 4096", n)}}
			}
			return nil
		},
	}
}

const (
	lowers  = "abcdefghijklmnopqrstuvwxyz"
	uppers  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits  = "0123456789"
	special = "!@#$%&*()-_=+[]{}<>:?"
)

func pick(set string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, err
	}
	return set[i.Int64()], nil
}

// Generate builds a string of the given length honouring the minimums.
func Generate(in rpc.Props) (string, error) {
	length := int(rpc.Num(in, "length"))
	numeric := rpc.Bool(in, "numeric")
	if v, ok := in["number"].(bool); ok {
		numeric = numeric && v
	}
	sp := special
	if o := rpc.Str(in, "overrideSpecial"); o != "" {
		sp = o
	}
	type class struct {
		set string
		on  bool
		min int
	}
	classes := []class{
		{lowers, rpc.Bool(in, "lower"), int(rpc.Num(in, "minLower"))},
		{uppers, rpc.Bool(in, "upper"), int(rpc.Num(in, "minUpper"))},
		{digits, numeric, int(rpc.Num(in, "minNumeric"))},
		{sp, rpc.Bool(in, "special"), int(rpc.Num(in, "minSpecial"))},
	}
	var all string
	var out []byte
	for _, c := range classes {
		if !c.on {
			continue
		}
		all += c.set
		for i := 0; i < c.min; i++ {
			b, err := pick(c.set)
			if err != nil {
				return "", err
			}
			out = append(out, b)
		}
	}
	if all == "" {
		return "", fmt.Errorf("every character class is turned off; enable at least one of lower, upper, numeric, special")
	}
	for len(out) < length {
		b, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, b)
	}
	// Shuffle so the required characters are not all at the front.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func (String) Create(_ context.Context, _ string, in rpc.Props) (string, rpc.Props, error) {
	res, err := Generate(in)
	if err != nil {
		return "", nil, err
	}
	out := rpc.Copy(in)
	out["result"] = res
	return "none", out, nil
}

func (String) Read(_ context.Context, _ string, state rpc.Props) (rpc.Props, bool, error) {
	return state, true, nil
}

func (String) Delete(context.Context, string, rpc.Props) error { return nil }
