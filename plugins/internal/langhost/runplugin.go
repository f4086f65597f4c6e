package langhost

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// pluginModule is the @pulumi/pulumi entry point for each plugin kind.
func pluginModule(kind string) string {
	if kind == "analyzer" {
		return "@pulumi/pulumi/cmd/run-policy-pack"
	}
	return "@pulumi/pulumi/cmd/run-plugin"
}

// locate finds node_modules/<module> from dir upwards, as Node resolves it.
func locate(dir, module string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "node_modules", filepath.FromSlash(module))
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s not found in node_modules from %s upwards: "+
				"run npm install in %s", module, dir, dir)
		}
	}
}

// streamWriter sends what the plugin writes as RunPlugin responses.
type streamWriter struct {
	mu     *sync.Mutex
	ss     grpc.ServerStream
	stderr bool
}

func (w streamWriter) send(r *pulumirpc.RunPluginResponse) error {
	b, err := proto.Marshal(r)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ss.SendMsg(&frame{b: b})
}

func (w streamWriter) Write(p []byte) (int, error) {
	chunk := append([]byte(nil), p...)
	r := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: chunk}}
	if w.stderr {
		r.Output = &pulumirpc.RunPluginResponse_Stderr{Stderr: chunk}
	}
	if err := w.send(r); err != nil {
		return 0, err
	}
	return len(p), nil
}

// runPlugin starts a plugin written in Node.js (a policy pack, or a provider)
// with the program's own @pulumi/pulumi, streams its output and exit code.
func runPlugin(ss grpc.ServerStream) error {
	in := &frame{}
	if err := ss.RecvMsg(in); err != nil {
		return err
	}
	req := &pulumirpc.RunPluginRequest{}
	if err := proto.Unmarshal(in.b, req); err != nil {
		return err
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	module, err := locate(dir, pluginModule(req.GetKind()))
	if err != nil {
		return err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("node not found on PATH: %w", err)
	}
	args := append([]string{module}, req.GetArgs()...)
	args = append(args, ".")
	cmd := exec.CommandContext(ss.Context(), node, args...)
	cmd.Dir = dir
	cmd.Env = req.GetEnv()
	if len(cmd.Env) == 0 {
		cmd.Env = os.Environ()
	}
	mu := &sync.Mutex{}
	out := streamWriter{mu: mu, ss: ss}
	cmd.Stdout = out
	cmd.Stderr = streamWriter{mu: mu, ss: ss, stderr: true}
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		code = int32(exit.ExitCode())
	}
	return out.send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}
