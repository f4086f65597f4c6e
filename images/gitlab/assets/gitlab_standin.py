"""GitLab CE interface stand-in (shipyard/gitlab:bookworm)."""
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

LOG = "/var/log/gitlab/reconfigure/standin.log"


def log(msg):
    line = "gitlab-standin: %s" % msg
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
    with open(LOG, "a") as f:
        f.write(time.strftime("%Y-%m-%dT%H:%M:%SZ ", time.gmtime()) + line + "\n")


TOKEN = re.compile(r"""\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(;|\n)|([^'";\n]+))""")


def statements(text):
    """gitlab.rb split into statements on ; and line breaks outside quotes; comments dropped."""
    out, cur = [], ""
    for m in TOKEN.finditer(text):
        if m.group(3):
            out.append(cur)
            cur = ""
        elif m.group(1) is not None:
            cur += "'" + m.group(1) + "'"
        elif m.group(2) is not None:
            cur += '"' + m.group(2) + '"'
        else:
            part = m.group(4)
            if "#" in part:
                part = part.split("#", 1)[0]
            cur += " " + part
    out.append(cur)
    return [s.strip() for s in out if s.strip()]


def value(expr):
    expr = expr.strip()
    m = re.fullmatch(r"'(.*)'|\"(.*)\"", expr, re.S)
    if m:
        return m.group(1) if m.group(1) is not None else m.group(2)
    if expr in ("true", "false"):
        return expr == "true"
    if expr == "nil":
        return None
    if re.fullmatch(r"-?\d+", expr):
        return int(expr)
    m = re.fullmatch(r"ENV\[\s*['\"](\w+)['\"]\s*\]", expr)
    if m:
        return os.environ.get(m.group(1))
    m = re.fullmatch(r"File\.read\(\s*(.+?)\s*\)(\.strip|\.chomp)?", expr)
    if m:
        with open(value(m.group(1))) as f:
            v = f.read()
        return v.strip() if m.group(2) == ".strip" else v.rstrip("\n") if m.group(2) else v
    raise ValueError("not evaluated by the stand-in: %s" % expr)


def configure(text, conf):
    for s in statements(text):
        m = re.fullmatch(r"external_url\s*\(?\s*(.+?)\s*\)?", s)
        if m and s.startswith("external_url"):
            conf["external_url"] = value(m.group(1))
            continue
        m = re.fullmatch(r"(\w+)((?:\[\s*['\"][\w-]+['\"]\s*\])+)\s*=\s*(.+)", s)
        if not m:
            log("skipped (not evaluated by the stand-in): %s" % s[:80])
            continue
        keys = [m.group(1)] + re.findall(r"\[\s*['\"]([\w-]+)['\"]\s*\]", m.group(2))
        try:
            v = value(m.group(3))
        except (ValueError, OSError) as e:
            log("skipped: %s" % e)
            continue
        node = conf
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = v


conf = {}
state = {"db": None, "error": "starting"}


def db_settings():
    rails = conf.get("gitlab_rails", {})
    if conf.get("postgresql", {}).get("enable", True) or not rails.get("db_host"):
        return None
    return dict(
        host=rails["db_host"],
        port=int(rails.get("db_port", 5432)),
        dbname=rails.get("db_database", "gitlabhq_production"),
        user=rails.get("db_username", "gitlab"),
        password=rails.get("db_password", ""),
        connect_timeout=5,
    )


def migrate():
    settings = db_settings()
    if settings is None:
        state.update(db=False, error="bundled PostgreSQL is not part of the stand-in: set postgresql['enable'] = false and gitlab_rails['db_*']")
        log(state["error"])
        return
    while True:
        try:
            with psycopg2.connect(**settings) as db, db.cursor() as c:
                c.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version varchar PRIMARY KEY)")
                c.execute(
                    "CREATE TABLE IF NOT EXISTS ar_internal_metadata (key varchar PRIMARY KEY, value varchar, "
                    "created_at timestamp(6) NOT NULL, updated_at timestamp(6) NOT NULL)"
                )
                for v in ("20231101000000", "20231116000000"):
                    c.execute("INSERT INTO schema_migrations VALUES (%s) ON CONFLICT DO NOTHING", (v,))
                c.execute(
                    "INSERT INTO ar_internal_metadata VALUES ('environment', 'production', now(), now()) "
                    "ON CONFLICT (key) DO UPDATE SET updated_at = now()"
                )
            state.update(db=True, error=None)
            log("database %s on %s migrated" % (settings["dbname"], settings["host"]))
            return
        except Exception as e:
            state["error"] = str(e)
            log("database: %s" % e)
            time.sleep(3)


