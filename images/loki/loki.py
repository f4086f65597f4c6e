#!/usr/bin/python3
"""shipyard/loki: an interface stand-in for grafana/loki:3.6.5 (single binary).

Not Loki: Loki's code is not used here (see docs/images.md, `## monitoring`). It
keeps the upstream image's interface, as far as MonitoringStack and its tests use it:

  /usr/bin/loki -config.file=/etc/loki/local-config.yaml   (cmd/loki/Dockerfile)
  /usr/bin/loki -health [-health.url=URL]                  (cmd/loki/health.go)
  /usr/bin/loki -version
  config: server.http_listen_port, common.path_prefix, limits_config.retention_period
  HTTP :3100  GET /ready, /metrics, /loki/api/v1/status/buildinfo
              POST /loki/api/v1/push (JSON body; Loki also takes snappy protobuf)
              GET /loki/api/v1/query, /loki/api/v1/query_range, /loki/api/v1/labels,
                  /loki/api/v1/label/<name>/values, /loki/api/v1/series
  LogQL subset: stream selectors (= != =~ !~), line filters (|= != |~ !~),
              count_over_time / rate / bytes_over_time / bytes_rate over [range],
              sum / count / min / max / avg [by|without (labels)].
  data: JSON lines under <path_prefix>/chunks (a volume), reloaded at start;
        entries older than the retention period are dropped.
"""
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

VERSION = "3.6.5"


class QueryError(Exception):
    pass


