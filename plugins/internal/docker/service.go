package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"time"

	"shipyard/plugins/internal/dockerapi"
	"shipyard/plugins/internal/rpc"
)

// Service is docker:index/service:Service: a Swarm service. Create and Update
// wait, as convergeConfig asks, until every replica runs the new spec and
// passes its health check; an update that Swarm rolls back is an error.
type Service struct{ E *Engine }

func (Service) Spec() rpc.Spec {
	return rpc.Spec{
		Inputs: map[string]bool{
			"name": true, "taskSpec": false, "mode": false, "updateConfig": false, "rollbackConfig": false,
			"endpointSpec": false, "labels": false, "convergeConfig": false, "auth": false,
		},
		Required: []string{"taskSpec"},
		AutoName: true,
		Prepare:  prepareService,
		Replaces: serviceReplaces,
		Validate: validateService,
	}
}

// prepareService fills the health check's Terraform defaults: interval,
// timeout and start period "0s" (resource_docker_service.go:326-344), as they
// are read back.
func prepareService(in rpc.Props) {
	ts := rpc.Obj(in, "taskSpec")
	cs := rpc.Obj(ts, "containerSpec")
	hc := rpc.Obj(cs, "healthcheck")
	if hc == nil {
		return
	}
	for _, k := range []string{"interval", "timeout", "startPeriod"} {
		if _, ok := hc[k]; !ok {
			hc[k] = "0s"
		}
	}
}

func validateService(in rpc.Props) []rpc.Failure {
	f := labelsValid(in)
	for _, k := range []string{"updateConfig", "rollbackConfig"} {
		u := rpc.Obj(in, k)
		if v, ok := u["order"].(string); ok && v != "start-first" && v != "stop-first" {
			f = append(f, rpc.Failure{Property: k + ".order", Reason: fmt.Sprintf("%s.order is %q; allowed: start-first, stop-first", k, v)})
		}
		if v, ok := u["failureAction"].(string); ok && v != "pause" && v != "continue" && v != "rollback" {
			f = append(f, rpc.Failure{Property: k + ".failureAction", Reason: fmt.Sprintf("%s.failureAction is %q; allowed: pause, continue, rollback", k, v)})
		}
	}
	if e := rpc.Obj(in, "endpointSpec"); e != nil {
		if v, ok := e["mode"].(string); ok && v != "vip" && v != "dnsrr" {
			f = append(f, rpc.Failure{Property: "endpointSpec.mode", Reason: fmt.Sprintf("endpointSpec.mode is %q; allowed: vip, dnsrr", v)})
		}
		for i, p := range rpc.Objs(e, "ports") {
			if v, ok := p["publishMode"].(string); ok && v != "ingress" && v != "host" {
				f = append(f, rpc.Failure{Property: "endpointSpec.ports", Reason: fmt.Sprintf("endpointSpec.ports[%d].publishMode is %q; allowed: ingress, host", i, v)})
			}
		}
		if rpc.Str(e, "mode") == "dnsrr" {
			for i, p := range rpc.Objs(e, "ports") {
				if rpc.Str(p, "publishMode") != "host" {
					f = append(f, rpc.Failure{Property: "endpointSpec.ports", Reason: fmt.Sprintf("endpointSpec.ports[%d]: a dnsrr service can publish only in host mode (publishMode: host)", i)})
				}
			}
		}
	}
	return f
}

type serviceInspect struct {
	ID      string
	Version struct{ Index uint64 }
	Spec    struct {
		Name string
		Mode struct {
			Replicated *struct{ Replicas int }
		}
		TaskTemplate struct {
			Networks []struct {
				Target  string
				Aliases []string
			}
			Placement *struct {
				Platforms []struct{ Architecture, OS string }
			}
			ContainerSpec struct {
				Image       string
				Healthcheck *struct {
					Interval, Timeout, StartPeriod int64
				}
				StopGracePeriod *int64
			}
		}
	}
	UpdateStatus *struct {
		State       string
		StartedAt   time.Time
		CompletedAt time.Time
		Message     string
	}
}

type task struct {
	ID           string
	Slot         int
	NodeID       string
	DesiredState string
	CreatedAt    time.Time
	Status       struct {
		State     string
		Err       string
		Timestamp time.Time
	}
}

