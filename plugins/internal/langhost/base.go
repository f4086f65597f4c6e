// Package langhost is a forwarding nodejs language host that adds RunPlugin.
package langhost

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// BaseEnv names the base language host explicitly; by default it is
// pulumi-language-nodejs-base beside this executable.
const BaseEnv = "SHIPYARD_NODEJS_BASE_HOST"

func basePath() (string, error) {
	if p := os.Getenv(BaseEnv); p != "" {
		return p, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	p := filepath.Join(filepath.Dir(self), "pulumi-language-nodejs-base")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("base language host not found at %s (set %s)", p, BaseEnv)
	}
	return p, nil
}

// startBase runs the base host with the CLI's arguments and returns the port
// it announced on its first stdout line. It dies with this process.
func startBase(args []string) (string, *exec.Cmd, error) {
	bin, err := basePath()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return "", nil, fmt.Errorf("%s did not announce its port: %w", bin, err)
	}
	// Anything the base host prints later goes to our stdout unchanged.
	go func() { _, _ = r.WriteTo(os.Stdout) }()
	return strings.TrimSpace(line), cmd, nil
}
