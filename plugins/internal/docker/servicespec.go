package docker

import (
	"sort"
	"strconv"
	"strings"

	"shipyard/plugins/internal/rpc"
)

// serviceSpec turns the docker package's Service inputs into an Engine API
// ServiceSpec.
func serviceSpec(urn string, in rpc.Props) map[string]any {
	labels := labelMap(in)
	labels[URNLabel] = urn
	ts := rpc.Obj(in, "taskSpec")
	cs := rpc.Obj(ts, "containerSpec")
	spec := map[string]any{
		"Name":         rpc.Str(in, "name"),
		"Labels":       labels,
		"TaskTemplate": taskTemplate(ts, cs),
	}
	if m := rpc.Obj(in, "mode"); m != nil && rpc.Bool(m, "global") {
		spec["Mode"] = map[string]any{"Global": map[string]any{}}
	} else {
		spec["Mode"] = map[string]any{"Replicated": map[string]any{"Replicas": replicas(in)}}
	}
	if u := rpc.Obj(in, "updateConfig"); u != nil {
		spec["UpdateConfig"] = updateConfig(u)
	}
	if r := rpc.Obj(in, "rollbackConfig"); r != nil {
		spec["RollbackConfig"] = updateConfig(r)
	}
	if e := rpc.Obj(in, "endpointSpec"); e != nil {
		es := map[string]any{}
		if m := rpc.Str(e, "mode"); m != "" {
			es["Mode"] = m
		}
		var ports []map[string]any
		for _, p := range rpc.Objs(e, "ports") {
			port := map[string]any{"TargetPort": int(rpc.Num(p, "targetPort")), "Protocol": orDefault(rpc.Str(p, "protocol"), "tcp")}
			if v := rpc.Num(p, "publishedPort"); v > 0 {
				port["PublishedPort"] = int(v)
			}
			if v := rpc.Str(p, "publishMode"); v != "" {
				port["PublishMode"] = v
			}
			if v := rpc.Str(p, "name"); v != "" {
				port["Name"] = v
			}
			ports = append(ports, port)
		}
		if ports != nil {
			es["Ports"] = ports
		}
		spec["EndpointSpec"] = es
	}
	return spec
}