func (s Service) Create(ctx context.Context, urn string, in rpc.Props) (string, rpc.Props, error) {
	cl, err := s.E.Client()
	if err != nil {
		return "", nil, err
	}
	name := rpc.Str(in, "name")
	start := time.Now()
	var resp struct{ ID string }
	sent := s.E.pinServiceImage(ctx, cl, in)
	err = cl.DoWithHeaders(ctx, "POST", "/services/create", nil, s.E.registryHeader(in), serviceSpec(urn, sent), &resp)
	if dockerapi.IsConflict(err) {
		var old struct {
			ID   string
			Spec struct{ Labels map[string]string }
		}
		if ierr := cl.Do(ctx, "GET", "/services/"+url.PathEscape(name), nil, nil, &old); ierr == nil {
			if old.Spec.Labels[URNLabel] != urn {
				return "", nil, fmt.Errorf("service %s: the name is taken by service %.12s, which does not belong to this stack; remove or rename it, then run up again", name, old.ID)
			}
			// Left behind by an interrupted run of this same resource.
			if err := s.remove(ctx, cl, old.ID); err != nil {
				return "", nil, err
			}
			err = cl.DoWithHeaders(ctx, "POST", "/services/create", nil, s.E.registryHeader(in), serviceSpec(urn, sent), &resp)
		}
	}
	if err != nil {
		if strings.Contains(err.Error(), "not a swarm manager") || strings.Contains(err.Error(), "swarm init") {
			return "", nil, fmt.Errorf("service %s: this engine is not a Swarm manager; run `docker swarm init` (or set shipyard:engine to container): %w", name, err)
		}
		return "", nil, fmt.Errorf("service %s: %w", name, err)
	}
	if err := s.converge(ctx, cl, resp.ID, in, start, false); err != nil {
		// The service stays: Swarm keeps trying, and the error says why it has
		// not converged. The next up finds it by its URN label.
		return "", nil, err
	}
	out := rpc.Copy(in)
	var insp serviceInspect
	if err := cl.Do(ctx, "GET", "/services/"+resp.ID, nil, nil, &insp); err == nil {
		out = readImage(readDurations(readNetworks(out, insp), insp), insp)
	}
	return resp.ID, out, nil
}

// readNetworks is upstream's read of task_spec.networks_advanced: only
// id = the spec's Target, which Swarm stores as the network ID
// (resource_docker_service_structures.go:526-541), so a program that passes
// network names sees a diff, and a replacement, on every up.
func readNetworks(state rpc.Props, insp serviceInspect) rpc.Props {
	ts := rpc.Copy(rpc.Obj(state, "taskSpec"))
	if ts == nil {
		return state
	}
	var nets []any
	for _, n := range insp.Spec.TaskTemplate.Networks {
		e := map[string]any{"id": n.Target}
		if len(n.Aliases) > 0 {
			al := make([]any, len(n.Aliases))
			for i, a := range n.Aliases {
				al[i] = a
			}
			e["aliases"] = al
		}
		nets = append(nets, e)
	}
	if nets == nil {
		// An empty set is no set to Terraform: one the program gave empty stays.
		if len(rpc.List(ts, "networksAdvanceds")) > 0 {
			delete(ts, "networksAdvanceds")
		}
	} else {
		ts["networksAdvanceds"] = nets
	}
	out := rpc.Copy(state)
	out["taskSpec"] = ts
	return out
}

// serviceReplaces: a change of the task's networks forces a new service
// (networks_advanced name, id and aliases are ForceNew,
// resource_docker_service.go:701-737); the rest of taskSpec updates in place.
func serviceReplaces(k string, o, n any) bool {
	if k != "taskSpec" {
		return false
	}
	on, _ := o.(map[string]any)
	nn, _ := n.(map[string]any)
	return !rpc.Equal(on["networksAdvanceds"], nn["networksAdvanceds"])
}

