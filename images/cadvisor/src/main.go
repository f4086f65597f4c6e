// cadvisor: the cAdvisor server (github.com/google/cadvisor/cmd/cadvisor.go)
// rebuilt from the modules the Go module proxy serves. The proxy serves
// github.com/google/cadvisor and github.com/google/cadvisor/lib but not
// github.com/google/cadvisor/cmd, so this file repeats that main package's
// wiring with upstream's own packages: the same container manager, the same
// Docker/containerd/CRI-O/systemd providers, the same Prometheus collectors
// (metric and label names), the same flags, port 8080, /metrics and /healthz.
// Left out: the web UI and REST API (/containers, /api/...), the storage
// drivers other than the in-memory cache, HTTP auth and application-metrics
// collectors (cmd/internal, not served). See images/cadvisor/Dockerfile.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	// Container providers and filesystem plugins, as cmd/internal/container/install.
	_ "github.com/google/cadvisor/container/docker/install"
	_ "github.com/google/cadvisor/container/podman/install"
	_ "github.com/google/cadvisor/fs/devicemapper/install"
	_ "github.com/google/cadvisor/lib/container/containerd/install"
	_ "github.com/google/cadvisor/lib/container/crio/install"
	_ "github.com/google/cadvisor/lib/container/systemd/install"
	_ "github.com/google/cadvisor/lib/fs/btrfs/install"
	_ "github.com/google/cadvisor/lib/fs/nfs/install"
	_ "github.com/google/cadvisor/lib/fs/overlay/install"
	_ "github.com/google/cadvisor/lib/fs/tmpfs/install"
	_ "github.com/google/cadvisor/lib/fs/vfs/install"
	_ "github.com/google/cadvisor/lib/fs/zfs/install"

	"github.com/google/cadvisor/lib/cache/memory"
	"github.com/google/cadvisor/lib/container"
	"github.com/google/cadvisor/lib/manager"
	"github.com/google/cadvisor/lib/metrics"
	info "github.com/google/cadvisor/lib/model"
	"github.com/google/cadvisor/lib/stats"
	"github.com/google/cadvisor/lib/utils/sysfs"
	"github.com/google/cadvisor/lib/version"
	"github.com/google/cadvisor/perf"
	"github.com/google/cadvisor/resctrl"
	"github.com/google/cadvisor/summary"
	"github.com/google/cadvisor/utils/cpuload"
	"github.com/google/cadvisor/utils/oomparser"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// Flags of cmd/cadvisor.go and cmd/storagedriver.go (the libraries define the rest).
var (
	argIP                      = flag.String("listen_ip", "", "IP to listen on, defaults to all IPs")
	argPort                    = flag.Int("port", 8080, "port to listen")
	maxProcs                   = flag.Int("max_procs", 0, "max number of CPUs that can be used simultaneously. Less than 1 for default (number of cores).")
	versionFlag                = flag.Bool("version", false, "print cAdvisor version and exit")
	prometheusEndpoint         = flag.String("prometheus_endpoint", "/metrics", "Endpoint to expose Prometheus metrics on")
	enableProfiling            = flag.Bool("profiling", false, "Enable profiling via web interface host:port/debug/pprof/")
	storeContainerLabels       = flag.Bool("store_container_labels", true, "convert container labels and environment variables into labels on prometheus metrics for each container. If flag set to false, then only metrics exported are container name, first alias, and image name")
	whitelistedContainerLabels = flag.String("whitelisted_container_labels", "", "comma separated list of container labels to be converted to labels on prometheus metrics for each container. store_container_labels must be set to false for this to take effect.")
	envMetadataWhiteList       = flag.String("env_metadata_whitelist", "", "a comma-separated list of environment variable keys matched with specified prefix that needs to be collected for containers, only support containerd and docker runtime for now.")
	urlBasePrefix              = flag.String("url_base_prefix", "", "prefix path that will be prepended to all paths to support some reverse proxies")
	rawCgroupPrefixWhiteList   = flag.String("raw_cgroup_prefix_whitelist", "", "A comma-separated list of cgroup path prefix that needs to be collected even when -docker_only is specified")
	perfEvents                 = flag.String("perf_events_config", "", "Path to a JSON file containing configuration of perf events to measure. Empty value disabled perf events measuring.")
	resctrlInterval            = flag.Duration("resctrl_interval", 0, "Resctrl mon groups updating interval. Zero value disables updating mon groups.")
	storageDriver              = flag.String("storage_driver", "", "Storage driver to use besides the in-memory cache. This build has none: empty only.")
	storageDuration            = flag.Duration("storage_duration", 2*time.Minute, "How long to keep data stored (Default: 2min).")
)

// The metric sets upstream ignores by default (cmd/cadvisor.go).
var (
	ignoreMetrics = container.MetricSet{
		container.MemoryNumaMetrics:              struct{}{},
		container.NetworkTcpUsageMetrics:         struct{}{},
		container.NetworkUdpUsageMetrics:         struct{}{},
		container.NetworkAdvancedTcpUsageMetrics: struct{}{},
		container.ProcessSchedulerMetrics:        struct{}{},
		container.ProcessMetrics:                 struct{}{},
		container.HugetlbUsageMetrics:            struct{}{},
		container.ReferencedMemoryMetrics:        struct{}{},
		container.CPUTopologyMetrics:             struct{}{},
		container.ResctrlMetrics:                 struct{}{},
		container.CPUSetMetrics:                  struct{}{},
	}
	enableMetrics = container.MetricSet{}
)

