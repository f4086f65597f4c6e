package docker

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"shipyard/plugins/internal/dockerapi"
	"shipyard/plugins/internal/rpc"
)

// URNLabel marks engine objects with the Pulumi resource that made them, so an
// interrupted deployment can recognise its own leftovers.
const URNLabel = "io.shipyard.pulumi-urn"

// SystemLabel is the system a container belongs to (set by the components).
const SystemLabel = "io.shipyard.system"

// Container is docker:index/container:Container.
type Container struct{ E *Engine }

// In-place updatable inputs; every other input forces a replacement.
var containerInPlace = map[string]bool{
	"restart": true, "memory": true, "memorySwap": true, "cpuShares": true, "cpus": true,
	"maxRetryCount": true, "wait": true, "waitTimeout": true, "mustRun": true,
	"destroyGraceSeconds": true, "containerReadRefreshTimeoutMilliseconds": true,
}

func (Container) Spec() rpc.Spec {
	inputs := map[string]bool{}
	for _, k := range []string{
		"name", "image", "command", "entrypoints", "envs", "labels", "networksAdvanced", "networkMode",
		"volumes", "mounts", "ports", "healthcheck", "user", "workingDir", "hostname", "domainname",
		"readOnly", "tmpfs", "capabilities", "securityOpts", "privileged", "uploads", "start",
		"logDriver", "logOpts", "stopSignal", "stopTimeout", "init", "shmSize", "dns", "hosts",
		"sysctls", "ulimits", "groupAdds", "pidMode", "ipcMode", "publishAllPorts", "cpuSet",
		"memoryReservation",
	} {
		inputs[k] = true
	}
	for k := range containerInPlace {
		inputs[k] = false
	}
	return rpc.Spec{
		Inputs:   inputs,
		Defaults: rpc.Props{"restart": "no", "mustRun": true, "start": true, "wait": false, "waitTimeout": 60.0},
		Required: []string{"image"},
		AutoName: true,
		// Container names are unique on an engine: the old one must go first.
		DeleteBeforeReplace: true,
		Validate:            validateContainer,
	}
}

func validateContainer(in rpc.Props) []rpc.Failure {
	f := labelsValid(in)
	if r, ok := in["restart"].(string); ok {
		switch r {
		case "no", "on-failure", "always", "unless-stopped":
		default:
			f = append(f, rpc.Failure{Property: "restart", Reason: fmt.Sprintf("restart is %q; allowed: no, on-failure, always, unless-stopped", r)})
		}
	}
	if hc := rpc.Obj(in, "healthcheck"); hc != nil {
		for _, k := range []string{"interval", "timeout", "startPeriod", "startInterval"} {
			if s, ok := hc[k].(string); ok && s != "" {
				if _, err := time.ParseDuration(s); err != nil {
					f = append(f, rpc.Failure{Property: "healthcheck." + k, Reason: fmt.Sprintf("healthcheck.%s %q is not a duration such as 10s or 1m30s", k, s)})
				}
			}
		}
	}
	return f
}

func dur(s string) int64 {
	d, _ := time.ParseDuration(s)
	return int64(d)
}

// healthBody is the engine's HealthConfig, for containers and service tasks.
func healthBody(hc rpc.Props) map[string]any {
	return map[string]any{
		"Test":          rpc.Strings(hc, "tests"),
		"Interval":      dur(rpc.Str(hc, "interval")),
		"Timeout":       dur(rpc.Str(hc, "timeout")),
		"StartPeriod":   dur(rpc.Str(hc, "startPeriod")),
		"StartInterval": dur(rpc.Str(hc, "startInterval")),
		"Retries":       int(rpc.Num(hc, "retries")),
	}
}

