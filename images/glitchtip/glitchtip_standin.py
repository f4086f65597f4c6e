"""GlitchTip interface stand-in (shipyard/glitchtip:bookworm).

Configuration is read as GlitchTip's glitchtip/settings.py reads it, through
django-environ's FileAwareEnv: <NAME>_FILE (the file's content) wins over <NAME>.
"""
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import redis

MIGRATIONS = [
    ("contenttypes", "0001_initial"),
    ("auth", "0001_initial"),
    ("users", "0001_initial"),
    ("organizations_ext", "0001_initial"),
    ("projects", "0001_initial"),
    ("issue_events", "0001_initial"),
    ("sessions", "0001_initial"),
]


def env(name, default=None):
    path = os.environ.get(name + "_FILE")
    if path:
        with open(path) as f:
            return f.read()
    return os.environ.get(name, default)


def log(msg):
    sys.stderr.write("glitchtip-standin: %s\n" % msg)
    sys.stderr.flush()


def database():
    """settings.py: DATABASE_URL, or DATABASE_HOST + DATABASE_PASSWORD in parts."""
    host, password = env("DATABASE_HOST"), env("DATABASE_PASSWORD")
    if host and password:
        return dict(
            host=host,
            port=int(env("DATABASE_PORT", "5432")),
            dbname=env("DATABASE_NAME", "postgres"),
            user=env("DATABASE_USER", "postgres"),
            password=password,
        )
    u = urllib.parse.urlsplit(env("DATABASE_URL", "postgres://postgres:postgres@postgres:5432/postgres"))
    if u.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        raise SystemExit("DATABASE_URL: GlitchTip supports PostgreSQL only, not %s" % u.scheme)
    return dict(
        host=u.hostname,
        port=u.port or 5432,
        dbname=u.path.lstrip("/"),
        user=urllib.parse.unquote(u.username or ""),
        password=urllib.parse.unquote(u.password or ""),
    )


def redis_url():
    host = env("REDIS_HOST")
    if host:
        pw = env("REDIS_PASSWORD")
        auth = ":%s@" % pw if pw else ""
        return "redis://%s%s:%s/%s" % (auth, host, env("REDIS_PORT", "6379"), env("REDIS_DATABASE", "0"))
    return env("REDIS_URL", "redis://redis:6379/0")


def broker():
    return redis.Redis.from_url(env("CELERY_BROKER_URL", redis_url()), socket_timeout=15)


def pg():
    return psycopg2.connect(connect_timeout=5, **database())


def migrated():
    with pg() as db, db.cursor() as c:
        c.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
        if not c.fetchone()[0]:
            return 0
        c.execute("SELECT count(*) FROM django_migrations")
        return c.fetchone()[0]


def manage(argv):
    cmd = argv[0] if argv else "help"
    if cmd == "migrate":
        with pg() as db, db.cursor() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS django_migrations (id bigserial PRIMARY KEY, "
                "app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL)"
            )
            for app, name in MIGRATIONS:
                c.execute("SELECT 1 FROM django_migrations WHERE app=%s AND name=%s", (app, name))
                if c.fetchone():
                    print("  No migrations to apply for %s." % app)
                    continue
                c.execute("INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())", (app, name))
                print("  Applying %s.%s... OK" % (app, name))
        return 0
    if cmd == "createcachetable":
        with pg() as db, db.cursor() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS django_cache (cache_key varchar(255) PRIMARY KEY, "
                "value text NOT NULL, expires timestamptz NOT NULL)"
            )
        return 0
    if cmd == "pgpartition":
        print("No partitions to create or delete (stand-in)")
        return 0
    sys.stderr.write("manage.py (GlitchTip stand-in): supported: migrate, createcachetable, pgpartition\n")
    return 2


HEARTBEAT = "glitchtip-standin:worker:"


def celery(argv):
    args = [a for a in argv if not a.startswith("-A") and a != "glitchtip"]
    if args[:1] == ["worker"]:
        return worker("-B" in args)
    if args[:2] == ["inspect", "ping"]:
        alive = [k.decode()[len(HEARTBEAT):] for k in broker().scan_iter(HEARTBEAT + "*")]
        if not alive:
            print("Error: No nodes replied within time constraint")
            return 69
        for node in alive:
            print("-> celery@%s: OK\n        pong" % node)
        return 0
    sys.stderr.write("celery (GlitchTip stand-in): supported: -A glitchtip worker [-B], -A glitchtip inspect ping\n")
    return 2


def worker(beat):
    r = broker()
    node = socket.gethostname()
    log("celery@%s ready (beat: %s); queue celery" % (node, beat))
    stop = threading.Event()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.is_set():
        try:
            r.set(HEARTBEAT + node, str(int(time.time())), ex=30)
            item = r.brpop(["celery"], timeout=5)
            if item:
                log("task received: %s" % item[1][:200])
        except redis.RedisError as e:
            log("broker: %s" % e)
            stop.wait(3)
    r.delete(HEARTBEAT + node)
    return 0


class Handler(BaseHTTPRequestHandler):
    server_version = "uWSGI (shipyard glitchtip stand-in)"

    def send(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_health/":
            return self.send(200, b"ok", "text/plain")
        if path == "/api/settings/":
            try:
                n = migrated()
            except Exception as e:
                return self.send(503, {"detail": str(e)})
            return self.send(
                200 if n else 503,
                {"glitchtipUrl": env("GLITCHTIP_DOMAIN", "http://localhost:8000"), "migrations": n,
                 "version": os.environ.get("GLITCHTIP_VERSION")},
            )
        if path == "/":
            return self.send(200, b"<!DOCTYPE html><title>GlitchTip</title><h1>GlitchTip</h1>\n", "text/html")
        return self.send(404, {"detail": "Not Found"})

    do_HEAD = do_GET

    def log_message(self, fmt, *args):
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))


def web():
    if not env("SECRET_KEY"):
        raise SystemExit("SECRET_KEY is empty")
    port = os.environ.get("PORT", "8080")
    host, _, port = port.rpartition(":") if ":" in port else ("0.0.0.0", "", port)
    # GlitchTip's web process needs its migrated schema: wait for run-migrate.sh's rows.
    while True:
        try:
            n = migrated()
            if n:
                break
            log("database has no django_migrations yet (run ./bin/run-migrate.sh)")
        except Exception as e:
            log("database: %s" % e)
        time.sleep(3)
    server = ThreadingHTTPServer((host or "0.0.0.0", int(port)), Handler)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log("listening on %s:%s, %d migrations applied, domain %s" % (host or "0.0.0.0", port, n, env("GLITCHTIP_DOMAIN")))
    server.serve_forever()
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["web"]:
    sys.exit(web())
