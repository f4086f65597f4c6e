#!/usr/bin/python3
"""demo: the sample application of this project (ghcr.io/example/demo), a
small real HTTP service. Its interface, the twelve-factor way:

  command          `python3 /srv/app.py [web|worker] [--queue NAME ...]`
                   (default web; a worker consumes the named Redis lists,
                   default "default"), or `python3 /srv/app.py migrate`: applies
                   every /srv/migrations/*.sql (MIGRATIONS_DIR) not yet in the
                   table schema_migrations, in name order, then exits; the
                   first failing file stops it with exit 1 and the error
  PORT             HTTP port on 0.0.0.0 (default 8000)
  DATABASE_URL     mysql://user:password@host:3306/name (MariaDB/MySQL) or
                   postgres://user:password@host:5432/name; unset = no database
  REDIS_URL        redis://[:password@]host:6379[/db]; unset = no Redis; the
                   worker's queue lives there
  APP_NAME         name reported by / and /health (default "demo")
  APP_VERSION      reported by / (default "")
User name and password in the URLs are percent-decoded. Nothing is read from
files: an orchestrator that keeps secrets in files builds the URLs at start.

Endpoints:
  GET  /         {"app", "role", "hostname", "version"}
  GET  /health   200 {"status": "ok", "db": true, "redis": true, ...} when every
                 configured dependency answers (SELECT 1 / PING), else 503
                 with "errors"; unconfigured dependencies are null.
  GET  /db       inserts a row into shipyard_probe (created if missing) and
                 returns the row count.
  POST /enqueue  RPUSH the request body (or a generated JSON job) on the queue.
  GET  /jobs     queue length, processed count and recent processed jobs.
A worker also runs a thread blocking on BLPOP; each job is recorded in Redis
(INCR shipyard:processed:<queue>, LPUSH <queue>:processed).
SIGTERM/SIGINT stop the service promptly.
"""

import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOSTNAME = socket.gethostname()
CONNECT_TIMEOUT = 3


def env(name, default=""):
    return os.environ.get(name, default).strip()


def log(msg):
    sys.stderr.write("%s %s: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S%z"), APP_NAME, msg))
    sys.stderr.flush()


def parse_args(argv):
    role, queues, rest = "web", [], list(argv)
    if rest and not rest[0].startswith("-"):
        role = rest.pop(0)
    while rest:
        arg = rest.pop(0)
        if arg == "--queue" and rest:
            queues.append(rest.pop(0))
        elif arg.startswith("--queue="):
            queues.append(arg.split("=", 1)[1])
        else:
            sys.exit("usage: app.py [web|worker|migrate] [--queue NAME ...]; unknown argument %r" % arg)
    if role not in ("web", "worker", "migrate"):
        sys.exit("the command is web, worker or migrate, not %r" % role)
    return role, queues or ["default"]


def parse_url(name, schemes):
    """$NAME as a URL of one of `schemes`, or None when unset."""
    raw = env(name)
    if not raw:
        return None
    u = urllib.parse.urlsplit(raw)
    if u.scheme not in schemes:
        sys.exit("%s: the scheme is %r; allowed: %s" % (name, u.scheme, ", ".join(schemes)))
    if not u.hostname:
        sys.exit("%s names no host" % name)
    return u


APP_NAME = env("APP_NAME", "demo")
APP_VERSION = env("APP_VERSION")
PORT = int(env("PORT", "8000") or 8000)
ROLE, QUEUES = parse_args(sys.argv[1:])
QUEUE_NAME = QUEUES[0]
DB_URL = parse_url("DATABASE_URL", {"mysql": "mariadb", "mariadb": "mariadb", "postgres": "postgres",
                                    "postgresql": "postgres"})
DB_ENGINE = {"mysql": "mariadb", "mariadb": "mariadb"}.get(DB_URL.scheme, "postgres") if DB_URL else ""
REDIS_URL = parse_url("REDIS_URL", {"redis": "redis"})


# ---------------------------------------------------------------- database

