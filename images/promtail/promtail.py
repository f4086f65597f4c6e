#!/usr/bin/python3
"""shipyard/promtail: an interface stand-in for grafana/promtail:3.6.5.

Not promtail: Loki's module is not used here (see docs/images.md, `## monitoring`).
It keeps the upstream image's interface, as far as MonitoringStack and its tests use it:

  /usr/bin/promtail -config.file=/etc/promtail/config.yml   (clients/cmd/promtail/Dockerfile)
  /usr/bin/promtail -version | -check-syntax -config.file=...
  config: server.http_listen_port, positions.filename, clients[].url,
          scrape_configs[] with docker_sd_configs (host unix://..., refresh_interval,
          filters) and relabel_configs (Prometheus relabelling: replace, keep, drop,
          labelmap, labeldrop, labelkeep)
  discovery labels as upstream's (prometheus discovery/moby, promtail targets/docker):
          __meta_docker_container_id, __meta_docker_container_name (with Docker's
          leading /), __meta_docker_container_network_mode,
          __meta_docker_container_label_<sanitized name>, __meta_docker_log_stream
  logs:   the engine's /containers/<id>/logs?follow&timestamps&since=<position>, one
          entry per line; labels starting with __ dropped; positions as
          `cursor-<container id>: <unix seconds>` in positions.filename
  HTTP :9080  GET /ready (200 once a target runs), /metrics
  push:   JSON to clients[].url (upstream sends snappy protobuf; Loki takes both)
"""
import http.client
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

VERSION = "3.6.5"


def log(msg, **kv):
    extra = " ".join(f"{k}={json.dumps(str(v))}" for k, v in kv.items())
    print(f'level=info msg="{msg}" {extra}'.rstrip(), file=sys.stderr, flush=True)


def parse_duration(s, default):
    if s is None:
        return default
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", str(s))
    return sum(float(a) * units[b] for a, b in parts) or default


# ---------------------------------------------------------------- relabelling (Prometheus semantics)


def expand(template, m):
    def sub(x):
        g = x.group(1) or x.group(2)
        try:
            return m.group(int(g) if g.isdigit() else g) or ""
        except IndexError:
            return ""

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", sub, template)


def relabel(labels, rules):
    """The labels after the rules, or None when a rule drops the target."""
    labels = dict(labels)
    for r in rules:
        action = r.get("action", "replace").lower()
        regex = re.compile(str(r.get("regex", "(.*)")))
        sep = str(r.get("separator", ";"))
        value = sep.join(labels.get(s, "") for s in r.get("source_labels") or [])
        if action == "replace":
            m = regex.fullmatch(value)
            if not m:
                continue
            target = expand(str(r.get("target_label", "")), m)
            if not target:
                continue
            v = expand(str(r.get("replacement", "$1")), m)
            if v:
                labels[target] = v
            else:
                labels.pop(target, None)
        elif action == "keep":
            if not regex.fullmatch(value):
                return None
        elif action == "drop":
            if regex.fullmatch(value):
                return None
        elif action == "labelmap":
            for k, v in list(labels.items()):
                m = regex.fullmatch(k)
                if m:
                    labels[expand(str(r.get("replacement", "$1")), m)] = v
        elif action == "labeldrop":
            labels = {k: v for k, v in labels.items() if not regex.fullmatch(k)}
        elif action == "labelkeep":
            labels = {k: v for k, v in labels.items() if regex.fullmatch(k)}
        else:
            raise ValueError(f"relabel action {action} is not supported by this stand-in")
    return labels


def sanitize(name):
    return re.sub(r"[^a-zA-Z0-9_]", "_", name)


# ---------------------------------------------------------------- the engine's API


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=None):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if self.timeout:
            self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def engine(host, timeout=30):
    if not host.startswith("unix://"):
        raise ValueError(f"docker_sd_configs host {host}: this stand-in reads unix:// sockets only")
    return UnixHTTPConnection(host[len("unix://"):], timeout=timeout)


def list_containers(host, filters):
    f = {x["name"]: x["values"] for x in filters or []}
    conn = engine(host)
    conn.request("GET", "/containers/json?" + urllib.parse.urlencode({"filters": json.dumps(f)}))
    r = conn.getresponse()
    body = r.read()
    conn.close()
    if r.status != 200:
        raise RuntimeError(f"container list: {r.status} {body[:200]!r}")
    return json.loads(body)


