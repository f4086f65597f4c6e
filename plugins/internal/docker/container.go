package docker

import (
	"context"
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"shipyard/plugins/internal/dockerapi"
	"shipyard/plugins/internal/rpc"
)

// URNLabel marks Swarm services with the Pulumi resource that made them, so an
// interrupted deployment can recognise its own leftovers. Containers carry
// only the labels the program gives them, as upstream's.
const URNLabel = "io.shipyard.pulumi-urn"

// Container is docker:index/container:Container, behaving as upstream's
// docker_container (terraform-provider-docker v4.5.0 bridged by pulumi-docker
// 5.x); docs/upstream-fidelity.md has the table with upstream's file and line
// for each decision below.
type Container struct{ E *Engine }

// containerInputs: true forces a new container (upstream ForceNew), false is
// an in-place change. Upstream's in-place "update" applies only the resource
// limits and the restart policy (containerUpdated); a changed healthcheck,
// init or start is stored and changes nothing on the engine.
var containerInputs = map[string]bool{
	"name": true, "image": true, "command": true, "entrypoints": true, "envs": true, "labels": true,
	"networksAdvanced": true, "networkMode": true, "volumes": true, "mounts": true, "ports": true,
	"user": true, "workingDir": true, "hostname": true, "domainname": true, "readOnly": true,
	"capabilities": true, "securityOpts": true, "privileged": true, "uploads": true, "logDriver": true,
	"logOpts": true, "stopSignal": true, "stopTimeout": true, "shmSize": true, "dns": true, "hosts": true,
	"sysctls": true, "ulimits": true, "groupAdds": true, "pidMode": true, "ipcMode": true,
	"publishAllPorts": true, "cpus": true,
	"tmpfs": false, "healthcheck": false, "init": false, "start": false, "restart": false,
	"maxRetryCount": false, "memory": false, "memorySwap": false, "memoryReservation": false,
	"cpuShares": false, "cpuSet": false, "wait": false, "waitTimeout": false, "mustRun": false,
	"destroyGraceSeconds": false, "containerReadRefreshTimeoutMilliseconds": false, "rm": false,
}

// containerComputed are inputs upstream fills from the engine when the program
// leaves them out (Optional+Computed, or a DiffSuppressFunc that treats ""
// as "whatever runs"): absent in the program, they never show a diff.
var containerComputed = []string{
	"command", "entrypoints", "envs", "labels", "hostname", "user", "workingDir", "securityOpts",
	"logDriver", "stopSignal", "stopTimeout", "shmSize", "ipcMode", "healthcheck", "init",
}

// containerUpdated are the inputs whose change makes upstream's Update call
// the engine (ContainerUpdate), resource_docker_container_funcs.go:1016-1018.
var containerUpdated = []string{"restart", "maxRetryCount", "cpuShares", "memory", "memoryReservation", "cpuSet", "memorySwap"}

func (Container) Spec() rpc.Spec {
	return rpc.Spec{
		Inputs: containerInputs,
		Filled: containerComputed,
		Defaults: rpc.Props{
			"restart": "no", "mustRun": true, "start": true, "wait": false, "waitTimeout": 60.0,
			"networkMode": "bridge", "readOnly": false, "privileged": false, "publishAllPorts": false,
			"memoryReservation": 0.0, "rm": false, "containerReadRefreshTimeoutMilliseconds": 15000.0,
		},
		Required: []string{"image"},
		AutoName: true,
		// pulumi-docker's resources.go sets DeleteBeforeReplace for
		// docker_container (provider/resources.go:114 at v5.1.0); a program
		// can override it per resource with deleteBeforeReplace: false.
		DeleteBeforeReplace: true,
		Prepare:             prepareContainer,
		Validate:            validateContainer,
	}
}

