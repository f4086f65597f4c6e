package dockerapi

import (
	"os"
	"path/filepath"
	"testing"
)

func TestContextHostAsUpstream(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, ".docker", "contexts", "meta", "abc")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	meta := `{"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2375","SkipTLSVerify":false}}}`
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	if h, err := ContextHost("remote", home); err != nil || h != "tcp://10.0.0.5:2375" {
		t.Errorf("got %q, %v", h, err)
	}
	if _, err := ContextHost("default", home); err == nil || err.Error() != "context 'default' not found" {
		t.Errorf("the default context is not in the store, upstream fails on it; got %v", err)
	}
}
