// Package command implements command:local:Command: shell commands run on
// create, update and delete, with their output kept as outputs.
package command

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"

	"shipyard/plugins/internal/rpc"
)

// Local is command:local:Command.
type Local struct{}

func (Local) Spec() rpc.Spec {
	return rpc.Spec{
		Inputs: map[string]bool{
			"create": false, "update": false, "delete": false, "dir": false, "environment": false,
			"interpreter": false, "stdin": false, "triggers": true, "addPreviousOutputInEnv": false, "logging": false,
		},
		Defaults: rpc.Props{"addPreviousOutputInEnv": true},
		Computed: []string{"stdout", "stderr"},
	}
}

func run(ctx context.Context, script string, in rpc.Props, prev rpc.Props) (string, string, error) {
	interp := rpc.Strings(in, "interpreter")
	if len(interp) == 0 {
		interp = []string{"/bin/sh", "-c"}
	}
	cmd := exec.CommandContext(ctx, interp[0], append(interp[1:], script)...)
	cmd.Dir = rpc.Str(in, "dir")
	env := os.Environ()
	keys := make([]string, 0)
	vars := rpc.StrMap(in, "environment")
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+vars[k])
	}
	if prev != nil && rpc.Bool(in, "addPreviousOutputInEnv") {
		env = append(env, "PULUMI_COMMAND_STDOUT="+rpc.Str(prev, "stdout"), "PULUMI_COMMAND_STDERR="+rpc.Str(prev, "stderr"))
	}
	cmd.Env = env
	if s := rpc.Str(in, "stdin"); s != "" {
		cmd.Stdin = strings.NewReader(s)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	so, se := strings.TrimRight(stdout.String(), "\n"), strings.TrimRight(stderr.String(), "\n")
	if err != nil {
		return so, se, fmt.Errorf("command failed: %w\nstdout:\n%s\nstderr:\n%s", err, so, se)
	}
	return so, se, nil
}

func (Local) Create(ctx context.Context, _ string, in rpc.Props) (string, rpc.Props, error) {
	out := rpc.Copy(in)
	out["stdout"], out["stderr"] = "", ""
	if c := rpc.Str(in, "create"); c != "" {
		so, se, err := run(ctx, c, in, nil)
		if err != nil {
			return "", nil, err
		}
		out["stdout"], out["stderr"] = so, se
	}
	return fmt.Sprintf("cmd-%x", len(rpc.Str(in, "create"))) + randomID(), out, nil
}

func (Local) Read(_ context.Context, _ string, state rpc.Props) (rpc.Props, bool, error) {
	return state, true, nil
}

// Update runs "update" (or "create" when there is no update command).
func (Local) Update(ctx context.Context, _ string, state, news rpc.Props) (rpc.Props, error) {
	out := rpc.Copy(news)
	script := rpc.Str(news, "update")
	if script == "" {
		script = rpc.Str(news, "create")
	}
	out["stdout"], out["stderr"] = rpc.Str(state, "stdout"), rpc.Str(state, "stderr")
	if script != "" {
		so, se, err := run(ctx, script, news, state)
		if err != nil {
			return nil, err
		}
		out["stdout"], out["stderr"] = so, se
	}
	return out, nil
}

func (Local) Delete(ctx context.Context, _ string, state rpc.Props) error {
	if d := rpc.Str(state, "delete"); d != "" {
		_, _, err := run(ctx, d, state, state)
		return err
	}
	return nil
}