func containerBody(urn string, in rpc.Props) map[string]any {
	labels := labelMap(in)
	labels[URNLabel] = urn
	cfg := map[string]any{
		"Image":  rpc.Str(in, "image"),
		"Env":    rpc.Strings(in, "envs"),
		"Labels": labels,
	}
	if v := rpc.Strings(in, "command"); len(v) > 0 {
		cfg["Cmd"] = v
	}
	if v := rpc.Strings(in, "entrypoints"); len(v) > 0 {
		cfg["Entrypoint"] = v
	}
	for k, api := range map[string]string{"user": "User", "workingDir": "WorkingDir", "hostname": "Hostname", "domainname": "Domainname", "stopSignal": "StopSignal"} {
		if v := rpc.Str(in, k); v != "" {
			cfg[api] = v
		}
	}
	if _, ok := in["stopTimeout"]; ok {
		cfg["StopTimeout"] = int(rpc.Num(in, "stopTimeout"))
	}
	if hc := rpc.Obj(in, "healthcheck"); hc != nil {
		cfg["Healthcheck"] = healthBody(hc)
	}
	host := map[string]any{
		"RestartPolicy":   map[string]any{"Name": rpc.Str(in, "restart"), "MaximumRetryCount": int(rpc.Num(in, "maxRetryCount"))},
		"ReadonlyRootfs":  rpc.Bool(in, "readOnly"),
		"Privileged":      rpc.Bool(in, "privileged"),
		"PublishAllPorts": rpc.Bool(in, "publishAllPorts"),
		"SecurityOpt":     rpc.Strings(in, "securityOpts"),
		"Dns":             rpc.Strings(in, "dns"),
		"GroupAdd":        rpc.Strings(in, "groupAdds"),
	}
	if rpc.Bool(in, "init") {
		host["Init"] = true
	}
	if v := rpc.Num(in, "memory"); v > 0 {
		host["Memory"] = int64(v) * 1024 * 1024
	}
	if v := rpc.Num(in, "memoryReservation"); v > 0 {
		host["MemoryReservation"] = int64(v) * 1024 * 1024
	}
	if v := rpc.Num(in, "memorySwap"); v != 0 {
		host["MemorySwap"] = int64(v) * 1024 * 1024
	}
	if v := rpc.Num(in, "cpuShares"); v > 0 {
		host["CpuShares"] = int64(v)
	}
	if v := rpc.Str(in, "cpus"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			host["NanoCpus"] = int64(f * 1e9)
		}
	}
	if v := rpc.Str(in, "cpuSet"); v != "" {
		host["CpusetCpus"] = v
	}
	if v := rpc.Num(in, "shmSize"); v > 0 {
		host["ShmSize"] = int64(v) * 1024 * 1024
	}
	for k, api := range map[string]string{"pidMode": "PidMode", "ipcMode": "IpcMode"} {
		if v := rpc.Str(in, k); v != "" {
			host[api] = v
		}
	}
	if t := rpc.StrMap(in, "tmpfs"); len(t) > 0 {
		host["Tmpfs"] = t
	}
	if s := rpc.StrMap(in, "sysctls"); len(s) > 0 {
		host["Sysctls"] = s
	}
	if caps := rpc.Obj(in, "capabilities"); caps != nil {
		host["CapAdd"] = rpc.Strings(caps, "adds")
		host["CapDrop"] = rpc.Strings(caps, "drops")
	}
	if d := rpc.Str(in, "logDriver"); d != "" {
		host["LogConfig"] = map[string]any{"Type": d, "Config": rpc.StrMap(in, "logOpts")}
	}
	var extraHosts []string
	for _, h := range rpc.Objs(in, "hosts") {
		extraHosts = append(extraHosts, rpc.Str(h, "host")+":"+rpc.Str(h, "ip"))
	}
	host["ExtraHosts"] = extraHosts
	var ulimits []map[string]any
	for _, u := range rpc.Objs(in, "ulimits") {
		ulimits = append(ulimits, map[string]any{"Name": rpc.Str(u, "name"), "Soft": int64(rpc.Num(u, "soft")), "Hard": int64(rpc.Num(u, "hard"))})
	}
	host["Ulimits"] = ulimits
	var binds []string
	for _, v := range rpc.Objs(in, "volumes") {
		src := rpc.Str(v, "volumeName")
		if src == "" {
			src = rpc.Str(v, "hostPath")
		}
		b := src + ":" + rpc.Str(v, "containerPath")
		if rpc.Bool(v, "readOnly") {
			b += ":ro"
		}
		binds = append(binds, b)
	}
	host["Binds"] = binds
	var mounts []map[string]any
	for _, m := range rpc.Objs(in, "mounts") {
		mt := map[string]any{"Target": rpc.Str(m, "target"), "Source": rpc.Str(m, "source"), "Type": rpc.Str(m, "type"), "ReadOnly": rpc.Bool(m, "readOnly")}
		if t := rpc.Obj(m, "tmpfsOptions"); t != nil {
			mt["TmpfsOptions"] = map[string]any{"SizeBytes": int64(rpc.Num(t, "sizeBytes")), "Mode": int(rpc.Num(t, "mode"))}
		}
		mounts = append(mounts, mt)
	}
	host["Mounts"] = mounts
	exposed := map[string]any{}
	bindings := map[string][]map[string]string{}
	for _, p := range rpc.Objs(in, "ports") {
		proto := rpc.Str(p, "protocol")
		if proto == "" {
			proto = "tcp"
		}
		key := fmt.Sprintf("%d/%s", int(rpc.Num(p, "internal")), proto)
		exposed[key] = map[string]any{}
		b := map[string]string{"HostIp": rpc.Str(p, "ip")}
		if ext := rpc.Num(p, "external"); ext > 0 {
			b["HostPort"] = strconv.Itoa(int(ext))
		}
		bindings[key] = append(bindings[key], b)
	}
	cfg["ExposedPorts"] = exposed
	host["PortBindings"] = bindings
	nets := rpc.Objs(in, "networksAdvanced")
	mode := rpc.Str(in, "networkMode")
	if mode == "" && len(nets) > 0 {
		mode = rpc.Str(nets[0], "name")
	}
	if mode != "" {
		host["NetworkMode"] = mode
	}
	if len(nets) > 0 {
		cfg["NetworkingConfig"] = map[string]any{"EndpointsConfig": map[string]any{rpc.Str(nets[0], "name"): endpoint(nets[0])}}
	}
	cfg["HostConfig"] = host
	return cfg
}

