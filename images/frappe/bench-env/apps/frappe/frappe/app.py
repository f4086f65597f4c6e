"""frappe.app:application of the stand-in: the WSGI application gunicorn serves.

Like Frappe's (frappe/app.py init_request): the site is the X-Frappe-Site-Name
header (set by the frontend's nginx from FRAPPE_SITE_NAME_HEADER) or the Host;
an unknown site answers 404; every request connects to the site's database with
sites/common_site_config.json + sites/<site>/site_config.json. Routes:

  GET  /api/method/ping                         {"message": "pong"} (guest)
  POST /api/method/login  usr, pwd              checks __Auth, sets the sid cookie
  GET  /api/method/frappe.auth.get_logged_user  {"message": user} (login)
  GET  /api/method/frappe.client.get_count?doctype=X   (login)
  POST /api/method/frappe.core.doctype.communication.email.make  recipients, subject, content (login)
  GET  /api/resource/<DocType>                  {"data": [{"name": ...}]} (login)
  GET  /                                        a small page naming the site
"""
import datetime
import json
import secrets
import traceback
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, unquote

import frappe


class HTTPError(Exception):
    def __init__(self, status, exc_type, message):
        super().__init__(message)
        self.status, self.exc_type, self.message = status, exc_type, message


def _json(start_response, status, body, headers=()):
    data = json.dumps(body, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))] + list(headers))
    return [data]


def _params(environ):
    params = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if environ.get("REQUEST_METHOD") == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(size).decode() if size else ""
        if "json" in (environ.get("CONTENT_TYPE") or ""):
            params.update(json.loads(raw or "{}"))
        else:
            params.update({k: v[-1] for k, v in parse_qs(raw).items()})
    return params


def _site(environ):
    site = environ.get("HTTP_X_FRAPPE_SITE_NAME") or (environ.get("HTTP_HOST") or "").split(":")[0]
    if not frappe.site_exists(site):
        raise HTTPError("404 Not Found", "NotFound", "%s does not exist" % site)
    return site


def _session_user(environ, cursor):
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    sid = cookie["sid"].value if "sid" in cookie else None
    if not sid or sid == "Guest":
        return "Guest"
    cursor.execute("SELECT user FROM `tabSessions` WHERE sid = %s AND status = 'Active'", (sid,))
    row = cursor.fetchone()
    return row[0] if row else "Guest"


def _require_login(user):
    if user == "Guest":
        raise HTTPError("403 Forbidden", "PermissionError", "Not permitted")


def _table(cursor, doctype):
    cursor.execute("SHOW TABLES LIKE %s", ("tab" + doctype,))
    if not cursor.fetchone():
        raise HTTPError("404 Not Found", "DoesNotExistError", "DocType %s not found" % doctype)
    return "`tab%s`" % doctype.replace("`", "")


def handle(environ, start_response):
    path = unquote(environ.get("PATH_INFO") or "/")
    site = _site(environ)
    db = frappe.connect(frappe.get_site_config(site))
    try:
        c = db.cursor()
        user = _session_user(environ, c)
        if path == "/api/method/ping":
            return _json(start_response, "200 OK", {"message": "pong"})
        if path == "/api/method/login":
            p = _params(environ)
            usr, pwd = p.get("usr") or "", p.get("pwd") or ""
            c.execute(
                "SELECT password FROM `__Auth` WHERE doctype = 'User' AND name = %s AND fieldname = 'password'", (usr,)
            )
            row = c.fetchone()
            if not row or not frappe.check_password_hash(pwd, row[0]):
                raise HTTPError("401 Unauthorized", "AuthenticationError", "Invalid Login. Try again.")
            sid = secrets.token_hex(28)
            c.execute(
                "INSERT INTO `tabSessions` (user, sid, sessiondata, ipaddress, lastupdate, status)"
                " VALUES (%s, %s, '{}', %s, NOW(6), 'Active')",
                (usr, sid, (environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR") or "")[:16]),
            )
            c.execute("SELECT full_name FROM `tabUser` WHERE name = %s", (usr,))
            full = (c.fetchone() or [usr])[0]
            return _json(
                start_response,
                "200 OK",
                {"message": "Logged In", "home_page": "/app", "full_name": full},
                [("Set-Cookie", "sid=%s; Path=/; HttpOnly; SameSite=Lax" % sid)],
            )
        if path == "/api/method/frappe.auth.get_logged_user":
            _require_login(user)
            return _json(start_response, "200 OK", {"message": user})
        if path == "/api/method/frappe.client.get_count":
            _require_login(user)
            table = _table(c, _params(environ).get("doctype") or "")
            c.execute("SELECT COUNT(*) FROM %s" % table)
            return _json(start_response, "200 OK", {"message": c.fetchone()[0]})
        if path == "/api/method/frappe.core.doctype.communication.email.make":
            _require_login(user)
            p = _params(environ)
            name = secrets.token_hex(5)
            c.execute(
                "INSERT INTO `tabEmail Queue` (name, sender, recipient, message, status, creation)"
                " VALUES (%s, %s, %s, %s, 'Not Sent', NOW(6))",
                (name, p.get("sender"), p.get("recipients"), "%s\n%s" % (p.get("subject", ""), p.get("content", ""))),
            )
            return _json(start_response, "200 OK", {"message": {"name": name}})
        if path.startswith("/api/resource/"):
            _require_login(user)
            table = _table(c, path[len("/api/resource/") :].strip("/"))
            c.execute("SELECT name FROM %s ORDER BY creation DESC LIMIT 20" % table)
            return _json(start_response, "200 OK", {"data": [{"name": r[0]} for r in c.fetchall()]})
        if path.startswith("/api/method/"):
            raise HTTPError("404 Not Found", "DoesNotExistError", "Failed to get method for command %s" % path[12:])
        if path in ("/", "/login", "/app"):
            c.execute("SELECT COUNT(*) FROM `tabInstalled Application`")
            body = (
                "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1>"
                "<p>Frappe interface stand-in, %d installed apps, %s</p></body></html>"
                % (site, site, c.fetchone()[0], datetime.date.today().isoformat())
            ).encode()
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
            return [body]
        raise HTTPError("404 Not Found", "NotFound", "Page %s not found" % path)
    finally:
        db.close()


def application(environ, start_response):
    try:
        return handle(environ, start_response)
    except HTTPError as e:
        return _json(start_response, e.status, {"exc_type": e.exc_type, "message": e.message})
    except Exception as e:
        traceback.print_exc()
        return _json(start_response, "500 Internal Server Error", {"exc_type": type(e).__name__, "exception": str(e)})