// prepareContainer fills the defaults upstream's schema gives attributes
// inside blocks (healthcheck durations "0s" and retries 0,
// resource_docker_container.go:1058-1093; ports protocol "tcp" and ip
// "0.0.0.0", :510-531), so what is stored equals what is read back.
func prepareContainer(in rpc.Props) {
	if hc := rpc.Obj(in, "healthcheck"); hc != nil {
		for _, k := range []string{"interval", "timeout", "startPeriod", "startInterval"} {
			if _, ok := hc[k]; !ok {
				hc[k] = "0s"
			}
		}
		if _, ok := hc["retries"]; !ok {
			hc["retries"] = 0.0
		}
	}
	for _, p := range rpc.Objs(in, "ports") {
		if _, ok := p["protocol"]; !ok {
			p["protocol"] = "tcp"
		}
		if _, ok := p["ip"]; !ok {
			p["ip"] = "0.0.0.0"
		}
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

func containerBody(in rpc.Props) map[string]any {
	labels := labelMap(in)
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
	// Upstream always sends Init (d.Get("init"), false when unset).
	host["Init"] = rpc.Bool(in, "init")
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
	// As upstream: created in networkMode (default "bridge"); the
	// networksAdvanced are connected after create (connectNetworks).
	if mode := rpc.Str(in, "networkMode"); mode != "" {
		host["NetworkMode"] = mode
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

// healthConfig is the engine's HealthConfig as inspect returns it.
type healthConfig struct {
	Test          []string
	Interval      int64
	Timeout       int64
	StartPeriod   int64
	StartInterval int64
	Retries       int
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
		Health     *struct{ Status string }
	}
	Config struct {
		Image       string
		Cmd         []string
		Entrypoint  []string
		User        string
		WorkingDir  string
		Hostname    string
		StopSignal  string
		StopTimeout *int
		Healthcheck *healthConfig
	}
	HostConfig struct {
		RestartPolicy struct {
			Name              string
			MaximumRetryCount int
		}
		Memory            int64
		MemorySwap        int64
		MemoryReservation int64
		NanoCpus          int64
		CpuShares         int64
		CpusetCpus        string
		ShmSize           int64
		Init              *bool
		ReadonlyRootfs    bool
		Privileged        bool
		PublishAllPorts   bool
		SecurityOpt       []string
		IpcMode           string
		NetworkMode       string
		LogConfig         struct {
			Type   string
			Config map[string]string
		}
		Tmpfs map[string]string
	}
}

func (c Container) Create(ctx context.Context, urn string, in rpc.Props) (string, rpc.Props, error) {
	cl, err := c.E.Client()
	if err != nil {
		return "", nil, err
	}
	name := rpc.Str(in, "name")
	img := rpc.Str(in, "image")
	// Upstream looks the image up first and pulls it when it is missing, with
	// the provider's registryAuth for the image's registry (findImage,
	// resource_docker_container_funcs.go:48-53, resource_docker_image_funcs.go:249-279).
	if err := cl.Do(ctx, "GET", "/images/"+url.PathEscape(img)+"/json", nil, nil, nil); err != nil {
		if !dockerapi.IsNotFound(err) {
			return "", nil, fmt.Errorf("Unable to create container with image %s: %w", img, err)
		}
		if perr := cl.Pull(ctx, img, c.E.registryAuthHeader(img)); perr != nil {
			return "", nil, fmt.Errorf("Unable to create container with image %s: unable to pull image %s: %s (a local stand-in is built by scripts/images.sh)", img, img, perr)
		}
	}
	body := containerBody(in)
	if hc := rpc.Obj(in, "healthcheck"); hc != nil && dur(rpc.Str(hc, "startInterval")) != 0 {
		v, err := cl.Version(ctx)
		if err != nil {
			return "", nil, err
		}
		if dockerapi.LessThan(v, "1.44") {
			return "", nil, fmt.Errorf("Unable to create container: %w", dockerapi.VersionError("specify health-check start interval", "1.44", v))
		}
	}
	var resp struct{ Id string }
	// A taken name is the engine's conflict, as upstream reports it.
	if err := cl.Do(ctx, "POST", "/containers/create", url.Values{"name": {name}}, body, &resp); err != nil {
		return "", nil, fmt.Errorf("Unable to create container: %w", err)
	}
	id := resp.Id
	// From here on the container exists: like upstream (d.SetId before the
	// steps below, :460), a failure leaves it in place and in the state.
	partial := func(err error) (string, rpc.Props, error) {
		out, _, _ := c.read(ctx, cl, id, in)
		if out == nil {
			out = rpc.Copy(in)
		}
		return id, out, &rpc.InitError{Reason: err.Error()}
	}
	if err := c.connectNetworks(ctx, cl, id, in); err != nil {
		return partial(err)
	}
	if ups := rpc.Objs(in, "uploads"); len(ups) > 0 {
		tarball, err := uploadsTar(ups)
		if err != nil {
			return partial(err)
		}
		if err := cl.Do(ctx, "PUT", "/containers/"+id+"/archive", url.Values{"path": {"/"}}, tarball, nil); err != nil {
			return partial(fmt.Errorf("Unable to upload volume content: %w", err))
		}
	}
	if rpc.Bool(in, "start") {
		if err := cl.Do(ctx, "POST", "/containers/"+id+"/start", nil, nil, nil); err != nil {
			return partial(fmt.Errorf("Unable to start container: %w", err))
		}
		if rpc.Bool(in, "wait") {
			if err := waitHealthy(ctx, cl, id, time.Duration(rpc.Num(in, "waitTimeout"))*time.Second); err != nil {
				return partial(err)
			}
		}
	}
	out, _, err := c.read(ctx, cl, id, in)
	if err != nil {
		return partial(err)
	}
	return id, out, nil
}

// connectNetworks does what upstream does after create when networksAdvanced
// is set: disconnect the default bridge, connect each network
// (resource_docker_container_funcs.go:463-503).
func (c Container) connectNetworks(ctx context.Context, cl *dockerapi.Client, id string, in rpc.Props) error {
	nets := rpc.Objs(in, "networksAdvanced")
	if len(nets) == 0 {
		return nil
	}
	err := cl.Do(ctx, "POST", "/networks/bridge/disconnect", nil, map[string]any{"Container": id}, nil)
	if err != nil && !strings.Contains(err.Error(), "is not connected to the network bridge") {
		return fmt.Errorf("Unable to disconnect the default network: %w", err)
	}
	for _, n := range nets {
		body := map[string]any{"Container": id, "EndpointConfig": endpoint(n)}
		if err := cl.Do(ctx, "POST", "/networks/"+url.PathEscape(rpc.Str(n, "name"))+"/connect", nil, body, nil); err != nil {
			return fmt.Errorf("Unable to connect to network '%s': %w", rpc.Str(n, "name"), err)
		}
	}
	return nil
}

// errNotHealthy is upstream's error text (resource_docker_container_funcs.go:40).
var errNotHealthy = fmt.Errorf("container failed to be in healthy state")

// waitHealthy is upstream's wait (resource_docker_container_funcs.go:590-628):
// inspect once a second until the health status is "healthy"; an error when
// the container has no health check; an unhealthy or exited container is
// not an early failure, only the timeout ends the wait.
func waitHealthy(ctx context.Context, cl *dockerapi.Client, id string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		var insp containerInspect
		if err := cl.Do(ctx, "GET", "/containers/"+id+"/json", nil, nil, &insp); err != nil {
			if ctx.Err() != nil {
				return errNotHealthy
			}
			return fmt.Errorf("error inspecting container state: %s", err)
		}
		if insp.State.Health == nil {
			return fmt.Errorf("you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute")
		}
		if insp.State.Health.Status == "healthy" {
			return nil
		}
		select {
		case <-ctx.Done():
			return errNotHealthy
		case <-time.After(time.Second):
		}
	}
}

// read is upstream's resourceDockerContainerRead for the attributes the
// program uses: what it sets back into the state, formatted as it formats
// them. Env, labels, uploads, volumes and networks are not read back.
func (c Container) read(ctx context.Context, cl *dockerapi.Client, id string, state rpc.Props) (rpc.Props, bool, error) {
	var insp containerInspect
	if err := cl.Do(ctx, "GET", "/containers/"+id+"/json", nil, nil, &insp); err != nil {
		if isGone(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return readBack(state, insp), true, nil
}

func readBack(state rpc.Props, insp containerInspect) rpc.Props {
	out := rpc.Copy(state)
	// A stopped container that must run: must_run false in the state, so
	// the next diff shows false -> true and Update starts it (:811-824).
	if !insp.State.Running && rpc.Bool(state, "mustRun") {
		out["mustRun"] = false
	}
	out["name"] = strings.TrimLeft(insp.Name, "/")
	if !strings.HasPrefix(rpc.Str(state, "image"), "sha256:") {
		out["image"] = insp.Config.Image
	}
	setList := func(k string, v []string) {
		if v == nil {
			delete(out, k)
			return
		}
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = e
		}
		out[k] = l
	}
	setList("command", insp.Config.Cmd)
	setList("entrypoints", insp.Config.Entrypoint)
	setList("securityOpts", insp.HostConfig.SecurityOpt)
	out["user"] = insp.Config.User
	out["workingDir"] = insp.Config.WorkingDir
	out["hostname"] = insp.Config.Hostname
	out["stopSignal"] = insp.Config.StopSignal
	if insp.Config.StopTimeout != nil {
		out["stopTimeout"] = float64(*insp.Config.StopTimeout)
	} else {
		out["stopTimeout"] = 0.0
	}
	hc := insp.HostConfig
	out["restart"] = hc.RestartPolicy.Name
	out["maxRetryCount"] = float64(hc.RestartPolicy.MaximumRetryCount)
	out["init"] = hc.Init != nil && *hc.Init
	out["readOnly"] = hc.ReadonlyRootfs
	out["privileged"] = hc.Privileged
	out["publishAllPorts"] = hc.PublishAllPorts
	out["ipcMode"] = hc.IpcMode
	out["networkMode"] = hc.NetworkMode
	out["logDriver"] = hc.LogConfig.Type
	// log_opts is read back only when the state has it
	// (containerLogOptsForState, resource_docker_container_funcs.go:983-989):
	// the engine's options then, daemon defaults merged in included.
	if len(rpc.StrMap(state, "logOpts")) > 0 {
		o := map[string]any{}
		for k, v := range hc.LogConfig.Config {
			o[k] = v
		}
		out["logOpts"] = o
	}
	out["memory"] = float64(hc.Memory / 1024 / 1024)
	out["memoryReservation"] = float64(mib(hc.MemoryReservation))
	out["memorySwap"] = float64(mib(hc.MemorySwap))
	out["shmSize"] = float64(hc.ShmSize / 1024 / 1024)
	if hc.NanoCpus > 0 {
		out["cpus"] = nanoToDecimal(hc.NanoCpus)
	}
	out["cpuShares"] = float64(hc.CpuShares)
	out["cpuSet"] = hc.CpusetCpus
	if len(hc.Tmpfs) > 0 {
		t := map[string]any{}
		for k, v := range hc.Tmpfs {
			t[k] = v
		}
		out["tmpfs"] = t
	} else {
		delete(out, "tmpfs")
	}
	if h := insp.Config.Healthcheck; h != nil {
		tests := make([]any, len(h.Test))
		for i, e := range h.Test {
			tests[i] = e
		}
		out["healthcheck"] = map[string]any{
			"tests": tests, "interval": time.Duration(h.Interval).String(), "timeout": time.Duration(h.Timeout).String(),
			"startPeriod": time.Duration(h.StartPeriod).String(), "startInterval": time.Duration(h.StartInterval).String(),
			"retries": float64(h.Retries),
		}
	}
	return out
}

// mib is upstream's read of memory_swap and memory_reservation: MiB when
// positive, the raw value (-1 for unlimited swap, 0) otherwise (:936-944).
func mib(v int64) int64 {
	if v > 0 {
		return v / 1024 / 1024
	}
	return v
}

// nanoToDecimal is how upstream reads cpus back (helpers.go:133-149,
// nanoInt64ToDecimalString): 1e9 -> "1.0", 5e8 -> "0.5", 2.5e8 -> "0.25".
func nanoToDecimal(n int64) string {
	if n == 0 {
		return "0"
	}
	s := new(big.Rat).SetFrac64(n, 1e9).FloatString(9)
	if strings.Count(s, "0") == 9 {
		return new(big.Rat).SetFrac64(n, 1e9).FloatString(1)
	}
	return strings.TrimRight(s, "0")
}

func (c Container) Read(ctx context.Context, id string, state rpc.Props) (rpc.Props, bool, error) {
	cl, err := c.E.Client()
	if err != nil {
		return nil, false, err
	}
	return c.read(ctx, cl, id, state)
}

// Update is upstream's resourceDockerContainerUpdate (:991-1077): start a
// container whose mustRun went false -> true; apply the limits and restart
// policy when one of them changed; store every other change as given.
func (c Container) Update(ctx context.Context, id string, state, news rpc.Props) (rpc.Props, error) {
	cl, err := c.E.Client()
	if err != nil {
		return nil, err
	}
	if _, had := state["mustRun"]; had && !rpc.Bool(state, "mustRun") && rpc.Bool(news, "mustRun") && rpc.Bool(news, "start") {
		if err := cl.Do(ctx, "POST", "/containers/"+id+"/start", nil, nil, nil); err != nil && !strings.Contains(err.Error(), "304") {
			return nil, fmt.Errorf("Unable to start container: %w", err)
		}
	}
	for _, k := range containerUpdated {
		if reflect.DeepEqual(state[k], news[k]) {
			continue
		}
		body := map[string]any{
			"RestartPolicy":     map[string]any{"Name": rpc.Str(news, "restart"), "MaximumRetryCount": int(rpc.Num(news, "maxRetryCount"))},
			"CpuShares":         int64(rpc.Num(news, "cpuShares")),
			"Memory":            int64(rpc.Num(news, "memory")) * 1024 * 1024,
			"MemoryReservation": int64(rpc.Num(news, "memoryReservation")) * 1024 * 1024,
			"CpusetCpus":        rpc.Str(news, "cpuSet"),
		}
		if v := int64(rpc.Num(news, "memorySwap")); v != 0 {
			if v > 0 {
				v *= 1024 * 1024
			}
			body["MemorySwap"] = v
		}
		if err := cl.Do(ctx, "POST", "/containers/"+id+"/update", nil, body, nil); err != nil {
			return nil, fmt.Errorf("Unable to update a container: %w", err)
		}
		break
	}
	return rpc.MergeInputs(c.Spec(), state, news), nil
}

// Delete is upstream's (:1079-1131): stop with destroyGraceSeconds (0 when
// unset: the engine sends SIGTERM and kills at once), then force-remove.
func (c Container) Delete(ctx context.Context, id string, state rpc.Props) error {
	cl, err := c.E.Client()
	if err != nil {
		return err
	}
	grace := int(rpc.Num(state, "destroyGraceSeconds"))
	err = cl.Do(ctx, "POST", "/containers/"+id+"/stop", url.Values{"t": {strconv.Itoa(grace)}}, nil, nil)
	if err != nil && !isGone(err) && !strings.Contains(err.Error(), "304") {
		return fmt.Errorf("Error stopping container %s: %w", id, err)
	}
	err = cl.Do(ctx, "DELETE", "/containers/"+id, url.Values{"force": {"true"}}, nil, nil)
	if err != nil && !isGone(err) && !strings.Contains(err.Error(), "is already in progress") {
		return fmt.Errorf("Error deleting container %s: %w", id, err)
	}
	return nil
}