func endpoint(n rpc.Props) map[string]any {
	ep := map[string]any{"Aliases": rpc.Strings(n, "aliases")}
	if ip := rpc.Str(n, "ipv4Address"); ip != "" {
		ep["IPAMConfig"] = map[string]any{"IPv4Address": ip}
	}
	return ep
}

type containerInspect struct {
	ID    string
	Name  string
	Image string
	State struct {
		Running    bool
		Restarting bool
		Status     string
		ExitCode   int
		StartedAt  string
		Health     *struct {
			Status string
			Log    []struct{ Output string }
		}
	}
	Config struct {
		Image  string
		Env    []string
		Labels map[string]string
	}
}

func (c Container) Create(ctx context.Context, urn string, in rpc.Props) (string, rpc.Props, error) {
	cl, err := c.E.Client()
	if err != nil {
		return "", nil, err
	}
	name := rpc.Str(in, "name")
	body := containerBody(urn, in)
	var resp struct{ Id string }
	q := url.Values{"name": {name}}
	err = cl.Do(ctx, "POST", "/containers/create", q, body, &resp)
	if dockerapi.IsConflict(err) {
		// The name is taken. A container left behind by an interrupted run of
		// this same resource, or one recreated by hand that still claims this
		// system (its io.shipyard.system label), is replaced; anyone else's is
		// left alone and named in the error.
		var old containerInspect
		if ierr := cl.Do(ctx, "GET", "/containers/"+name+"/json", nil, nil, &old); ierr == nil {
			sys := labelMap(in)[SystemLabel]
			if old.Config.Labels[URNLabel] == urn || (sys != "" && old.Config.Labels[SystemLabel] == sys) {
				_ = c.remove(ctx, cl, old.ID, 10)
				err = cl.Do(ctx, "POST", "/containers/create", q, body, &resp)
			} else if err != nil {
				return "", nil, fmt.Errorf("container %s: the name is taken by container %.12s, which does not belong to this stack; remove or rename it, then run up again", name, old.ID)
			}
		}
	}
	if err != nil {
		if dockerapi.IsNotFound(err) && strings.Contains(err.Error(), "image") {
			return "", nil, fmt.Errorf("container %s: image %s is not on this engine and cannot be pulled here; build it (scripts/images.sh) or set the image in config: %w", name, rpc.Str(in, "image"), err)
		}
		return "", nil, fmt.Errorf("container %s: %w", name, err)
	}
	id := resp.Id
	fail := func(err error) (string, rpc.Props, error) {
		_ = c.remove(context.Background(), cl, id, 0)
		return "", nil, fmt.Errorf("container %s: %w", name, err)
	}
	nets := rpc.Objs(in, "networksAdvanced")
	for i := 1; i < len(nets); i++ {
		body := map[string]any{"Container": id, "EndpointConfig": endpoint(nets[i])}
		if err := cl.Do(ctx, "POST", "/networks/"+url.PathEscape(rpc.Str(nets[i], "name"))+"/connect", nil, body, nil); err != nil {
			return fail(fmt.Errorf("connecting to network %s: %w", rpc.Str(nets[i], "name"), err))
		}
	}
	if ups := rpc.Objs(in, "uploads"); len(ups) > 0 {
		tarball, err := uploadsTar(ups)
		if err != nil {
			return fail(err)
		}
		if err := cl.Do(ctx, "PUT", "/containers/"+id+"/archive", url.Values{"path": {"/"}}, tarball, nil); err != nil {
			return fail(fmt.Errorf("uploading files: %w", err))
		}
	}
	if rpc.Bool(in, "start") {
		if err := cl.Do(ctx, "POST", "/containers/"+id+"/start", nil, nil, nil); err != nil {
			return fail(fmt.Errorf("starting: %w", err))
		}
		if rpc.Bool(in, "wait") {
			if err := c.waitHealthy(ctx, cl, id, time.Duration(rpc.Num(in, "waitTimeout"))*time.Second); err != nil {
				return fail(err)
			}
		}
	}
	return id, rpc.Copy(in), nil
}