class Database:
    def __init__(self, engine, url):
        self.engine = engine
        self.host = url.hostname
        self.port = url.port or (3306 if engine == "mariadb" else 5432)
        self.name = urllib.parse.unquote(url.path.lstrip("/"))
        self.user = urllib.parse.unquote(url.username or "")
        self.password = urllib.parse.unquote(url.password or "")

    def connect(self):
        password = self.password
        if self.engine == "mariadb":
            import pymysql
            return pymysql.connect(
                host=self.host, port=self.port, user=self.user, password=password,
                database=self.name or None, connect_timeout=CONNECT_TIMEOUT,
                read_timeout=10, write_timeout=10, autocommit=True, charset="utf8mb4")
        import psycopg2
        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=password,
            dbname=self.name or None, connect_timeout=CONNECT_TIMEOUT,
            application_name=APP_NAME[:63], options="-c statement_timeout=10000")

    def ping(self):
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT 1")
            row = cur.fetchone()
            if not row or row[0] != 1:
                raise RuntimeError("SELECT 1 returned %r" % (row,))
        finally:
            conn.close()

    def probe(self):
        """Write one row into shipyard_probe, return the row count."""
        conn = self.connect()
        try:
            cur = conn.cursor()
            if self.engine == "mariadb":
                cur.execute(
                    "CREATE TABLE IF NOT EXISTS shipyard_probe ("
                    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                    " app VARCHAR(255) NOT NULL, host VARCHAR(255) NOT NULL,"
                    " created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)")
                cur.execute("INSERT INTO shipyard_probe (app, host) VALUES (%s, %s)",
                            (APP_NAME, HOSTNAME))
                last_id = cur.lastrowid
                cur.execute("SELECT COUNT(*) FROM shipyard_probe")
                count = cur.fetchone()[0]
            else:
                # concurrent CREATE TABLE IF NOT EXISTS can race in PostgreSQL
                cur.execute("SELECT pg_advisory_xact_lock(hashtext('shipyard_probe'))")
                cur.execute(
                    "CREATE TABLE IF NOT EXISTS shipyard_probe ("
                    " id BIGSERIAL PRIMARY KEY,"
                    " app TEXT NOT NULL, host TEXT NOT NULL,"
                    " created_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                cur.execute("INSERT INTO shipyard_probe (app, host) VALUES (%s, %s) RETURNING id",
                            (APP_NAME, HOSTNAME))
                last_id = cur.fetchone()[0]
                cur.execute("SELECT COUNT(*) FROM shipyard_probe")
                count = cur.fetchone()[0]
                conn.commit()
            return {"engine": self.engine, "database": self.name, "inserted_id": last_id,
                    "rows": int(count)}
        finally:
            conn.close()


# ---------------------------------------------------------------- redis

def redis_client(blocking=False):
    """A client for $REDIS_URL, or None when it is unset."""
    if REDIS_URL is None:
        return None
    import redis
    db = REDIS_URL.path.lstrip("/")
    return redis.Redis(
        host=REDIS_URL.hostname, port=REDIS_URL.port or 6379, db=int(db or 0),
        username=urllib.parse.unquote(REDIS_URL.username) if REDIS_URL.username else None,
        password=urllib.parse.unquote(REDIS_URL.password) if REDIS_URL.password else None,
        socket_connect_timeout=CONNECT_TIMEOUT,
        # the worker's BLPOP waits up to 30 s; everything else answers fast
        socket_timeout=40 if blocking else 5, socket_keepalive=True,
        health_check_interval=30, decode_responses=True)


DB = Database(DB_ENGINE, DB_URL) if DB_URL else None
REDIS = redis_client()
QUEUE = REDIS
STOP = threading.Event()


# ---------------------------------------------------------------- worker