def discovery_labels(c):
    labels = {
        "__meta_docker_container_id": c["Id"],
        "__meta_docker_container_name": (c.get("Names") or [""])[0],
        "__meta_docker_container_network_mode": (c.get("HostConfig") or {}).get("NetworkMode", ""),
    }
    for k, v in (c.get("Labels") or {}).items():
        labels["__meta_docker_container_label_" + sanitize(k)] = v
    return labels


# ---------------------------------------------------------------- shipping


class Positions:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.data = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.data = (yaml.safe_load(f) or {}).get("positions") or {}

    def get(self, cid):
        return int(self.data.get("cursor-" + cid, 0))

    def put(self, cid, ts):
        with self.lock:
            self.data["cursor-" + cid] = str(ts)

    def save(self):
        with self.lock:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            tmp = self.path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                yaml.safe_dump({"positions": self.data}, f)
            os.replace(tmp, self.path)


class Client:
    """Batches entries per stream and pushes them to Loki every second, retrying."""

    def __init__(self, urls):
        self.urls = urls
        self.lock = threading.Lock()
        self.batch = {}
        self.sent = 0
        threading.Thread(target=self.loop, daemon=True).start()

    def add(self, labels, ns, line):
        key = tuple(sorted(labels.items()))
        with self.lock:
            self.batch.setdefault(key, []).append([str(ns), line])

    def loop(self):
        while True:
            time.sleep(1)
            with self.lock:
                batch, self.batch = self.batch, {}
            if not batch:
                continue
            body = json.dumps({"streams": [{"stream": dict(k), "values": v} for k, v in batch.items()]}).encode()
            for url in self.urls:
                for attempt in range(10):
                    try:
                        req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
                        with urllib.request.urlopen(req, timeout=10):
                            pass
                        self.sent += sum(len(v) for v in batch.values())
                        break
                    except Exception as err:  # noqa: BLE001 - retried, then dropped as upstream does
                        log("error sending batch, will retry", error=err, attempt=attempt)
                        time.sleep(min(2**attempt * 0.5, 5))


def parse_ts(s):
    # 2024-01-02T03:04:05.123456789Z (RFC3339Nano, the engine's form)
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", s)
    if not m:
        return None
    base = datetime.fromisoformat(m.group(1) + (m.group(3).replace("Z", "+00:00")))
    frac = (m.group(2) or "0").ljust(9, "0")[:9]
    return int(base.timestamp()) * 1_000_000_000 + int(frac)