func init() {
	optstr := container.AllMetrics.String()
	flag.Var(&ignoreMetrics, "disable_metrics", fmt.Sprintf("comma-separated list of `metrics` to be disabled. Options are %s.", optstr))
	flag.Var(&enableMetrics, "enable_metrics", fmt.Sprintf("comma-separated list of `metrics` to be enabled. If set, overrides 'disable_metrics'. Options are %s.", optstr))

	// The injection seams of lib/manager, as cmd/plugins.go fills them (the
	// process list and application-metrics collectors live in cmd/internal).
	manager.PerfManagerFactory = perf.NewManager
	manager.ResctrlManagerFactory = func(interval time.Duration, vendorID string, inHostNamespace bool) (stats.ResctrlManager, error) {
		return resctrl.NewManager(interval, vendorID, inHostNamespace)
	}
	manager.SummaryReaderFactory = func(spec info.ContainerSpec) (manager.SummaryReader, error) {
		return summary.New(spec)
	}
	manager.CpuLoadReaderFactory = func() (manager.CpuLoadReader, error) {
		return cpuload.New()
	}
}

// OOM kills from the kernel log, counted per container for
// container_oom_events_total (cmd/internal/api/oom.go).
var oomCounts = struct {
	sync.Mutex
	byContainer map[string]uint64
}{byContainer: map[string]uint64{}}

func startOOMWatcher() {
	oomLog, err := oomparser.New()
	if err != nil {
		klog.Warningf("Could not configure a source for OOM detection, disabling OOM events: %v", err)
		return
	}
	out := make(chan *oomparser.OomInstance, 10)
	go oomLog.StreamOoms(out)
	go func() {
		for o := range out {
			oomCounts.Lock()
			oomCounts.byContainer[o.ContainerName]++
			oomCounts.Unlock()
		}
	}()
}

type oomInfoProvider struct{ manager.Manager }

func (p *oomInfoProvider) GetRequestedContainersInfo(name string, o info.RequestOptions) (map[string]*info.ContainerInfo, error) {
	infos, err := p.Manager.GetRequestedContainersInfo(name, o)
	oomCounts.Lock()
	defer oomCounts.Unlock()
	for _, ci := range infos {
		for _, s := range ci.Stats {
			s.OOMEvents = oomCounts.byContainer[ci.Name]
		}
	}
	return infos, err
}

func main() {
	klog.InitFlags(nil)
	defer klog.Flush()
	_ = flag.Set("v", "2")
	flag.Parse()

	if *versionFlag {
		fmt.Printf("cAdvisor version %s (%s)\n", version.Info["version"], version.Info["revision"])
		os.Exit(0)
	}
	if *storageDriver != "" {
		klog.Fatalf("Failed to initialize storage driver: %q is not built in (only the in-memory cache)", *storageDriver)
	}

	included := container.AllMetrics.Difference(ignoreMetrics)
	if len(enableMetrics) > 0 {
		included = enableMetrics
	}
	klog.V(1).Infof("enabled metrics: %s", included.String())
	setMaxProcs()

	m, err := manager.New(memory.New(*storageDuration, nil), sysfs.NewRealSysFs(), manager.HousekeepingConfigFlags,
		included, strings.Split(*rawCgroupPrefixWhiteList, ","), strings.Split(*envMetadataWhiteList, ","), *perfEvents, *resctrlInterval)
	if err != nil {
		klog.Fatalf("Failed to create a manager: %v", err)
	}

	mux := http.NewServeMux()
	if *enableProfiling {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	}
	// cmd/internal/healthz
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok"))
	})

	labels := metrics.DefaultContainerLabels
	if !*storeContainerLabels {
		wl := strings.Split(*whitelistedContainerLabels, ",")
		for i := range wl {
			wl[i] = strings.TrimSpace(wl[i])
		}
		labels = metrics.BaseContainerLabels(wl)
	}
	// cmd/internal/http.RegisterPrometheusHandler, without the ?type= and ?count= query options.
	wrapped := &oomInfoProvider{m}
	goCollector := collectors.NewGoCollector()
	processCollector := collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})
	machineCollector := metrics.NewPrometheusMachineCollector(m, included)
	mux.Handle(*prometheusEndpoint, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		opts := info.RequestOptions{IdType: "name", Count: 1, Recursive: true}
		r := prometheus.NewRegistry()
		r.MustRegister(
			metrics.NewPrometheusCollector(wrapped, labels, included, clock.RealClock{}, opts),
			machineCollector, goCollector, processCollector,
		)
		promhttp.HandlerFor(r, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, req)
	}))

	if err := m.Start(); err != nil {
		klog.Fatalf("Failed to start manager: %v", err)
	}
	startOOMWatcher()

	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-c
		if err := m.Stop(); err != nil {
			klog.Errorf("Failed to stop container manager: %v", err)
		}
		klog.Infof("Exiting given signal: %v", sig)
		os.Exit(0)
	}()

	klog.V(1).Infof("Starting cAdvisor version: %s-%s on port %d", version.Info["version"], version.Info["revision"], *argPort)
	root := http.NewServeMux()
	root.Handle(*urlBasePrefix+"/", http.StripPrefix(*urlBasePrefix, mux))
	klog.Fatal(http.ListenAndServe(fmt.Sprintf("%s:%d", *argIP, *argPort), root))
}

func setMaxProcs() {
	n := runtime.NumCPU()
	if *maxProcs >= 1 {
		n = *maxProcs
	}
	runtime.GOMAXPROCS(n)
	if got := runtime.GOMAXPROCS(0); got != n {
		klog.Warningf("Specified max procs of %v but using %v", n, got)
	}
}