class Worker(threading.Thread):
    BLPOP_TIMEOUT = 30

    def __init__(self):
        super().__init__(name="worker", daemon=True)
        self.client = redis_client(blocking=True)
        self.processed = 0
        self.last_job = None
        self.last_error = None
        self.waiting = False

    def run(self):
        backoff = 0.5
        log("worker: waiting for jobs on %s" % ", ".join(QUEUES))
        while not STOP.is_set():
            try:
                self.waiting = True
                item = self.client.blpop(QUEUES, timeout=self.BLPOP_TIMEOUT)
                self.waiting = False
                self.last_error = None
                backoff = 0.5
                if item is None:
                    continue  # BLPOP timed out: re-issue it
                self.handle(item[0], item[1])
            except Exception as e:  # connection lost, Redis restarting, ...
                self.waiting = False
                self.last_error = "%s: %s" % (type(e).__name__, e)
                log("worker: %s (retrying in %.1fs)" % (self.last_error, backoff))
                STOP.wait(backoff)
                backoff = min(backoff * 2, 2)

    def handle(self, queue, payload):
        try:
            job = json.loads(payload)
        except ValueError:
            job = payload
        record = {"job": job, "worker": HOSTNAME, "app": APP_NAME,
                  "processed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        pipe = self.client.pipeline()
        pipe.incr("shipyard:processed:" + queue)
        pipe.lpush(queue + ":processed", json.dumps(record))
        pipe.ltrim(queue + ":processed", 0, 99)
        pipe.execute()
        self.processed += 1
        self.last_job = record
        log("worker: processed job %s" % json.dumps(job)[:200])


WORKER = Worker() if ROLE == "worker" and QUEUE is not None else None


# ---------------------------------------------------------------- http

def health():
    body = {"status": "ok", "app": APP_NAME, "role": ROLE, "hostname": HOSTNAME,
            "db": None, "redis": None}
    errors = {}
    if DB:
        try:
            DB.ping()
            body["db"] = True
        except Exception as e:
            body["db"] = False
            errors["db"] = "%s: %s" % (type(e).__name__, e)
    if REDIS is not None:
        try:
            body["redis"] = bool(REDIS.ping())
        except Exception as e:
            body["redis"] = False
            errors["redis"] = "%s: %s" % (type(e).__name__, e)
    if ROLE == "worker":
        if WORKER is None:
            body["worker"] = False
            errors["worker"] = "a worker needs REDIS_URL"
        else:
            alive = WORKER.is_alive()
            body["worker"] = {"alive": alive, "queues": QUEUES,
                              "processed": WORKER.processed, "last_error": WORKER.last_error}
            if not alive:
                errors["worker"] = "worker thread is not running"
            elif WORKER.last_error:
                errors["worker"] = WORKER.last_error
    if errors:
        body["status"] = "error"
        body["errors"] = errors
    return (503 if errors else 200), body


class Handler(BaseHTTPRequestHandler):
    server_version = "shipyard-app/1"
    protocol_version = "HTTP/1.1"

    def send_json(self, code, body):
        data = (json.dumps(body, default=str) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/":
            self.send_json(200, {"app": APP_NAME, "role": ROLE, "hostname": HOSTNAME,
                                 "version": APP_VERSION})
        elif path == "/health":
            self.send_json(*health())
        elif path == "/db":
            if DB is None:
                self.send_json(404, {"error": "no database configured (DATABASE_URL is unset)"})
                return
            try:
                self.send_json(200, DB.probe())
            except Exception as e:
                self.send_json(503, {"error": "%s: %s" % (type(e).__name__, e)})
        elif path == "/jobs":
            if QUEUE is None:
                self.send_json(404, {"error": "no Redis configured for the queue"})
                return
            try:
                pipe = QUEUE.pipeline()
                pipe.llen(QUEUE_NAME)
                pipe.get("shipyard:processed:" + QUEUE_NAME)
                pipe.lrange(QUEUE_NAME + ":processed", 0, 9)
                pending, processed, recent = pipe.execute()
                self.send_json(200, {"queue": QUEUE_NAME, "pending": pending,
                                     "processed": int(processed or 0),
                                     "recent": [json.loads(r) for r in recent]})
            except Exception as e:
                self.send_json(503, {"error": "%s: %s" % (type(e).__name__, e)})
        else:
            self.send_json(404, {"error": "not found", "path": path})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if path != "/enqueue":
            self.send_json(404, {"error": "not found", "path": path})
            return
        if QUEUE is None:
            self.send_json(404, {"error": "no Redis configured for the queue"})
            return
        if not payload:
            payload = json.dumps({"id": uuid.uuid4().hex, "from": HOSTNAME,
                                  "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        try:
            n = QUEUE.rpush(QUEUE_NAME, payload)
            self.send_json(202, {"queued": True, "queue": QUEUE_NAME, "queue_length": n})
        except Exception as e:
            self.send_json(503, {"error": "%s: %s" % (type(e).__name__, e)})

    def log_message(self, fmt, *args):
        # keep health probes out of the access log unless they fail
        if self.path.startswith("/health") and args and str(args[1]) == "200":
            return
        sys.stderr.write("%s - [%s] %s\n" % (self.address_string(),
                                              self.log_date_time_string(), fmt % args))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def migrate():
    """Apply the migrations not yet recorded in schema_migrations; 0 when all are applied."""
    if DB is None:
        log("migrate: DATABASE_URL is not set")
        return 1
    folder = env("MIGRATIONS_DIR", "/srv/migrations")
    files = sorted(f for f in os.listdir(folder) if f.endswith(".sql")) if os.path.isdir(folder) else []
    conn = DB.connect()
    try:
        cur = conn.cursor()
        stamp = "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)" if DB.engine == "mariadb" \
            else "TIMESTAMPTZ NOT NULL DEFAULT now()"
        cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version VARCHAR(255) PRIMARY KEY, applied_at %s)" % stamp)
        cur.execute("SELECT version FROM schema_migrations")
        done = {r[0] for r in cur.fetchall()}
        if DB.engine != "mariadb":
            conn.commit()
        applied = 0
        for f in files:
            version = f[:-len(".sql")]
            if version in done:
                continue
            with open(os.path.join(folder, f), encoding="utf-8") as fh:
                statements = [x.strip() for x in fh.read().split(";") if x.strip()]
            try:
                for statement in statements:
                    cur.execute(statement)
                cur.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
                if DB.engine != "mariadb":
                    conn.commit()
            except Exception as e:  # the driver's own error, printed as it came
                log("migrate: %s failed: %s" % (f, e))
                return 1
            log("migrate: applied %s" % f)
            applied += 1
        log("migrate: %d applied, %d already applied" % (applied, len(done)))
        return 0
    finally:
        conn.close()


def main():
    if ROLE == "migrate":
        return migrate()
    # block the stop signals in every thread; the main thread waits for them
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    httpd = Server(("0.0.0.0", PORT), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                     name="http", daemon=True).start()
    if WORKER is not None:
        WORKER.start()
    log("listening on :%d as %s (db=%s, redis=%s, queues=%s)" % (
        PORT, ROLE, DB_ENGINE or "none", REDIS_URL.hostname if REDIS_URL else "none",
        ",".join(QUEUES) if WORKER is not None else "none"))
    sig = signal.sigwait(signals)
    log("received %s, stopping" % signal.Signals(sig).name)
    STOP.set()
    httpd.shutdown()
    httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
