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
    if cmd == "sendtestemail":
        return sendtestemail(argv[1:])
    sys.stderr.write("manage.py (GlitchTip stand-in): supported: migrate, createcachetable, pgpartition, sendtestemail\n")
    return 2


# Outgoing mail as GlitchTip configures Django's (glitchtip/settings.py:619-642 at v4.1.3):
# each EMAIL_* only when its plain variable is set (os.getenv), EMAIL_URL (django-environ's
# email_url) over them all; then Django's backends (django/core/mail/backends/smtp.py, console.py).
EMAIL_URL_SCHEMES = {
    "smtp": {},
    "smtps": {"EMAIL_USE_TLS": True},
    "smtp+tls": {"EMAIL_USE_TLS": True},
    "smtp+ssl": {"EMAIL_USE_SSL": True},
}


def email_settings():
    s = {
        "EMAIL_BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "EMAIL_HOST": "localhost", "EMAIL_PORT": 25, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": None,
    }
    boolean = lambda v: v.strip().lower() in ("true", "on", "ok", "y", "yes", "1")  # noqa: E731 (environ.Env.BOOLEAN_TRUE_STRINGS)
    for name, cast in (("EMAIL_HOST_USER", str), ("EMAIL_HOST_PASSWORD", str), ("EMAIL_HOST", str),
                       ("EMAIL_PORT", int), ("EMAIL_USE_TLS", boolean), ("EMAIL_USE_SSL", boolean),
                       ("EMAIL_TIMEOUT", int)):
        if os.getenv(name):
            s[name] = cast(env(name))
    if os.getenv("EMAIL_URL"):
        u = urllib.parse.urlsplit(env("EMAIL_URL"))
        if u.scheme == "consolemail":
            s["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
        elif u.scheme in EMAIL_URL_SCHEMES:
            s.update(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                     EMAIL_HOST=u.hostname or "", EMAIL_PORT=u.port or 25,
                     EMAIL_HOST_USER=urllib.parse.unquote(u.username or ""),
                     EMAIL_HOST_PASSWORD=urllib.parse.unquote(u.password or ""),
                     **EMAIL_URL_SCHEMES[u.scheme])
        else:
            raise SystemExit("EMAIL_URL: scheme %r is not supported by the stand-in" % u.scheme)
    return s


def send_mail(subject, body, recipients):
    import smtplib
    import ssl
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    s = email_settings()
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, env("DEFAULT_FROM_EMAIL", "webmaster@localhost"), ", ".join(recipients)
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid()
    msg.set_content(body)
    if s["EMAIL_BACKEND"].endswith("console.EmailBackend"):
        sys.stdout.write(msg.as_string() + "\n" + "-" * 79 + "\n")
        return 1
    if not s["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        raise SystemExit("EMAIL_BACKEND %s is not supported by the stand-in" % s["EMAIL_BACKEND"])
    cls = smtplib.SMTP_SSL if s["EMAIL_USE_SSL"] else smtplib.SMTP
    kw = {"timeout": s["EMAIL_TIMEOUT"]} if s["EMAIL_TIMEOUT"] else {}
    if s["EMAIL_USE_SSL"]:
        kw["context"] = ssl.create_default_context()
    with cls(s["EMAIL_HOST"], int(s["EMAIL_PORT"]), **kw) as c:
        if not s["EMAIL_USE_SSL"] and s["EMAIL_USE_TLS"]:
            c.starttls(context=ssl.create_default_context())
        if s["EMAIL_HOST_USER"] and s["EMAIL_HOST_PASSWORD"]:
            c.login(s["EMAIL_HOST_USER"], s["EMAIL_HOST_PASSWORD"])
        c.send_message(msg)
    return 1


def sendtestemail(args):
    """Django's sendtestemail command (django/core/management/commands/sendtestemail.py)."""
    recipients = [a for a in args if not a.startswith("-")]
    if not recipients:
        sys.stderr.write("usage: manage.py sendtestemail email [email ...]\n")
        return 2
    from datetime import datetime, timezone

    send_mail("Test email from %s on %s" % (socket.gethostname(), datetime.now(timezone.utc)),
              "If you're reading this, it was successful.", recipients)
    return 0


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
