"""`bench` of the Frappe stand-in: the commands a frappe_docker deployment runs.

    bench set-config [-g|--global] [-p|--parse] KEY VALUE   (-gp combined)
    bench [--site SITE] set-config KEY VALUE
    bench new-site SITE --admin-password X --db-root-password Y
          [--db-root-username root] [--mariadb-user-host-login-scope=%]
          [--no-mariadb-socket] [--db-name N] [--db-password P]
          [--install-app APP]... [--set-default] [--force]
    bench new-site SITE --no-setup-db --db-name N --db-password P [--db-user U]
          --admin-password X   (into a database and user that exist: no root login)
    bench --site SITE|all migrate   (every site: schema synced, app versions recorded)
    bench use SITE
    bench worker [--queue short,default] [--quiet]
    bench schedule
    bench --site SITE enqueue METHOD [--queue default]    (stand-in helper)

Run in the bench directory (/home/frappe/frappe-bench), as in the upstream image.
"""
import argparse
import json
import os
import signal
import socket
import sys
import time
import uuid

import frappe
import frappe.email

stopping = False


def _stop(*_):
    global stopping
    stopping = True
    # The worker or scheduler is PID 1 in its container: exit at once on SIGTERM.
    sys.exit(0)


def die(msg, code=1):
    sys.stderr.write(msg.rstrip() + "\n")
    sys.exit(code)


