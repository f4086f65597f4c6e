package dockerapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Concurrent first requests all speak the engine's version: none sees the
// client's own maximum before negotiation lowered it (a 20.10 engine refuses
// /v1.51 with "client version 1.51 is too new").
func TestConcurrentFirstRequestsSpeakTheNegotiatedVersion(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/version" {
			time.Sleep(50 * time.Millisecond)
			_, _ = w.Write([]byte(`{"ApiVersion":"1.41"}`))
			return
		}
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c, err := New("tcp://" + strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Do(context.Background(), "GET", "/info", nil, nil, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(paths) != 16 {
		t.Fatalf("%d requests reached the engine, want 16", len(paths))
	}
	for _, p := range paths {
		if p != "/v1.41/info" {
			t.Errorf("request to %s, want /v1.41/info", p)
		}
	}
}

// The client speaks the lower of its own cap and the engine's version: a
// newer engine (Docker 29 answers 1.52 to 1.55) gets the cap, which is what
// upstream's client speaks there too.
func TestNegotiatedVersionIsTheLowerOfCapAndEngine(t *testing.T) {
	for _, tc := range []struct{ engine, want string }{
		{"1.41", "1.41"}, {"1.47", "1.47"}, {"1.51", "1.51"}, {"1.52", "1.51"}, {"1.55", "1.51"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"ApiVersion":"` + tc.engine + `"}`))
		}))
		c, err := New("tcp://" + strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Version(context.Background())
		srv.Close()
		if err != nil || got != tc.want {
			t.Errorf("engine %s: spoke %q (%v), want %s", tc.engine, got, err, tc.want)
		}
	}
}