class Target(threading.Thread):
    def __init__(self, host, cid, labels, rules, client, positions):
        super().__init__(daemon=True)
        self.host, self.cid, self.labels, self.rules = host, cid, labels, rules
        self.client, self.positions = client, positions
        self.running = True
        self.entries = 0

    def run(self):
        try:
            self.follow()
        except Exception as err:  # noqa: BLE001 - a target that ends is dropped and found again
            log("docker target stopped", container=self.cid[:12], error=err)
        self.running = False

    def follow(self):
        q = urllib.parse.urlencode(
            {"stdout": 1, "stderr": 1, "follow": 1, "timestamps": 1, "since": self.positions.get(self.cid)}
        )
        conn = engine(self.host, timeout=None)
        conn.request("GET", f"/containers/{self.cid}/json")
        r = conn.getresponse()
        tty = json.loads(r.read()).get("Config", {}).get("Tty", False)
        conn.request("GET", f"/containers/{self.cid}/logs?{q}")
        r = conn.getresponse()
        if r.status != 200:
            raise RuntimeError(f"logs: {r.status}")
        buffers = {"stdout": b"", "stderr": b""}
        while True:
            if tty:
                chunk = r.read1(65536)
                if not chunk:
                    return
                self.feed("stdout", buffers, chunk)
                continue
            head = r.read(8)
            if len(head) < 8:
                return
            kind, size = struct.unpack(">BxxxL", head)
            payload = r.read(size)
            self.feed("stderr" if kind == 2 else "stdout", buffers, payload)

    def feed(self, stream, buffers, data):
        buffers[stream] += data
        *lines, buffers[stream] = buffers[stream].split(b"\n")
        for raw in lines:
            text = raw.decode("utf-8", "replace")
            ts_s, _, line = text.partition(" ")
            ns = parse_ts(ts_s)
            if ns is None:
                ns, line = time.time_ns(), text
            lbl = relabel({**self.labels, "__meta_docker_log_stream": stream}, self.rules)
            if lbl is None:
                continue
            lbl = {k: v for k, v in lbl.items() if not k.startswith("__")}
            if not lbl:
                continue
            self.client.add(lbl, ns, line)
            self.entries += 1
            self.positions.put(self.cid, ns // 1_000_000_000)


class Promtail:
    def __init__(self, cfg):
        self.cfg = cfg
        self.client = Client([c["url"] for c in cfg.get("clients") or []])
        self.positions = Positions((cfg.get("positions") or {}).get("filename", "/tmp/positions.yaml"))
        self.targets = {}
        self.lock = threading.Lock()

    def ready(self):
        with self.lock:
            return any(t.running for t in self.targets.values())

    def discover(self, job, sd):
        host = sd.get("host", "unix:///var/run/docker.sock")
        interval = parse_duration(sd.get("refresh_interval"), 60)
        while True:
            try:
                for c in list_containers(host, sd.get("filters")):
                    key = (job.get("job_name"), c["Id"])
                    with self.lock:
                        t = self.targets.get(key)
                        if t and t.running:
                            continue
                        labels = discovery_labels(c)
                        t = Target(host, c["Id"], labels, job.get("relabel_configs") or [], self.client, self.positions)
                        self.targets[key] = t
                    log("added Docker target", containerID=c["Id"][:12])
                    t.start()
            except Exception as err:  # noqa: BLE001 - the engine may be away for a moment
                log("docker discovery failed", error=err)
            time.sleep(interval)

    def start(self):
        for job in self.cfg.get("scrape_configs") or []:
            for sd in job.get("docker_sd_configs") or []:
                threading.Thread(target=self.discover, args=(job, sd), daemon=True).start()

        def save_loop():
            while True:
                time.sleep(2)
                self.positions.save()

        threading.Thread(target=save_loop, daemon=True).start()

    def metrics(self):
        with self.lock:
            active = sum(1 for t in self.targets.values() if t.running)
            entries = sum(t.entries for t in self.targets.values())
        return (
            "# TYPE promtail_build_info gauge\n"
            f'promtail_build_info{{version="{VERSION}",revision="shipyard-standin",branch="HEAD"}} 1\n'
            "# TYPE promtail_targets_active_total gauge\n"
            f"promtail_targets_active_total {active}\n"
            "# TYPE promtail_docker_target_entries_total counter\n"
            f"promtail_docker_target_entries_total {entries}\n"
            "# TYPE promtail_sent_entries_total counter\n"
            f"promtail_sent_entries_total {self.client.sent}\n"
        )


def make_handler(p):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt_, *args):
            pass

        def send(self, code, text, ctype="text/plain"):
            data = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/ready":
                return self.send(200, "Ready") if p.ready() else self.send(500, "Not ready: Unable to find any logs to tail.")
            if path == "/metrics":
                return self.send(200, p.metrics(), "text/plain; version=0.0.4")
            return self.send(404, "404 page not found\n")

    return Handler


def flag(args, name):
    for i, a in enumerate(args):
        m = re.fullmatch(r"--?" + re.escape(name) + r"(?:=(.*))?", a)
        if m:
            if m.group(1) is not None:
                return m.group(1)
            return args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("-") else ""
    return None


def main(args):
    if flag(args, "version") is not None:
        print(f"promtail, version {VERSION} (shipyard interface stand-in)")
        return 0
    config_file = flag(args, "config.file")
    if not config_file:
        print("Invalid config file", file=sys.stderr)
        return 1
    with open(config_file, encoding="utf-8") as f:
        cfg = yaml.safe_load(f) or {}
    if flag(args, "check-syntax") is not None:
        print("Valid config file! No syntax issues found")
        return 0
    p = Promtail(cfg)
    p.start()
    port = int((cfg.get("server") or {}).get("http_listen_port", 80))
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(p))
    server.daemon_threads = True
    log("promtail stand-in started", version=VERSION, port=port)
    import signal

    def stop(*_):
        p.positions.save()
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