def set_config(args, site):
    value = args.value
    if args.parse:
        try:
            value = json.loads(value)
        except ValueError:
            die("set-config: --parse: %r is not JSON" % value)
    if args.globally:
        path = frappe.COMMON
    else:
        if not site:
            die("Please specify --site sitename (or use -g for common_site_config.json)")
        if not frappe.site_exists(site):
            die("Site %s does not exist" % site)
        path = os.path.join(frappe.site_path(site), "site_config.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    conf = frappe.read_json(path)
    conf[args.key] = value
    frappe.write_json(path, conf)


SITE_TABLES = [
    """CREATE TABLE IF NOT EXISTS `tabUser` (
        `name` varchar(140) NOT NULL PRIMARY KEY, `email` varchar(140), `first_name` varchar(140),
        `full_name` varchar(140), `enabled` int NOT NULL DEFAULT 1, `user_type` varchar(40),
        `creation` datetime(6), `modified` datetime(6)) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS `__Auth` (
        `doctype` varchar(140) NOT NULL, `name` varchar(255) NOT NULL, `fieldname` varchar(140) NOT NULL,
        `password` text NOT NULL, `encrypted` int NOT NULL DEFAULT 0,
        PRIMARY KEY (`doctype`, `name`, `fieldname`)) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS `tabSessions` (
        `user` varchar(255), `sid` varchar(255) NOT NULL PRIMARY KEY, `sessiondata` longtext,
        `ipaddress` varchar(16), `lastupdate` datetime(6), `status` varchar(20)) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS `tabInstalled Application` (
        `name` varchar(140) NOT NULL PRIMARY KEY, `app_name` varchar(140), `app_version` varchar(140),
        `creation` datetime(6)) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS `tabScheduled Job Log` (
        `name` varchar(140) NOT NULL PRIMARY KEY, `scheduled_job_type` varchar(140), `status` varchar(40),
        `details` longtext, `creation` datetime(6), `modified` datetime(6)) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS `tabEmail Queue` (
        `name` varchar(140) NOT NULL PRIMARY KEY, `sender` varchar(255), `recipient` varchar(255),
        `message` longtext, `status` varchar(40), `creation` datetime(6)) ENGINE=InnoDB""",
]


def new_site(args):
    site = args.site
    if frappe.site_exists(site) and not args.force:
        die("Site %s already exists" % site)
    if not args.setup_db:
        return bootstrap_site(args)
    conf = frappe.common_config()
    if not args.db_root_password:
        die("--db-root-password is required (the MariaDB root login creates the site's database)")
    if not args.admin_password:
        die("--admin-password is required")
    root_user = args.db_root_username or conf.get("root_login") or "root"
    try:
        root = frappe.connect(conf, database="", user=root_user, password=args.db_root_password)
    except Exception as e:  # pymysql.err.OperationalError
        die("Cannot connect to MariaDB at %s:%s as %s: %s" % (conf.get("db_host"), conf.get("db_port"), root_user, e))
    cur = root.cursor()
    # frappe/database/mariadb/setup_db.py check_database_settings
    cur.execute("SELECT @@character_set_server, @@collation_server")
    charset, collation = cur.fetchone()
    if charset != "utf8mb4" or collation != "utf8mb4_unicode_ci":
        die(
            "Creation of your site - %s failed because MariaDB is not properly configured.\n"
            "Expected character_set_server utf8mb4 and collation_server utf8mb4_unicode_ci, got %s and %s\n"
            "Please verify the above settings in MariaDB's my.cnf (or its command line)." % (site, charset, collation)
        )
    path = os.path.realpath(frappe.site_path(site))
    db_name = args.db_name or "_" + __import__("hashlib").sha1(path.encode()).hexdigest()[:16]
    db_password = args.db_password or frappe.generate_hash(16)
    scope = args.mariadb_user_host_login_scope or "localhost"
    print("Creating database %s and user %s@'%s' on %s" % (db_name, db_name, scope, conf.get("db_host")))
    if args.force:
        cur.execute("DROP DATABASE IF EXISTS `%s`" % db_name)
    cur.execute("DROP USER IF EXISTS %s@%s", (db_name, scope))
    cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (db_name, scope, db_password))
    cur.execute("CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" % db_name)
    cur.execute("GRANT ALL PRIVILEGES ON `%s`.* TO %%s@%%s" % db_name, (db_name, scope))
    cur.execute("FLUSH PRIVILEGES")
    root.close()

    for d in ("public/files", "private/files", "private/backups", "logs", "locks"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    site_conf = {"db_name": db_name, "db_password": db_password, "db_type": "mariadb"}
    frappe.write_json(os.path.join(path, "site_config.json"), site_conf)

    install_site(args, path)


def bootstrap_site(args):
    """--no-setup-db: the database and its user exist (frappe/installer.py only bootstraps them)."""
    if not (args.db_name and args.db_password):
        die("--no-setup-db needs --db-name and --db-password of a database and user that exist")
    if not args.admin_password:
        die("--admin-password is required")
    path = os.path.realpath(frappe.site_path(args.site))
    for d in ("public/files", "private/files", "private/backups", "logs", "locks"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    site_conf = {"db_name": args.db_name, "db_password": args.db_password, "db_type": "mariadb"}
    if args.db_user:
        site_conf["db_user"] = args.db_user
    frappe.write_json(os.path.join(path, "site_config.json"), site_conf)
    print("Bootstrapping site %s in database %s (no database setup)" % (args.site, args.db_name))
    try:
        install_site(args, path)
    except Exception as e:  # pymysql errors: the database or the login is not there
        os.remove(os.path.join(path, "site_config.json"))
        die("Cannot bootstrap %s in database %s: %s" % (args.site, args.db_name, e))


def install_site(args, path):
    """The site's tables, users and installed apps; then the default site."""
    site = args.site
    db = frappe.connect(frappe.get_site_config(site))
    c = db.cursor()
    for ddl in SITE_TABLES:
        c.execute(ddl)
    for user, full in (("Administrator", "Administrator"), ("Guest", "Guest")):
        c.execute(
            "INSERT INTO `tabUser` (name, email, first_name, full_name, enabled, user_type, creation, modified)"
            " VALUES (%s, %s, %s, %s, 1, 'System User', NOW(6), NOW(6))"
            " ON DUPLICATE KEY UPDATE modified = NOW(6)",
            (user, user.lower() + "@example.com", full, full),
        )
    c.execute(
        "REPLACE INTO `__Auth` (doctype, name, fieldname, password, encrypted) VALUES ('User', 'Administrator', 'password', %s, 0)",
        (frappe.hash_password(args.admin_password),),
    )
    available = set(os.listdir(os.path.join(frappe.BENCH, "apps")))
    for app in ["frappe"] + [a for a in args.install_app if a != "frappe"]:
        if app not in available:
            die("App %s not found in apps/ (available: %s)" % (app, ", ".join(sorted(available))))
        c.execute(
            "REPLACE INTO `tabInstalled Application` (name, app_name, app_version, creation) VALUES (%s, %s, %s, NOW(6))",
            (app, app, frappe.__version__),
        )
        print("Installing %s..." % app)
    db.close()
    if args.set_default:
        common = frappe.common_config()
        common["default_site"] = site
        frappe.write_json(frappe.COMMON, common)
        print("Current Site set to %s" % site)
    print("*** Site %s created ***" % site)


def migrate(site):
    """`bench --site SITE|all migrate` (frappe/commands/site.py migrate): per site, the schema synced
    (the tables created where missing) and the installed apps' versions recorded."""
    sites = frappe.all_sites() if site == "all" else [site]
    if not sites or not all(frappe.site_exists(s) for s in sites):
        die("Please specify --site sitename (an existing site, or all)" if site != "all" else "No sites to migrate")
    for s in sites:
        print("Migrating %s" % s)
        db = frappe.connect(frappe.get_site_config(s))
        try:
            c = db.cursor()
            for ddl in SITE_TABLES:
                c.execute(ddl)
            c.execute(
                "UPDATE `tabInstalled Application` SET app_version = %s WHERE name = 'frappe'",
                (frappe.__version__,),
            )
            c.execute("SELECT name FROM `tabInstalled Application` ORDER BY name")
            for (app,) in c.fetchall():
                print("Updating DocTypes for %s" % app)
        finally:
            db.close()
    print("Compiling Python Files...")


def use(site):
    if not frappe.site_exists(site):
        die("Site %s does not exist" % site)
    with open(os.path.join(frappe.SITES, "currentsite.txt"), "w") as f:
        f.write(site)
    print("Current Site set to %s" % site)


def _queue_redis():
    url = frappe.common_config().get("redis_queue")
    if not url:
        die("redis_queue is not set in sites/common_site_config.json (run bench set-config -g redis_queue ...)")
    return frappe.redis_from(url)


def enqueue(site, method, queue="default", **kwargs):
    r = _queue_redis()
    job = {
        "id": uuid.uuid4().hex,
        "site": site,
        "method": method,
        "kwargs": kwargs,
        "queue": queue,
        "enqueued_at": time.time(),
    }
    r.hset("rq:job:" + job["id"], mapping={"status": "queued", "data": json.dumps(job)})
    r.rpush(frappe.queue_key(queue), json.dumps(job))
    return job["id"]


def run_job(job):
    """Runs a job against its site's database, as a Frappe worker does (frappe.init + frappe.connect)."""
    site = job["site"]
    if not frappe.site_exists(site):
        raise RuntimeError("Site %s does not exist" % site)
    db = frappe.connect(frappe.get_site_config(site))
    try:
        c = db.cursor()
        if job["method"] == "frappe.email.queue.flush":
            frappe.email.flush(site, c)
        c.execute(
            "INSERT INTO `tabScheduled Job Log` (name, scheduled_job_type, status, details, creation, modified)"
            " VALUES (%s, %s, 'Complete', %s, NOW(6), NOW(6))",
            (job["id"][:10], job["method"], json.dumps({"queue": job["queue"], "worker": socket.gethostname()})),
        )
    finally:
        db.close()


def worker(queues):
    signal.signal(signal.SIGTERM, _stop)
    r = _queue_redis()
    qtypes = [q.strip() for q in queues.split(",") if q.strip()]
    keys = [frappe.queue_key(q) for q in qtypes]
    name = "%s.%s.%d.%s" % (uuid.uuid4().hex[:8], socket.gethostname(), os.getpid(), ",".join(qtypes))
    r.sadd("rq:workers", name)
    r.hset("rq:worker:" + name, mapping={"queues": ",".join(keys), "birth": time.time(), "state": "idle"})
    print("Worker %s started, listening on %s" % (name, ", ".join(keys)), flush=True)
    try:
        while not stopping:
            r.hset("rq:worker:" + name, "last_heartbeat", time.time())
            r.expire("rq:worker:" + name, 120)
            item = r.blpop(keys, timeout=5)
            if not item:
                continue
            job = json.loads(item[1])
            r.hset("rq:job:" + job["id"], "status", "started")
            try:
                run_job(job)
                r.hset("rq:job:" + job["id"], mapping={"status": "finished", "ended_at": time.time()})
                print("%s: %s (%s) finished" % (job["queue"], job["method"], job["id"]), flush=True)
            except Exception as e:
                r.hset("rq:job:" + job["id"], mapping={"status": "failed", "exc_info": str(e)})
                print("%s: %s (%s) failed: %s" % (job["queue"], job["method"], job["id"], e), flush=True)
    finally:
        r.srem("rq:workers", name)
        r.delete("rq:worker:" + name)


def schedule():
    """Enqueues the scheduled events of every site each tick (frappe.utils.scheduler.start_scheduler)."""
    signal.signal(signal.SIGTERM, _stop)
    print("Scheduler started", flush=True)
    while not stopping:
        conf = frappe.common_config()
        tick = int(conf.get("scheduler_tick_interval") or 60)
        if conf.get("pause_scheduler"):
            time.sleep(tick)
            continue
        for site in frappe.all_sites():
            if frappe.get_site_config(site).get("pause_scheduler"):
                continue
            try:
                job_id = enqueue(site, "frappe.email.queue.flush", "default")
                print("%s: enqueued frappe.email.queue.flush (%s)" % (site, job_id), flush=True)
            except Exception as e:
                print("%s: enqueue failed: %s" % (site, e), flush=True)
        time.sleep(tick)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    site = None
    if len(argv) >= 2 and argv[0] == "--site":
        site, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__)
        return
    if not os.path.isdir(frappe.SITES):
        die("bench: run me in the bench directory (%s has no sites/)" % os.getcwd())
    cmd, rest = argv[0], argv[1:]
    if cmd == "set-config":
        p = argparse.ArgumentParser(prog="bench set-config")
        p.add_argument("-g", "--global", dest="globally", action="store_true")
        p.add_argument("-p", "--parse", action="store_true")
        p.add_argument("key")
        p.add_argument("value")
        set_config(p.parse_args(rest), site)
    elif cmd == "new-site":
        p = argparse.ArgumentParser(prog="bench new-site")
        p.add_argument("site")
        p.add_argument("--admin-password")
        p.add_argument("--db-root-password", "--mariadb-root-password")
        p.add_argument("--db-root-username", "--mariadb-root-username")
        p.add_argument("--mariadb-user-host-login-scope")
        p.add_argument("--no-mariadb-socket", action="store_true")
        p.add_argument("--db-name")
        p.add_argument("--db-password")
        p.add_argument("--db-type", default="mariadb", choices=["mariadb"])
        p.add_argument("--install-app", action="append", default=[])
        p.add_argument("--set-default", action="store_true")
        p.add_argument("--force", action="store_true")
        p.add_argument("--setup-db", dest="setup_db", action="store_true", default=True)
        p.add_argument("--no-setup-db", dest="setup_db", action="store_false")
        p.add_argument("--db-user")
        new_site(p.parse_args(rest))
    elif cmd == "migrate":
        p = argparse.ArgumentParser(prog="bench migrate")
        p.add_argument("--skip-failing", action="store_true")
        p.add_argument("--skip-search-index", action="store_true")
        p.parse_args(rest)
        migrate(site or frappe.common_config().get("default_site") or die("Please specify --site sitename"))
    elif cmd == "use":
        use(rest[0] if rest else die("bench use SITE"))
    elif cmd == "worker":
        p = argparse.ArgumentParser(prog="bench worker")
        p.add_argument("--queue", default="default")
        p.add_argument("--quiet", action="store_true")
        worker(p.parse_args(rest).queue)
    elif cmd == "schedule":
        schedule()
    elif cmd == "enqueue":
        p = argparse.ArgumentParser(prog="bench enqueue")
        p.add_argument("method")
        p.add_argument("--queue", default="default")
        a = p.parse_args(rest)
        s = site or frappe.common_config().get("default_site") or die("Please specify --site sitename")
        print(enqueue(s, a.method, a.queue))
    else:
        die("bench: the stand-in implements set-config, new-site, migrate, use, worker, schedule, enqueue; not %r" % cmd)
