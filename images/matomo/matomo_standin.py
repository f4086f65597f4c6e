#!/usr/bin/python3
"""Matomo interface stand-in (shipyard/matomo:bookworm).

Reads what the matomo image's entrypoint exported (MATOMO_DATABASE_HOST,
_USERNAME, _PASSWORD, _DBNAME) and the other MATOMO_DATABASE_* names Matomo
honours; installs its tables into that MariaDB/MySQL database; records
tracking requests there. Binds :80 as root, then runs as www-data.
"""
import grp
import os
import pwd
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pymysql

E = os.environ
HOST = E.get("MATOMO_DATABASE_HOST", "")
PREFIX = E.get("MATOMO_DATABASE_TABLES_PREFIX", "matomo_")
ADAPTER = E.get("MATOMO_DATABASE_ADAPTER", "PDO\\MYSQL")
TRACKER_TEXT = b"This resource is part of Matomo. (shipyard interface stand-in)\n"
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def log(msg):
    sys.stderr.write("matomo-standin: %s\n" % msg)


def connect():
    host, _, port = HOST.partition(":")
    return pymysql.connect(
        host=host,
        port=int(port or E.get("MATOMO_DATABASE_PORT") or 3306),
        user=E.get("MATOMO_DATABASE_USERNAME", ""),
        password=E.get("MATOMO_DATABASE_PASSWORD", ""),
        database=E.get("MATOMO_DATABASE_DBNAME", ""),
        connect_timeout=5,
        autocommit=True,
    )


state = {"installed": False, "error": "not installed yet"}


def install():
    """What Matomo's installer leaves behind: its tables, the core version and config.ini.php."""
    with connect() as db, db.cursor() as c:
        c.execute(
            "CREATE TABLE IF NOT EXISTS `%soption` (option_name VARCHAR(191) NOT NULL PRIMARY KEY, "
            "option_value LONGTEXT NOT NULL, autoload TINYINT NOT NULL DEFAULT 1)" % PREFIX
        )
        c.execute(
            "CREATE TABLE IF NOT EXISTS `%slog_visit` (idvisit BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
            "idsite INT UNSIGNED NOT NULL, visit_last_action_time DATETIME NOT NULL, action_url TEXT)" % PREFIX
        )
        c.execute(
            "INSERT INTO `%soption` (option_name, option_value) VALUES ('version_core', %%s) "
            "ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)" % PREFIX,
            ("standin-" + E.get("MATOMO_VERSION", "4.15")),
        )
    os.makedirs("config", exist_ok=True)
    with open("config/config.ini.php", "w") as f:
        f.write(
            "; <?php exit; ?> DO NOT REMOVE THIS LINE\n[database]\nhost = \"%s\"\nusername = \"%s\"\n"
            "dbname = \"%s\"\ntables_prefix = \"%s\"\nadapter = \"%s\"\n; password: from MATOMO_DATABASE_PASSWORD at run time\n"
            % (HOST, E.get("MATOMO_DATABASE_USERNAME", ""), E.get("MATOMO_DATABASE_DBNAME", ""), PREFIX, ADAPTER)
        )
    state.update(installed=True, error=None)
    log("installed into %s (tables %soption, %slog_visit)" % (E.get("MATOMO_DATABASE_DBNAME"), PREFIX, PREFIX))


def installer():
    while not state["installed"]:
        try:
            install()
        except Exception as e:  # the database may still be starting
            state["error"] = str(e)
            log("install: %s" % e)
            time.sleep(3)


def track(idsite, url):
    with connect() as db, db.cursor() as c:
        c.execute(
            "INSERT INTO `%slog_visit` (idsite, visit_last_action_time, action_url) VALUES (%%s, UTC_TIMESTAMP(), %%s)"
            % PREFIX,
            (idsite, url),
        )


class Handler(BaseHTTPRequestHandler):
    server_version = "Apache (shipyard matomo stand-in)"

    def send(self, code, body, ctype="text/html; charset=utf-8"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def tracker(self, params):
        if params.get("rec") == ["1"] and params.get("idsite"):
            try:
                track(int(params["idsite"][0]), params.get("url", [""])[0])
            except Exception as e:
                log("tracking: %s" % e)
                return self.send(500, b"tracking failed\n", "text/plain")
            return self.send(200, GIF, "image/gif")
        return self.send(200, TRACKER_TEXT, "text/plain")

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(u.query)
        if u.path in ("/matomo.php", "/piwik.php"):
            return self.tracker(params)
        if u.path in ("/", "/index.php"):
            if not state["installed"]:
                return self.send(503, ("<h1>Matomo</h1><p>database: %s</p>\n" % state["error"]).encode())
            try:
                with connect() as db, db.cursor() as c:
                    c.execute("SELECT option_value FROM `%soption` WHERE option_name='version_core'" % PREFIX)
                    version = c.fetchone()[0]
            except Exception as e:
                return self.send(503, ("<h1>Matomo</h1><p>database: %s</p>\n" % e).encode())
            return self.send(200, ("<!DOCTYPE html><title>Matomo</title><h1>Matomo</h1><p>%s</p>\n" % version).encode())
        return self.send(404, b"<h1>Not Found</h1>\n")

    do_HEAD = do_GET

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        if u.path in ("/matomo.php", "/piwik.php"):
            params = urllib.parse.parse_qs(u.query)
            params.update(urllib.parse.parse_qs(body))
            return self.tracker(params)
        return self.send(404, b"<h1>Not Found</h1>\n")

    def log_message(self, fmt, *args):
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))


def main():
    server = ThreadingHTTPServer(("0.0.0.0", 80), Handler)
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(grp.getgrnam("www-data").gr_gid)
        os.setuid(pwd.getpwnam("www-data").pw_uid)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    threading.Thread(target=installer, daemon=True).start()
    log("listening on :80 (database %s on %s)" % (E.get("MATOMO_DATABASE_DBNAME"), HOST))
    server.serve_forever()


if __name__ == "__main__":
    main()