func replicas(in rpc.Props) int {
	m := rpc.Obj(in, "mode")
	r := rpc.Obj(m, "replicated")
	if r == nil {
		return 1
	}
	if _, ok := r["replicas"]; !ok {
		return 1
	}
	return int(rpc.Num(r, "replicas"))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func taskTemplate(ts, cs rpc.Props) map[string]any {
	c := map[string]any{"Image": rpc.Str(cs, "image")}
	if v := rpc.Strings(cs, "commands"); len(v) > 0 {
		c["Command"] = v
	}
	if v := rpc.Strings(cs, "args"); len(v) > 0 {
		c["Args"] = v
	}
	env := []string{}
	for k, v := range rpc.StrMap(cs, "env") {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	c["Env"] = env
	c["Labels"] = labelMap(cs)
	for k, api := range map[string]string{"user": "User", "dir": "Dir", "hostname": "Hostname", "stopSignal": "StopSignal", "isolation": "Isolation"} {
		if v := rpc.Str(cs, k); v != "" {
			c[api] = v
		}
	}
	if v := rpc.Str(cs, "stopGracePeriod"); v != "" {
		c["StopGracePeriod"] = dur(v)
	}
	if _, ok := cs["init"]; ok {
		c["Init"] = rpc.Bool(cs, "init")
	}
	c["ReadOnly"] = rpc.Bool(cs, "readOnly")
	if v := rpc.Strings(cs, "capAdds"); len(v) > 0 {
		c["CapabilityAdd"] = v
	}
	if v := rpc.Strings(cs, "capDrops"); len(v) > 0 {
		c["CapabilityDrop"] = v
	}
	if hc := rpc.Obj(cs, "healthcheck"); hc != nil {
		c["HealthCheck"] = healthBody(hc)
	}
	var mounts []map[string]any
	for _, m := range rpc.Objs(cs, "mounts") {
		mount := map[string]any{"Type": rpc.Str(m, "type"), "Target": rpc.Str(m, "target"), "ReadOnly": rpc.Bool(m, "readOnly")}
		if v := rpc.Str(m, "source"); v != "" {
			mount["Source"] = v
		}
		if vo := rpc.Obj(m, "volumeOptions"); vo != nil {
			mount["VolumeOptions"] = map[string]any{"NoCopy": rpc.Bool(vo, "noCopy"), "Labels": labelMap(vo)}
		}
		if bo := rpc.Obj(m, "bindOptions"); bo != nil && rpc.Str(bo, "propagation") != "" {
			mount["BindOptions"] = map[string]any{"Propagation": rpc.Str(bo, "propagation")}
		}
		mounts = append(mounts, mount)
	}
	if mounts != nil {
		c["Mounts"] = mounts
	}
	fileRefs := func(key, idKey, nameKey, apiID, apiName string) []map[string]any {
		var out []map[string]any
		for _, s := range rpc.Objs(cs, key) {
			mode := 0o444
			if _, ok := s["fileMode"]; ok {
				mode = int(rpc.Num(s, "fileMode"))
			}
			out = append(out, map[string]any{
				"File": map[string]any{
					"Name": rpc.Str(s, "fileName"),
					"UID":  orDefault(rpc.Str(s, "fileUid"), "0"),
					"GID":  orDefault(rpc.Str(s, "fileGid"), "0"),
					"Mode": mode,
				},
				apiID:   rpc.Str(s, idKey),
				apiName: rpc.Str(s, nameKey),
			})
		}
		return out
	}
	if v := fileRefs("secrets", "secretId", "secretName", "SecretID", "SecretName"); v != nil {
		c["Secrets"] = v
	}
	if v := fileRefs("configs", "configId", "configName", "ConfigID", "ConfigName"); v != nil {
		c["Configs"] = v
	}
	var hosts []string
	for _, h := range rpc.Objs(cs, "hosts") {
		hosts = append(hosts, rpc.Str(h, "ip")+" "+rpc.Str(h, "host"))
	}
	if hosts != nil {
		c["Hosts"] = hosts
	}
	if sc := rpc.StrMap(cs, "sysctl"); len(sc) > 0 {
		c["Sysctls"] = sc
	}

	t := map[string]any{"ContainerSpec": c}
	if r := rpc.Obj(ts, "resources"); r != nil {
		res := map[string]any{}
		for key, api := range map[string]string{"limits": "Limits", "reservation": "Reservations"} {
			if l := rpc.Obj(r, key); l != nil {
				res[api] = map[string]any{"NanoCPUs": int64(rpc.Num(l, "nanoCpus")), "MemoryBytes": int64(rpc.Num(l, "memoryBytes"))}
			}
		}
		t["Resources"] = res
	}
	if rp := rpc.Obj(ts, "restartPolicy"); rp != nil {
		p := map[string]any{"Condition": orDefault(rpc.Str(rp, "condition"), "any"), "MaxAttempts": int(rpc.Num(rp, "maxAttempts"))}
		if v := rpc.Str(rp, "delay"); v != "" {
			p["Delay"] = dur(v)
		}
		if v := rpc.Str(rp, "window"); v != "" {
			p["Window"] = dur(v)
		}
		t["RestartPolicy"] = p
	}
	if pl := rpc.Obj(ts, "placement"); pl != nil {
		p := map[string]any{"Constraints": rpc.Strings(pl, "constraints")}
		var prefs []map[string]any
		for _, pref := range rpc.Strings(pl, "prefs") {
			prefs = append(prefs, map[string]any{"Spread": map[string]any{"SpreadDescriptor": strings.TrimPrefix(pref, "spread=")}})
		}
		if prefs != nil {
			p["Preferences"] = prefs
		}
		var platforms []map[string]any
		for _, pf := range rpc.Objs(pl, "platforms") {
			platforms = append(platforms, map[string]any{"Architecture": rpc.Str(pf, "architecture"), "OS": rpc.Str(pf, "os")})
		}
		if platforms != nil {
			p["Platforms"] = platforms
		}
		if v := rpc.Num(pl, "maxReplicas"); v > 0 {
			p["MaxReplicas"] = int(v)
		}
		t["Placement"] = p
	}
	var nets []map[string]any
	for _, n := range rpc.Objs(ts, "networksAdvanceds") {
		target := rpc.Str(n, "id")
		if target == "" {
			target = rpc.Str(n, "name")
		}
		nets = append(nets, map[string]any{"Target": target, "Aliases": rpc.Strings(n, "aliases"), "DriverOpts": driverOpts(rpc.Strings(n, "driverOpts"))})
	}
	if nets != nil {
		t["Networks"] = nets
	}
	if v := rpc.Num(ts, "forceUpdate"); v > 0 {
		t["ForceUpdate"] = int(v)
	}
	if v := rpc.Str(ts, "runtime"); v != "" {
		t["Runtime"] = v
	}
	if ld := rpc.Obj(ts, "logDriver"); ld != nil {
		t["LogDriver"] = map[string]any{"Name": rpc.Str(ld, "name"), "Options": rpc.StrMap(ld, "options")}
	}
	return t
}

func driverOpts(kv []string) map[string]string {
	out := map[string]string{}
	for _, s := range kv {
		if k, v, ok := strings.Cut(s, "="); ok {
			out[k] = v
		}
	}
	return out
}

func updateConfig(u rpc.Props) map[string]any {
	out := map[string]any{"Parallelism": int(rpc.Num(u, "parallelism"))}
	if _, ok := u["parallelism"]; !ok {
		out["Parallelism"] = 1
	}
	if v := rpc.Str(u, "delay"); v != "" {
		out["Delay"] = dur(v)
	}
	if v := rpc.Str(u, "monitor"); v != "" {
		out["Monitor"] = dur(v)
	}
	if v := rpc.Str(u, "failureAction"); v != "" {
		out["FailureAction"] = v
	}
	if v := rpc.Str(u, "order"); v != "" {
		out["Order"] = v
	}
	if v := rpc.Str(u, "maxFailureRatio"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			out["MaxFailureRatio"] = f
		}
	}
	return out
}