def db_ok():
    settings = db_settings()
    if settings is None or not state["db"]:
        return False
    try:
        with psycopg2.connect(**settings) as db, db.cursor() as c:
            c.execute("SELECT count(*) FROM schema_migrations")
            return c.fetchone()[0] > 0
    except Exception as e:
        state["error"] = str(e)
        return False


class Handler(BaseHTTPRequestHandler):
    server_version = "nginx (shipyard gitlab stand-in)"

    def send(self, code, body, ctype="text/plain; charset=utf-8"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/-/health":
            return self.send(200, b"GitLab OK")
        if path == "/-/liveness":
            return self.send(200, {"status": "ok"}, "application/json")
        if path == "/-/readiness":
            ok = db_ok()
            check = [{"status": "ok"}] if ok else [{"status": "failed", "message": state["error"]}]
            return self.send(
                200 if ok else 503,
                {"status": "ok" if ok else "failed", "master_check": check, "db_check": check},
                "application/json",
            )
        if path in ("/help", "/users/sign_in", "/"):
            if not db_ok():
                return self.send(502, ("GitLab is not responding: %s\n" % state["error"]).encode())
            if path == "/":
                self.send_response(302)
                self.send_header("Location", "%s/users/sign_in" % (conf.get("external_url") or "").rstrip("/"))
                self.send_header("Content-Length", "0")
                return self.end_headers()
            return self.send(200, b"<!DOCTYPE html><title>GitLab</title><h1>GitLab Community Edition</h1>\n", "text/html")
        return self.send(404, b"404 Not Found")

    do_HEAD = do_GET

    def log_message(self, fmt, *args):
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))


def main():
    os.makedirs(os.path.dirname(LOG), exist_ok=True)
    os.makedirs("/var/opt/gitlab/gitlab-rails", exist_ok=True)
    if os.path.exists("/etc/gitlab/gitlab.rb"):
        with open("/etc/gitlab/gitlab.rb") as f:
            configure(f.read(), conf)
    configure(os.environ.get("GITLAB_OMNIBUS_CONFIG", ""), conf)
    # First start: the secrets file and the root password, as Omnibus writes them.
    if not os.path.exists("/etc/gitlab/gitlab-secrets.json"):
        with open(os.open("/etc/gitlab/gitlab-secrets.json", os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            json.dump({"gitlab_rails": {"secret_key_base": secrets.token_hex(64), "db_key_base": secrets.token_hex(64)}}, f)
        if not os.path.exists("/etc/gitlab/initial_root_password"):
            pw = os.environ.get("GITLAB_ROOT_PASSWORD") or conf.get("gitlab_rails", {}).get("initial_root_password") or secrets.token_urlsafe(24)
            with open(os.open("/etc/gitlab/initial_root_password", os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
                f.write("# Password for the root user (stand-in, as Omnibus writes it on the first reconfigure)\nPassword: %s\n" % pw)
    port = int(conf.get("nginx", {}).get("listen_port") or 80)
    with open("/opt/gitlab/etc/gitlab-healthcheck-rc", "w") as f:
        f.write("url='http://localhost:%d/help'\nflags='--insecure'\n" % port)
    with open("/var/opt/gitlab/gitlab-rails/standin-config.json", "w") as f:
        json.dump({"external_url": conf.get("external_url")}, f)
    threading.Thread(target=migrate, daemon=True).start()
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log("listening on :%d, external_url %s" % (port, conf.get("external_url")))
    server.serve_forever()


if __name__ == "__main__":
    main()
