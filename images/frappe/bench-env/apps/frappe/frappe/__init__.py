"""Interface stand-in for the Frappe framework (shipyard/frappe:bookworm).

Not Frappe: a small implementation of the parts of Frappe's interface that a
frappe_docker deployment touches, with Frappe's file layout and semantics:

- the bench directory /home/frappe/frappe-bench, its sites/ folder with
  common_site_config.json (db_host, db_port, redis_cache, redis_queue,
  redis_socketio, socketio_port, default_site ...) and sites/<site>/site_config.json
  (db_name, db_password, db_type), as frappe.get_site_config merges them;
- the site's MariaDB database and user, created by `bench new-site` with the
  root login (frappe/database/mariadb/setup_db.py), refusing a server whose
  character set is not utf8mb4 (check_database_settings);
- the Administrator password kept in `__Auth` as a passlib pbkdf2_sha256 hash
  (frappe/utils/password.py);
- background jobs through the redis_queue (RQ-like lists), run by `bench worker`
  and enqueued by `bench schedule`.

Frappe reads nothing from the environment at run time; neither does this.
"""
import base64
import hashlib
import json
import os
import secrets
import string
from urllib.parse import urlparse

BENCH = os.environ.get("FRAPPE_BENCH_ROOT_STANDIN", "/home/frappe/frappe-bench")
SITES = os.path.join(BENCH, "sites")
COMMON = os.path.join(SITES, "common_site_config.json")
__version__ = "15.0.0-shipyard-standin"


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def common_config():
    return read_json(COMMON)


def site_path(site):
    return os.path.join(SITES, site)


def site_exists(site):
    return bool(site) and os.path.isfile(os.path.join(site_path(site), "site_config.json"))


def get_site_config(site):
    """common_site_config.json overlaid by the site's site_config.json (frappe.get_site_config)."""
    conf = dict(common_config())
    conf.update(read_json(os.path.join(site_path(site), "site_config.json")))
    return conf


def all_sites():
    try:
        names = sorted(os.listdir(SITES))
    except FileNotFoundError:
        return []
    return [n for n in names if site_exists(n)]


def generate_hash(length=16):
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def connect(conf, database=None, user=None, password=None):
    import pymysql

    return pymysql.connect(
        host=conf.get("db_host") or "127.0.0.1",
        port=int(conf.get("db_port") or 3306),
        user=user or conf.get("db_user") or conf["db_name"],
        password=password if password is not None else conf["db_password"],
        database=database if database is not None else conf.get("db_name"),
        charset="utf8mb4",
        connect_timeout=10,
        autocommit=True,
    )


def redis_from(url):
    import redis

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)


def redis_host_port(url):
    u = urlparse(url)
    return u.hostname, u.port or 6379


# passlib's pbkdf2_sha256 format, as frappe.utils.password stores passwords:
# $pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 checksum>
def _ab64(raw):
    return base64.b64encode(raw).decode().rstrip("=").replace("+", ".")


def _ab64_decode(text):
    text = text.replace(".", "+")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_password(password, rounds=29000):
    salt = secrets.token_bytes(16)
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, rounds)
    return "$pbkdf2-sha256$%d$%s$%s" % (rounds, _ab64(salt), _ab64(dk))


def check_password_hash(password, stored):
    try:
        _, scheme, rounds, salt, checksum = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2-sha256":
        return False
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), _ab64_decode(salt), int(rounds))
    return secrets.compare_digest(dk, _ab64_decode(checksum))


def queue_key(qtype):
    """The RQ list a queue type uses (Frappe names queues per bench: rq:queue:<bench>:<type>)."""
    bench_id = common_config().get("bench_id") or "frappe-bench"
    return "rq:queue:%s:%s" % (bench_id, qtype)