func (s Service) Read(ctx context.Context, id string, state rpc.Props) (rpc.Props, bool, error) {
	cl, err := s.E.Client()
	if err != nil {
		return nil, false, err
	}
	var insp serviceInspect
	if err := cl.Do(ctx, "GET", "/services/"+id, nil, nil, &insp); err != nil {
		if isGone(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	out := readImage(readDurations(readNetworks(rpc.Copy(state), insp), insp), insp)
	// Replica drift (someone ran `docker service scale`) shows in the next diff.
	if r := insp.Spec.Mode.Replicated; r != nil && r.Replicas != replicas(state) {
		mode := rpc.Copy(rpc.Obj(state, "mode"))
		rep := rpc.Copy(rpc.Obj(mode, "replicated"))
		rep["replicas"] = float64(r.Replicas)
		mode["replicated"] = map[string]any(rep)
		out["mode"] = map[string]any(mode)
	}
	return out, true, nil
}

func (s Service) Update(ctx context.Context, id string, state, news rpc.Props) (rpc.Props, error) {
	cl, err := s.E.Client()
	if err != nil {
		return nil, err
	}
	name := rpc.Str(news, "name")
	var insp serviceInspect
	if err := cl.Do(ctx, "GET", "/services/"+id, nil, nil, &insp); err != nil {
		return nil, fmt.Errorf("service %s: %w", name, err)
	}
	urn := ""
	var raw struct {
		Spec struct{ Labels map[string]string }
	}
	if err := cl.Do(ctx, "GET", "/services/"+id, nil, nil, &raw); err == nil {
		urn = raw.Spec.Labels[URNLabel]
	}
	start := time.Now()
	q := url.Values{"version": {fmt.Sprint(insp.Version.Index)}}
	if err := cl.DoWithHeaders(ctx, "POST", "/services/"+id+"/update", q, s.E.registryHeader(news), serviceSpec(urn, withServiceImage(news, imageWithTag(serviceImage(news)))), nil); err != nil {
		return nil, fmt.Errorf("service %s: %w", name, err)
	}
	rolling := !reflect.DeepEqual(normalizeJSON(state["taskSpec"]), normalizeJSON(news["taskSpec"]))
	out := rpc.MergeInputs(s.Spec(), state, news)
	if err := s.converge(ctx, cl, id, news, start, rolling); err != nil {
		// Upstream's update returns the convergence error without reading the service
		// back (TF v4.5.0 resource_docker_service_funcs.go:200-224): the SDK keeps the
		// planned (new) values as the state, and the bridge returns them with the error
		// as a partial failure, though Swarm may have rolled the service back.
		return out, &rpc.InitError{Reason: err.Error()}
	}
	// Upstream's update ends with a read (resource_docker_service.go).
	var after serviceInspect
	if err := cl.Do(ctx, "GET", "/services/"+id, nil, nil, &after); err == nil {
		out = readImage(readDurations(readNetworks(out, after), after), after)
	}
	return out, nil
}

// shortDur is upstream's form of a service's durations when it reads them
// back (resource_docker_service_structures.go:1341-1350): Go's
// Duration.String() without a trailing "0s" after minutes or "0m" after hours.
func shortDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// readDurations is upstream's read of the task's health check durations and
// stop grace period in shortDur form (resource_docker_service_structures.go:163,
// 299-301): "1m0s" sent comes back "1m", and differs on every up.
func readDurations(state rpc.Props, insp serviceInspect) rpc.Props {
	ts := rpc.Obj(state, "taskSpec")
	cs := rpc.Obj(ts, "containerSpec")
	if cs == nil {
		return state
	}
	cs = rpc.Copy(cs)
	spec := insp.Spec.TaskTemplate.ContainerSpec
	if h := spec.Healthcheck; h != nil && rpc.Obj(cs, "healthcheck") != nil {
		hc := rpc.Copy(rpc.Obj(cs, "healthcheck"))
		hc["interval"] = shortDur(time.Duration(h.Interval))
		hc["timeout"] = shortDur(time.Duration(h.Timeout))
		hc["startPeriod"] = shortDur(time.Duration(h.StartPeriod))
		cs["healthcheck"] = map[string]any(hc)
	}
	if g := spec.StopGracePeriod; g != nil {
		cs["stopGracePeriod"] = shortDur(time.Duration(*g))
	}
	ts = rpc.Copy(ts)
	ts["containerSpec"] = map[string]any(cs)
	out := rpc.Copy(state)
	out["taskSpec"] = map[string]any(ts)
	return out
}

// normalizeJSON compares nested values regardless of number and list types.
func normalizeJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func (s Service) Delete(ctx context.Context, id string, _ rpc.Props) error {
	cl, err := s.E.Client()
	if err != nil {
		return err
	}
	return s.remove(ctx, cl, id)
}

// remove deletes the service and waits until its containers on this engine
// are gone, so its networks can be removed next.
func (s Service) remove(ctx context.Context, cl *dockerapi.Client, id string) error {
	if err := cl.Do(ctx, "DELETE", "/services/"+id, nil, nil, nil); err != nil && !isGone(err) {
		return err
	}
	filters, _ := json.Marshal(map[string][]string{"label": {"com.docker.swarm.service.id=" + id}})
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var left []struct{ Id string }
		if err := cl.Do(ctx, "GET", "/containers/json", url.Values{"all": {"1"}, "filters": {string(filters)}}, nil, &left); err != nil || len(left) == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("service %s removed, but %d of its containers are still there after 2m", id, len(left))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// converge waits until the service runs its replicas, healthy, and (after an
// update that rolls tasks) until Swarm reports the update completed. A
// rollback is waited out and returned as an error.
func (s Service) converge(ctx context.Context, cl *dockerapi.Client, id string, in rpc.Props, since time.Time, rolling bool) error {
	cc := rpc.Obj(in, "convergeConfig")
	if cc == nil {
		return nil
	}
	name := rpc.Str(in, "name")
	timeout := 3 * time.Minute
	if v := rpc.Str(cc, "timeout"); v != "" {
		timeout = time.Duration(dur(v))
	}
	delay := time.Second
	if v := rpc.Str(cc, "delay"); v != "" {
		delay = time.Duration(dur(v))
	}
	want := replicas(in)
	global := rpc.Bool(rpc.Obj(in, "mode"), "global")
	deadline := time.Now().Add(timeout)
	rolledBack := ""
	for {
		var insp serviceInspect
		if err := cl.Do(ctx, "GET", "/services/"+id, nil, nil, &insp); err != nil {
			return fmt.Errorf("service %s: %w", name, err)
		}
		updating := false
		if u := insp.UpdateStatus; rolling && u != nil && !u.StartedAt.Before(since.Add(-time.Second)) {
			switch u.State {
			case "updating":
				updating = true
			case "paused":
				return fmt.Errorf("service %s: the update paused: %s", name, u.Message)
			case "rollback_started":
				updating = true
				rolledBack = u.Message
			case "rollback_paused":
				return fmt.Errorf("service %s: the update failed and its rollback paused: %s", name, u.Message)
			case "rollback_completed":
				return fmt.Errorf("service %s: the update failed and Swarm rolled it back; the previous version keeps serving (%s)", name, u.Message)
			}
		} else if rolling && (u == nil || u.StartedAt.Before(since.Add(-time.Second))) {
			// Swarm has not picked the update up yet.
			updating = true
		}
		tasks, err := s.tasks(ctx, cl, id)
		if err != nil {
			return fmt.Errorf("service %s: %w", name, err)
		}
		ready, err := s.readyNodes(ctx, cl)
		if err != nil {
			return fmt.Errorf("service %s: %w", name, err)
		}
		running, stopping, failures, waiting := 0, 0, []string{}, ""
		for _, t := range tasks {
			if t.DesiredState == "running" && t.Status.State == "running" {
				running++
			} else if t.DesiredState != "running" && t.Status.State == "running" && ready[t.NodeID] {
				// Scaled down or replaced, still stopping (on a node that is up:
				// a lost node's tasks never report back).
				stopping++
			} else if t.DesiredState == "running" {
				waiting = fmt.Sprintf("a new task is %s", t.Status.State)
				if t.Status.Err != "" {
					waiting += ": " + t.Status.Err
				}
			}
			if (t.Status.State == "failed" || t.Status.State == "rejected") && t.Status.Timestamp.After(since) && t.Status.Err != "" {
				failures = append(failures, t.Status.Err)
			}
		}
		done := !updating && stopping == 0 && (running == want || (global && running > 0))
		if done && rolledBack == "" {
			return nil
		}
		if !rolling && len(failures) >= 3 {
			return fmt.Errorf("service %s: %d tasks failed to start healthy; last: %s", name, len(failures), failures[len(failures)-1])
		}
		if time.Now().After(deadline) {
			last := "none"
			if len(failures) > 0 {
				last = failures[len(failures)-1]
			}
			if waiting != "" {
				last = waiting + "; last task error: " + last
			} else {
				last = "last task error: " + last
			}
			return fmt.Errorf("service %s: %d of %d replicas running and healthy after %s; %s", name, running, want, timeout, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
	}
}

// readyNodes is the set of node IDs whose status is ready.
func (s Service) readyNodes(ctx context.Context, cl *dockerapi.Client) (map[string]bool, error) {
	var nodes []struct {
		ID     string
		Status struct{ State string }
	}
	if err := cl.Do(ctx, "GET", "/nodes", nil, nil, &nodes); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, n := range nodes {
		out[n.ID] = n.Status.State == "ready"
	}
	return out, nil
}

func (s Service) tasks(ctx context.Context, cl *dockerapi.Client, id string) ([]task, error) {
	filters, _ := json.Marshal(map[string][]string{"service": {id}})
	var ts []task
	if err := cl.Do(ctx, "GET", "/tasks", url.Values{"filters": {string(filters)}}, nil, &ts); err != nil {
		return nil, err
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].CreatedAt.Before(ts[j].CreatedAt) })
	return ts, nil
}