// waitHealthy waits until the container's health check passes (or, without a
// health check, until it runs), and explains a failure with its last logs.
func (c Container) waitHealthy(ctx context.Context, cl *dockerapi.Client, id string, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	deadline := time.Now().Add(timeout)
	// Polled every 100 ms at most: a health check passes on the engine's
	// interval, and a longer poll (this was 1.6 s) adds its wait to every
	// step of a dependency chain. An inspect costs the engine about 1 ms.
	delay := 50 * time.Millisecond
	for {
		var insp containerInspect
		if err := cl.Do(ctx, "GET", "/containers/"+id+"/json", nil, nil, &insp); err != nil {
			return err
		}
		st := insp.State
		switch {
		case st.Health == nil && st.Running && !st.Restarting:
			return nil
		case st.Health != nil && st.Health.Status == "healthy":
			return nil
		case !st.Running && !st.Restarting && st.Status != "created":
			return fmt.Errorf("exited with code %d before becoming healthy; last output:\n%s", st.ExitCode, c.tail(ctx, cl, id))
		case st.Health != nil && st.Health.Status == "unhealthy":
			last := ""
			if n := len(st.Health.Log); n > 0 {
				last = strings.TrimSpace(st.Health.Log[n-1].Output)
			}
			return fmt.Errorf("health check failed: %s; last output:\n%s", last, c.tail(ctx, cl, id))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy after %s (state %s); last output:\n%s", timeout, st.Status, c.tail(ctx, cl, id))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		if delay < 100*time.Millisecond {
			delay = min(delay*2, 100*time.Millisecond)
		}
	}
}

func (c Container) tail(ctx context.Context, cl *dockerapi.Client, id string) string {
	logs, err := cl.Logs(ctx, id, 20)
	if err != nil {
		return "(logs unavailable: " + err.Error() + ")"
	}
	return logs
}

