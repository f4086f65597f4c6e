package docker

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shipyard/plugins/internal/rpc"
)

// uploadsTar packs the container's uploads into a tar stream rooted at "/".
func uploadsTar(ups []rpc.Props) (*bytes.Reader, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, u := range ups {
		file := strings.TrimPrefix(rpc.Str(u, "file"), "/")
		if file == "" {
			return nil, fmt.Errorf("uploads: file is required")
		}
		var content []byte
		if b64 := rpc.Str(u, "contentBase64"); b64 != "" {
			d, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				return nil, fmt.Errorf("uploads %s: contentBase64: %w", file, err)
			}
			content = d
		} else {
			content = []byte(rpc.Str(u, "content"))
		}
		mode := int64(0o644)
		if rpc.Bool(u, "executable") {
			mode = 0o744 // upstream: executable -> 0744 (resource_docker_container_funcs.go:554-555)
		}
		if p := rpc.Str(u, "permissions"); p != "" {
			m, err := strconv.ParseInt(p, 8, 32)
			if err != nil {
				return nil, fmt.Errorf("uploads %s: permissions %q is not octal such as 0640", file, p)
			}
			mode = m
		}
		hdr := &tar.Header{Name: file, Mode: mode, Size: int64(len(content)), ModTime: time.Unix(0, 0)}
		if o := rpc.Str(u, "owner"); o != "" {
			if uid, err := strconv.Atoi(o); err == nil {
				hdr.Uid = uid
			}
		}
		if g := rpc.Str(u, "group"); g != "" {
			if gid, err := strconv.Atoi(g); err == nil {
				hdr.Gid = gid
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(content); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return bytes.NewReader(buf.Bytes()), nil
}
