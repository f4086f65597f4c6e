package docker

import (
	"context"
	"net/http"
	"time"

	"shipyard/plugins/internal/dockerapi"
)

func isGone(err error) bool { return dockerapi.IsNotFound(err) }

// retryConflict retries f while the engine answers "in use" (409, or 403 for
// networks with active endpoints), for up to 30 seconds.
func retryConflict(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f()
		e, ok := err.(*dockerapi.Error)
		if err == nil || !ok || (e.Status != http.StatusConflict && e.Status != http.StatusForbidden) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
}
