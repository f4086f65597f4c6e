package dockerapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Logs returns the last n lines a container printed (stdout and stderr).
func (c *Client) Logs(ctx context.Context, id string, n int) (string, error) {
	q := url.Values{"stdout": {"1"}, "stderr": {"1"}, "tail": {strconv.Itoa(n)}}
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/containers/"+id+"/logs?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode >= 400 {
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	// Without a TTY the stream is multiplexed: 8-byte frame headers.
	var b strings.Builder
	for len(data) >= 8 && (data[0] == 1 || data[0] == 2) {
		size := int(data[4])<<24 | int(data[5])<<16 | int(data[6])<<8 | int(data[7])
		data = data[8:]
		if size > len(data) {
			size = len(data)
		}
		b.Write(data[:size])
		data = data[size:]
	}
	b.Write(data)
	return b.String(), nil
}