def parse_duration(s):
    """A Prometheus/Loki duration (1h30m, 15d, 500ms) in seconds."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)", s)
    if not parts or "".join(a + b for a, b in parts) != s:
        raise QueryError(f"not a duration: {s!r}")
    return sum(float(a) * units[b] for a, b in parts)


# ---------------------------------------------------------------- LogQL subset


class Lexer:
    TOKEN = re.compile(
        r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)|(?P<dur>\[[^\]]+\])|(?P<op>\|=|\|~|!=|!~|=~|=|\||[{}(),])'
        r"|(?P<num>\d+(?:\.\d+)?)|(?P<id>[A-Za-z_][A-Za-z0-9_]*))"
    )

    def __init__(self, text):
        self.tokens = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = self.TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise QueryError(f"parse error at {pos}: {text[pos:pos + 20]!r}")
            kind = m.lastgroup
            val = m.group(kind)
            if kind == "str":
                val = json.loads(val) if val.startswith('"') else val[1:-1]
            self.tokens.append((kind, val))
            pos = m.end()
        self.i = 0

    def peek(self, k=0):
        return self.tokens[self.i + k] if self.i + k < len(self.tokens) else (None, None)

    def take(self, kind=None, val=None):
        t = self.peek()
        if (kind and t[0] != kind) or (val is not None and t[1] != val):
            raise QueryError(f"expected {val or kind}, found {t[1]!r}")
        self.i += 1
        return t[1]


RANGE_FUNCS = {"count_over_time", "rate", "bytes_over_time", "bytes_rate"}
AGGREGATIONS = {"sum", "count", "min", "max", "avg"}


def parse_log_query(lx):
    lx.take("op", "{")
    matchers = []
    while lx.peek()[1] != "}":
        name = lx.take("id")
        op = lx.take("op")
        if op not in ("=", "!=", "=~", "!~"):
            raise QueryError(f"bad matcher operator {op}")
        value = lx.take("str")
        matchers.append((name, op, value if op in ("=", "!=") else re.compile(value)))
        if lx.peek()[1] == ",":
            lx.take()
    lx.take("op", "}")
    if not matchers:
        raise QueryError("queries require at least one regexp or equality matcher that does not have an empty-compatible value")
    filters = []
    while lx.peek()[1] in ("|=", "!=", "|~", "!~", "|"):
        op = lx.take("op")
        if op == "|":
            raise QueryError(f"parser or formatter stage | {lx.peek()[1]} is not supported by this stand-in")
        value = lx.take("str")
        filters.append((op, value if op in ("|=", "!=") else re.compile(value)))
    return {"kind": "log", "matchers": matchers, "filters": filters}


def parse_expr(lx):
    kind, val = lx.peek()
    if kind == "op" and val == "{":
        return parse_log_query(lx)
    if kind == "id" and val in RANGE_FUNCS:
        lx.take()
        lx.take("op", "(")
        inner = parse_log_query(lx)
        rng = parse_duration(lx.take("dur")[1:-1].strip())
        lx.take("op", ")")
        return {"kind": "range", "func": val, "log": inner, "range": rng}
    if kind == "id" and val in AGGREGATIONS:
        lx.take()
        grouping = None
        if lx.peek()[1] in ("by", "without"):
            grouping = parse_grouping(lx)
        lx.take("op", "(")
        inner = parse_expr(lx)
        lx.take("op", ")")
        if grouping is None and lx.peek()[1] in ("by", "without"):
            grouping = parse_grouping(lx)
        if inner["kind"] == "log":
            raise QueryError("an aggregation needs a metric query")
        return {"kind": "agg", "op": val, "grouping": grouping, "inner": inner}
    raise QueryError(f"unexpected {val!r}")


def parse_grouping(lx):
    how = lx.take("id")
    lx.take("op", "(")
    labels = []
    while lx.peek()[1] != ")":
        labels.append(lx.take("id"))
        if lx.peek()[1] == ",":
            lx.take()
    lx.take("op", ")")
    return (how, labels)


def parse_query(text):
    lx = Lexer(text)
    e = parse_expr(lx)
    if lx.peek()[0] is not None:
        raise QueryError(f"unexpected {lx.peek()[1]!r} after the expression")
    return e


def stream_matches(labels, matchers):
    for name, op, value in matchers:
        v = labels.get(name, "")
        if op == "=" and v != value:
            return False
        if op == "!=" and v == value:
            return False
        if op == "=~" and not value.fullmatch(v):
            return False
        if op == "!~" and value.fullmatch(v):
            return False
    return True


def line_matches(line, filters):
    for op, value in filters:
        if op == "|=" and value not in line:
            return False
        if op == "!=" and value in line:
            return False
        if op == "|~" and not value.search(line):
            return False
        if op == "!~" and value.search(line):
            return False
    return True


# ---------------------------------------------------------------- store


class Store:
    def __init__(self, directory, retention):
        self.lock = threading.Lock()
        self.streams = {}  # key (sorted label tuples) -> {"labels": {}, "entries": [(ns, line)], "seen": set()}
        self.retention = retention
        self.lines_received = 0
        os.makedirs(directory, exist_ok=True)
        self.path = os.path.join(directory, "shipyard-standin.jsonl")
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                for raw in f:
                    try:
                        r = json.loads(raw)
                    except ValueError:
                        continue  # a line cut short by a kill
                    self._add(r["s"], int(r["t"]), r["l"])
        self.expire()
        self.file = open(self.path, "a", encoding="utf-8")

    def _add(self, labels, ns, line):
        key = tuple(sorted(labels.items()))
        s = self.streams.setdefault(key, {"labels": dict(labels), "entries": [], "seen": set()})
        if (ns, line) in s["seen"]:  # Loki drops an entry identical to one it has
            return False
        s["seen"].add((ns, line))
        s["entries"].append((ns, line))
        return True

    def push(self, streams):
        with self.lock:
            for st in streams:
                labels = st.get("stream") or {}
                if not labels:
                    raise QueryError("error at least one label pair is required per stream")
                for v in st.get("values") or []:
                    ns, line = int(v[0]), str(v[1])
                    if self._add(labels, ns, line):
                        self.lines_received += 1
                        self.file.write(json.dumps({"s": labels, "t": str(ns), "l": line}) + "\n")
            self.file.flush()

    def expire(self):
        if not self.retention:
            return
        cutoff = int((time.time() - self.retention) * 1e9)
        with self.lock:
            dropped = False
            for s in self.streams.values():
                keep = [e for e in s["entries"] if e[0] >= cutoff]
                if len(keep) != len(s["entries"]):
                    dropped = True
                    s["entries"] = keep
                    s["seen"] = set(keep)
            if dropped:
                tmp = self.path + ".tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    for s in self.streams.values():
                        for ns, line in s["entries"]:
                            f.write(json.dumps({"s": s["labels"], "t": str(ns), "l": line}) + "\n")
                os.replace(tmp, self.path)
                if getattr(self, "file", None):
                    self.file.close()
                    self.file = open(self.path, "a", encoding="utf-8")

    def select(self, log, start_ns, end_ns):
        """(labels, sorted entries) of every matching stream within [start, end)."""
        with self.lock:
            out = []
            for s in self.streams.values():
                if not stream_matches(s["labels"], log["matchers"]):
                    continue
                es = [e for e in s["entries"] if start_ns <= e[0] < end_ns and line_matches(e[1], log["filters"])]
                if es:
                    out.append((s["labels"], sorted(es)))
            return out


# ---------------------------------------------------------------- evaluation


def eval_range(store, e, ts_list):
    """Series {labels-key: (labels, {t: value})} of a range aggregation at each time."""
    rng = e["range"]
    lo = int((min(ts_list) - rng) * 1e9)
    hi = int(max(ts_list) * 1e9) + 1
    series = {}
    for labels, entries in store.select(e["log"], lo, hi):
        points = {}
        for t in ts_list:
            a, b = int((t - rng) * 1e9), int(t * 1e9)
            inside = [en for en in entries if a < en[0] <= b]
            if not inside:
                continue
            if e["func"] in ("count_over_time", "rate"):
                v = float(len(inside))
            else:
                v = float(sum(len(en[1].encode()) for en in inside))
            if e["func"] in ("rate", "bytes_rate"):
                v /= rng
            points[t] = v
        if points:
            series[tuple(sorted(labels.items()))] = (labels, points)
    return series


def eval_metric(store, e, ts_list):
    if e["kind"] == "range":
        return eval_range(store, e, ts_list)
    inner = eval_metric(store, e["inner"], ts_list)
    groups = {}
    for labels, points in inner.values():
        if e["grouping"] is None:
            glabels = {}
        elif e["grouping"][0] == "by":
            glabels = {k: v for k, v in labels.items() if k in e["grouping"][1]}
        else:
            glabels = {k: v for k, v in labels.items() if k not in e["grouping"][1]}
        key = tuple(sorted(glabels.items()))
        g = groups.setdefault(key, (glabels, {}))
        for t, v in points.items():
            g[1].setdefault(t, []).append(v)
    fn = {
        "sum": sum,
        "count": lambda vs: float(len(vs)),
        "min": min,
        "max": max,
        "avg": lambda vs: sum(vs) / len(vs),
    }[e["op"]]
    return {k: (lbl, {t: fn(vs) for t, vs in pts.items()}) for k, (lbl, pts) in groups.items()}


def fmt(v):
    return repr(v) if v != int(v) else str(int(v))


def parse_time(s, default):
    if s is None or s == "":
        return default
    try:
        f = float(s)
        return f / 1e9 if f > 1e12 else f  # nanoseconds, or (fractional) seconds
    except ValueError:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def run_query(store, params, instant):
    text = params.get("query")
    if not text:
        raise QueryError("query is required")
    e = parse_query(text)
    now = time.time()
    limit = int(params.get("limit", "100"))
    forward = params.get("direction", "backward") == "forward"
    if instant:
        t = parse_time(params.get("time"), now)
        start, end = t - 3600, t
    else:
        end = parse_time(params.get("end"), now)
        start = parse_time(params.get("start"), end - 3600)
    if e["kind"] == "log":
        result = []
        for labels, entries in store.select(e, int(start * 1e9), int(end * 1e9) + (1 if instant else 0)):
            es = entries if forward else list(reversed(entries))
            result.append({"stream": labels, "values": [[str(ns), line] for ns, line in es[:limit]]})
        return {"resultType": "streams", "result": result}
    if instant:
        series = eval_metric(store, e, [t])
        return {
            "resultType": "vector",
            "result": [{"metric": lbl, "value": [t, fmt(pts[t])]} for lbl, pts in series.values() if t in pts],
        }
    step = params.get("step")
    if step:
        step_s = float(step) if re.fullmatch(r"\d+(\.\d+)?", step) else parse_duration(step)
    else:
        step_s = max(1.0, (end - start) / 250)
    ts_list, t = [], start
    while t <= end and len(ts_list) < 11000:
        ts_list.append(round(t, 3))
        t += step_s
    series = eval_metric(store, e, ts_list)
    return {
        "resultType": "matrix",
        "result": [
            {"metric": lbl, "values": [[t, fmt(v)] for t, v in sorted(pts.items())]} for lbl, pts in series.values()
        ],
    }


# ---------------------------------------------------------------- HTTP


def make_handler(store):
    class Handler(BaseHTTPRequestHandler):
        server_version = "loki-standin/" + VERSION
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt_, *args):
            pass

        def send(self, code, body, ctype="application/json"):
            data = body if isinstance(body, bytes) else (json.dumps(body) if ctype == "application/json" else body).encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def params(self):
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
            if self.command == "POST" and self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                q.update(urllib.parse.parse_qs(body, keep_blank_values=True))
            return u.path, q

        def do_GET(self):
            path, q = self.params()
            one = {k: v[-1] for k, v in q.items()}
            try:
                if path == "/ready":
                    return self.send(200, "ready\n", "text/plain")
                if path == "/metrics":
                    return self.send(200, metrics(store), "text/plain; version=0.0.4")
                if path == "/loki/api/v1/status/buildinfo":
                    return self.send(200, {"version": VERSION, "revision": "shipyard-standin", "branch": "HEAD"})
                if path in ("/loki/api/v1/query", "/loki/api/v1/query_range"):
                    data = run_query(store, one, instant=path.endswith("/query"))
                    return self.send(200, {"status": "success", "data": {**data, "stats": {}}})
                if path == "/loki/api/v1/labels":
                    with store.lock:
                        names = sorted({k for s in store.streams.values() for k in s["labels"]})
                    return self.send(200, {"status": "success", "data": names})
                m = re.fullmatch(r"/loki/api/v1/label/([^/]+)/values", path)
                if m:
                    with store.lock:
                        vals = sorted({s["labels"][m.group(1)] for s in store.streams.values() if m.group(1) in s["labels"]})
                    return self.send(200, {"status": "success", "data": vals})
                if path == "/loki/api/v1/series":
                    out = []
                    for sel in q.get("match[]", []) + q.get("match", []):
                        log = parse_query(sel)
                        if log["kind"] != "log":
                            raise QueryError("series needs a stream selector")
                        with store.lock:
                            out += [s["labels"] for s in store.streams.values() if stream_matches(s["labels"], log["matchers"])]
                    return self.send(200, {"status": "success", "data": out})
                return self.send(404, "404 page not found\n", "text/plain")
            except QueryError as err:
                return self.send(400, f"{err}\n", "text/plain")

        def do_POST(self):
            if self.path.split("?")[0] in ("/loki/api/v1/query", "/loki/api/v1/query_range"):
                return self.do_GET()
            if self.path != "/loki/api/v1/push":
                return self.send(404, "404 page not found\n", "text/plain")
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self.send(415, "this stand-in takes JSON pushes (Content-Type: application/json) only\n", "text/plain")
            try:
                store.push(json.loads(body).get("streams") or [])
            except (ValueError, KeyError, TypeError, QueryError) as err:
                return self.send(400, f"{err}\n", "text/plain")
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def metrics(store):
    with store.lock:
        n = len(store.streams)
    return (
        "# TYPE loki_build_info gauge\n"
        f'loki_build_info{{version="{VERSION}",revision="shipyard-standin",branch="HEAD"}} 1\n'
        "# TYPE loki_ingester_memory_streams gauge\n"
        f"loki_ingester_memory_streams {n}\n"
        "# TYPE loki_distributor_lines_received_total counter\n"
        f"loki_distributor_lines_received_total {store.lines_received}\n"
    )


def flag(args, name):
    for i, a in enumerate(args):
        m = re.fullmatch(r"--?" + re.escape(name) + r"(?:=(.*))?", a)
        if m:
            if m.group(1) is not None:
                return m.group(1)
            return args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("-") else ""
    return None


def main(args):
    if flag(args, "health") is not None:
        url = flag(args, "health.url") or "http://localhost:3100/ready"
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                ok = r.status == 200
        except Exception as err:  # noqa: BLE001 - any failure is unhealthy
            print(f"Health check failed: {err}", file=sys.stderr)
            return 1
        print("Loki is healthy" if ok else "Loki is unhealthy")
        return 0 if ok else 1
    if flag(args, "version") is not None:
        print(f"loki, version {VERSION} (shipyard interface stand-in)")
        return 0
    config_file = flag(args, "config.file")
    if not config_file:
        print("config.file is required", file=sys.stderr)
        return 1
    with open(config_file, encoding="utf-8") as f:
        cfg = yaml.safe_load(f) or {}
    port = int((cfg.get("server") or {}).get("http_listen_port", 3100))
    prefix = (cfg.get("common") or {}).get("path_prefix", "/loki")
    retention = (cfg.get("limits_config") or {}).get("retention_period")
    store = Store(os.path.join(prefix, "chunks"), parse_duration(str(retention)) if retention else 0)

    def expire_loop():
        while True:
            time.sleep(600)
            store.expire()

    threading.Thread(target=expire_loop, daemon=True).start()
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(store))
    server.daemon_threads = True
    print(f"level=info msg=\"Loki stand-in started\" version={VERSION} port={port}", file=sys.stderr, flush=True)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: (server.shutdown(), None))
    t = threading.Thread(target=server.serve_forever)
    t.start()
    t.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