func (c Container) remove(ctx context.Context, cl *dockerapi.Client, id string, grace int) error {
	if grace > 0 {
		err := cl.Do(ctx, "POST", "/containers/"+id+"/stop", url.Values{"t": {strconv.Itoa(grace)}}, nil, nil)
		if err != nil && !isGone(err) && !strings.Contains(err.Error(), "304") {
			// fall through to a forced removal
			_ = err
		}
	}
	err := cl.Do(ctx, "DELETE", "/containers/"+id, url.Values{"force": {"true"}}, nil, nil)
	if isGone(err) {
		return nil
	}
	return err
}

func (c Container) Read(ctx context.Context, id string, state rpc.Props) (rpc.Props, bool, error) {
	cl, err := c.E.Client()
	if err != nil {
		return nil, false, err
	}
	var insp containerInspect
	if err := cl.Do(ctx, "GET", "/containers/"+id+"/json", nil, nil, &insp); err != nil {
		if isGone(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	// A container that must run but does not is treated as gone, so the next
	// update creates it again (as the upstream provider does).
	if _, ok := state["mustRun"]; (!ok || rpc.Bool(state, "mustRun")) && rpc.Bool(state, "start") && !insp.State.Running && !insp.State.Restarting {
		return nil, false, nil
	}
	out := rpc.Copy(state)
	// Environment drift: compare what runs with what was asked for, ignoring
	// what the image itself sets.
	var img struct{ Config struct{ Env []string } }
	_ = cl.Do(ctx, "GET", "/images/"+url.PathEscape(insp.Config.Image)+"/json", nil, nil, &img)
	if env := driftEnv(rpc.Strings(state, "envs"), insp.Config.Env, img.Config.Env); env != nil {
		out["envs"] = env
	}
	return out, true, nil
}

// driftEnv returns the running environment when it differs from the wanted
// one (image defaults aside), or nil when they agree.
func driftEnv(want, running, image []string) []any {
	wanted := map[string]bool{}
	for _, e := range want {
		wanted[e] = true
	}
	fromImage := map[string]bool{}
	for _, e := range image {
		fromImage[e] = true
	}
	var actual []string
	for _, e := range running {
		if fromImage[e] && !wanted[e] {
			continue
		}
		actual = append(actual, e)
	}
	a := append([]string(nil), actual...)
	w := append([]string(nil), want...)
	sort.Strings(a)
	sort.Strings(w)
	if strings.Join(a, "\x00") == strings.Join(w, "\x00") {
		return nil
	}
	out := make([]any, len(actual))
	for i, e := range actual {
		out[i] = e
	}
	return out
}

func (c Container) Update(ctx context.Context, id string, state, news rpc.Props) (rpc.Props, error) {
	cl, err := c.E.Client()
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"RestartPolicy": map[string]any{"Name": rpc.Str(news, "restart"), "MaximumRetryCount": int(rpc.Num(news, "maxRetryCount"))},
		"CpuShares":     int64(rpc.Num(news, "cpuShares")),
	}
	if v := rpc.Num(news, "memory"); v > 0 {
		body["Memory"] = int64(v) * 1024 * 1024
	}
	if v := rpc.Num(news, "memorySwap"); v != 0 {
		body["MemorySwap"] = int64(v) * 1024 * 1024
	}
	if v := rpc.Str(news, "cpus"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			body["NanoCpus"] = int64(f * 1e9)
		}
	}
	if err := cl.Do(ctx, "POST", "/containers/"+id+"/update", nil, body, nil); err != nil {
		return nil, err
	}
	return rpc.MergeInputs(c.Spec(), state, news), nil
}

func (c Container) Delete(ctx context.Context, id string, state rpc.Props) error {
	cl, err := c.E.Client()
	if err != nil {
		return err
	}
	grace := 10
	if _, ok := state["destroyGraceSeconds"]; ok {
		grace = int(rpc.Num(state, "destroyGraceSeconds"))
	}
	return c.remove(ctx, cl, id, grace)
}
