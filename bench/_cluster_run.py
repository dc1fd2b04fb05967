"""The rehearsal's steps (bench/cluster.py): databases, pooler, cache, app hosts, worker,
then the measurements (bench/_cluster_measure.py)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import _cluster_measure as measure
import _cluster_national
import _delay
import _province
from _hosts import PG_BIN, SUBNET, sh
from progress import scaled_sizes

ROOT = _province.ROOT
PY = sys.executable
DB = "portal"
PG_CONF = """
listen_addresses = '{ip}'
port = 5432
unix_socket_directories = '{sock}'
max_connections = 400
shared_buffers = 256MB
timezone = 'UTC'
wal_level = replica
max_wal_senders = 5
hot_standby = on
random_page_cost = 1.1
log_min_messages = warning
"""
PGBOUNCER_INI = """
[databases]
{db} = host={primary} dbname={db}
{db}_replica = host={replica} dbname={db}
[pgbouncer]
listen_addr = {ip}
listen_port = 6432
unix_socket_dir = {tmp}
auth_type = trust
auth_file = {tmp}/userlist.txt
pool_mode = transaction
default_pool_size = {size}
max_client_conn = 2000
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
query_wait_timeout = 30
# After a failed connection to a database (a replica restarting), try again after 1 s,
# not PgBouncer's default 15 s, during which every client is refused (measured: 15 s
# of 503s after a replica restart that took under a second).
server_login_retry = 1
logfile = {tmp}/pgbouncer.log
admin_users = postgres
"""


# Each host's service, and where the relays of bench/_delay.c offer it (127.0.0.1 of the
# namespace they run in) when the latency between hosts is theirs (no tc netem).
SERVICE_PORTS = {"db1": 5432, "db2": 5432, "pool": 6432, "cache": 6379}
RELAY_PORTS = {"db1": 15432, "db2": 15433, "pool": 16432, "cache": 16379}
# Whose traffic goes through a relay of its own, and to which hosts.
RELAYED = {"app1": ("pool", "db1", "db2", "cache"), "app2": ("pool", "db1", "db2", "cache"),
           "work": ("pool", "db1", "db2", "cache"), "pool": ("db1", "db2")}  # fmt: skip


def wait_for_port(ip, port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((ip, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on {ip}:{port} after {seconds} s")


class Rehearsal:
    def __init__(self, hosts, args, results):
        self.hosts, self.args, self.results = hosts, args, results
        self.tmp = hosts.tmp
        self.relayed = False  # whether bench/_delay.c's relays carry the traffic between hosts

    def say(self, message):
        print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)

    # --- hosts -----------------------------------------------------------------------
    def owned(self, name):
        """A directory of the temporary one that PostgreSQL's user may write."""
        path = self.tmp / name
        path.mkdir(mode=0o700)
        sh("chown", "postgres:postgres", str(path))
        return path

    def postgres(self, host, datadir):
        command = [str(PG_BIN / "postgres"), "-D", str(datadir)]
        self.hosts.start(host, f"postgres-{host}", command, user="postgres")
        wait_for_port(self.hosts.ip(host), 5432)
        # The port answers before connections are accepted: a copied cluster replays its
        # WAL first ("the database system is starting up").
        deadline = time.monotonic() + 300
        while self.psql(host, "SELECT 1", check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL on {host} did not accept connections in 300 s")
            time.sleep(1)

    def primary(self):
        data, sock = self.owned("db1"), self.owned("sock-db1")
        if self.args.from_database:
            self.copy_cluster(data)
        else:
            sh("runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(data),
               "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(PG_CONF.format(ip=self.hosts.ip("db1"), sock=sock))
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write("local all all trust\n")
            for database in ("all", "replication"):
                hba.write(f"host {database} all {SUBNET}.0/24 trust\n")
        self.hosts.cleanups.append(lambda: self.pg_stop(data))
        self.postgres("db1", data)
        if self.args.from_database:
            self.psql("db1", f"ALTER DATABASE {self.args.from_database} RENAME TO {DB}")
        else:
            self.psql("db1", f"CREATE DATABASE {DB}")
        self.psql("db1", f"ALTER DATABASE {DB} SET random_page_cost = 1.1")

    def copy_cluster(self, data):
        """--from-database: the primary starts as a base backup of this machine's own
        PostgreSQL (127.0.0.1:5432), which holds the database already generated there
        (`make nation`: a million cadres take 25-45 minutes to generate, a copy a few).
        Debian keeps that cluster's configuration outside its data directory: the copy
        gets its own, and memory settings of its size (three servers share the machine)."""
        started = time.perf_counter()
        self.allow_local_replication()
        sh("runuser", "-u", "postgres", "--", str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1",
           "-U", "postgres", "-D", str(data), "-X", "stream", "-c", "fast")  # fmt: skip
        (data / "postgresql.conf").write_text("")
        (data / "pg_hba.conf").write_text("")
        (data / "postgresql.auto.conf").write_text(
            "shared_buffers = '2GB'\neffective_cache_size = '8GB'\nmax_wal_size = '4GB'\n"
        )
        sh("chown", "postgres:postgres", *(str(data / f) for f in ("postgresql.conf",
           "pg_hba.conf", "postgresql.auto.conf")))  # fmt: skip
        self.results["copy_seconds"] = round(time.perf_counter() - started)

    HBA_LINE = "host replication postgres 127.0.0.1/32 trust  # bench/cluster.py, for a while\n"

    def allow_local_replication(self):
        """The machine's PostgreSQL lets a base backup be taken from 127.0.0.1 (its
        pg_hba.conf's "all" does not cover replication): a line added for the run and
        removed at its end."""
        hba = Path(
            sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW hba_file").stdout.strip()
        )
        if self.HBA_LINE in hba.read_text():
            return

        def restore():
            hba.write_text(hba.read_text().replace(self.HBA_LINE, ""))
            sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SELECT pg_reload_conf()")

        with open(hba, "a") as conf:
            conf.write(self.HBA_LINE)
        self.hosts.cleanups.append(restore)
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SELECT pg_reload_conf()")

    def pg_stop(self, data):
        sh("runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data),
           "stop", "-m", "immediate", check=False)  # fmt: skip

    def psql(self, host, sql, db="postgres", check=True):
        return sh(
            "psql", "-h", self.hosts.ip(host), "-U", "postgres", "-d", db, "-Atc", sql, check=check
        )

    def url(self, host, port=5432, db=DB):
        return f"postgres://postgres@{self.hosts.ip(host)}:{port}/{db}"

    def generate(self):
        started = time.perf_counter()
        sizes = scaled_sizes(self.args.cadres)
        sizes[sizes.index("--completions") + 1] = str(self.args.completions)
        env = self.app_env(self.url("db1"), None, debug=True)
        _province.manage(env, "migrate", "--noinput", "-v0")
        out = _province.manage(env, "generate_demo_data", "--cadres", str(self.args.cadres), *sizes)
        self.say(out.strip().splitlines()[-1] if out.strip() else "generated")
        self.results["generate_seconds"] = round(time.perf_counter() - started)
        self.psql("db1", "CHECKPOINT")

    def replica(self):
        data, sock = self.owned("db2"), self.owned("sock-db2")
        sh("ip", "netns", "exec", "cl-db2", "runuser", "-u", "postgres", "--",
           str(PG_BIN / "pg_basebackup"), "-h", self.hosts.ip("db1"), "-U", "postgres",
           "-D", str(data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        with open(data / "postgresql.auto.conf", "a") as conf:
            conf.write(
                f"listen_addresses = '{self.hosts.ip('db2')}'\n"
                f"unix_socket_directories = '{sock}'\n"
                f"recovery_min_apply_delay = '{int(self.args.lag * 1000)}ms'\n"
                # Without it the replica cancels the portal's reads whenever the primary
                # cleans up rows they might see ("conflict with recovery": 508 in 5 min
                # of the first rehearsal, answered 503).
                f"hot_standby_feedback = {'on' if self.args.feedback else 'off'}\n"
            )
        self.hosts.cleanups.append(lambda: self.pg_stop(data))
        self.postgres("db2", data)
        self.replica_data = data

    def pooler(self):
        pool = self.owned("pool")
        (pool / "userlist.txt").write_text('"postgres" ""\n')
        ini = pool / "pgbouncer.ini"
        ini.write_text(
            PGBOUNCER_INI.format(
                db=DB,
                primary="{} port={}".format(*self.reach("db1")),
                replica="{} port={}".format(*self.reach("db2")),
                ip=self.hosts.ip("pool"),
                tmp=pool,
                size=self.args.pool_size,
            )
        )
        self.hosts.start("pool", "pgbouncer", ["/usr/sbin/pgbouncer", str(ini)], user="postgres")
        wait_for_port(self.hosts.ip("pool"), 6432)

    def redis(self):
        self.hosts.start(
            "cache", "redis",
            ["redis-server", "--bind", self.hosts.ip("cache"), "--port", "6379", "--save", "",
             "--appendonly", "no", "--protected-mode", "no"],
        )  # fmt: skip
        wait_for_port(self.hosts.ip("cache"), 6379)

    def relays(self):
        """The latency between hosts, where the kernel has no tc netem: on each app host,
        the worker's and the pooler's, a relay (bench/_delay.c) through which its
        connections to the other hosts go, delaying what it sends and receives by
        --latency-ms each way. Then the round trip to the primary from app host 1 is
        measured through the relays (and the pooler) and straight."""
        delay = str(self.args.latency_ms)
        relay = _delay.build(self.tmp)
        for host, targets in RELAYED.items():
            specs = [f"{RELAY_PORTS[t]}:{self.hosts.ip(t)}:{SERVICE_PORTS[t]}" for t in targets]
            self.hosts.start(host, f"relay-{host}", [str(relay), delay, "127.0.0.1", *specs])
        self.relayed = True

    def reach(self, target):
        """(address, port) at which the app hosts, the worker and the pooler reach
        ``target``'s service: through their relay when the latency is relayed."""
        if self.relayed:
            return "127.0.0.1", RELAY_PORTS[target]
        return self.hosts.ip(target), SERVICE_PORTS[target]

    def round_trips(self):
        """SELECT 1 from app host 1: through its relay to PgBouncer (and the pooler's to the
        primary), through its relay to the primary, and straight to the primary (ms)."""
        targets = [
            "{}:{}/{}".format(*self.reach("pool"), DB),
            "{}:{}/{}".format(*self.reach("db1"), DB),
            f"{self.hosts.ip('db1')}:5432/{DB}",
        ]
        out = sh("ip", "netns", "exec", "cl-app1", PY, str(ROOT / "bench" / "_delay.py"),
                 "--rtt", *targets).stdout  # fmt: skip
        medians = json.loads(out)
        return dict(
            zip(["via_pgbouncer_ms", "via_relay_ms", "straight_ms"], medians.values(), strict=True)
        )

    def database_urls(self, pool):
        """The primary's and the replica's URLs for the app hosts and the worker."""

        def url(target, db=DB):
            return "postgres://postgres@{}:{}/{}".format(*self.reach(target), db)

        if pool == "pgbouncer":
            return url("pool"), url("pool", f"{DB}_replica")
        return url("db1"), url("db2")

    def app_env(self, database_url, replica_url, pin=None, debug=False, pool="direct"):
        env = _province.server_env(
            database_url,
            DJANGO_SECRET_KEY=_province.SECRET_KEY,
            DJANGO_DEBUG="true" if debug else "false",
            DJANGO_TESTING="true",  # static files by name: no collectstatic needed
            DJANGO_ALLOWED_HOSTS=",".join(self.hosts.ip(h) for h in ("app1", "app2")),
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
            DJANGO_HSTS_SECONDS="0",
            DJANGO_LOG_LEVEL="ERROR",
            DJANGO_PG_RANDOM_PAGE_COST="",  # set on the database: PgBouncer refuses options
            REDIS_URL=f"redis://{self.hosts.ip('cache')}:6379/0",
            DJANGO_PROGRESS_SNAPSHOT_SECONDS=str(self.args.snapshot_seconds),
        )
        if replica_url:
            env["DJANGO_REPLICA_URL"] = replica_url
            env["DJANGO_REPLICA_PIN_SECONDS"] = str(self.args.pin_seconds if pin is None else pin)
        if pool == "pgbouncer":
            env["DJANGO_DISABLE_SERVER_SIDE_CURSORS"] = "true"
        return env

    def apps(self, pin=None, pool="pgbouncer"):
        """(Re)start gunicorn on both app hosts and the worker."""
        self.pool_mode = pool
        primary, replica = self.database_urls(pool)
        self.env = self.app_env(primary, replica, pin=pin, pool=pool)
        self.env["REDIS_URL"] = "redis://{}:{}/0".format(*self.reach("cache"))
        for host in ("app1", "app2"):
            self.hosts.stop(f"gunicorn-{host}")
            self.app(host)
        self.hosts.stop("worker")
        self.hosts.start("work", "worker", [PY, "manage.py", "run_worker"], env=self.env, cwd=ROOT)

    def app(self, host):
        self.hosts.start(
            host, f"gunicorn-{host}",
            [PY, "-m", "gunicorn", "portal.wsgi", "-b", f"{self.hosts.ip(host)}:8000",
             "-w", str(self.args.workers), "--log-level", "error", "--timeout", "60"],
            env=self.env, cwd=ROOT,
        )  # fmt: skip
        wait_for_port(self.hosts.ip(host), 8000)
        time.sleep(1.5)  # every worker booted

    def app_urls(self):
        return [f"http://{self.hosts.ip(h)}:8000" for h in ("app1", "app2")]

    def restart_replica(self):
        self.hosts.stop("postgres-db2", sig=signal.SIGINT, wait=30)  # a fast shutdown
        self.postgres("db2", self.replica_data)

    # --- the run ---------------------------------------------------------------------
    def run(self):
        args, results = self.args, self.results
        self.hosts.up()
        results["netem"] = self.hosts.netem
        self.say(f"hosts up in {self.tmp} (tc netem: {self.hosts.netem})")
        if args.latency_ms and not self.hosts.netem:
            self.relays()
        self.primary()
        if args.from_database:
            self.say(f"{args.from_database} copied in {results['copy_seconds']} s")
        else:
            self.generate()
            self.say(f"generated in {results['generate_seconds']} s")
        self.replica()
        self.pooler()
        self.redis()
        self.say("replica, PgBouncer, Redis up")
        if self.relayed:
            results["round_trips"] = self.round_trips()
            self.say(f"latency between hosts by relays (bench/_delay.c): {results['round_trips']}")
        os.environ["DJANGO_PG_RANDOM_PAGE_COST"] = ""
        _province.setup_django(self.url("db1"))
        # Half again as many cadres as sequences: some have nothing to complete.
        ryw_pool = round(1.5 * (args.sequences + args.control_sequences))
        plan = measure.Plan(self, args.users * 2, ryw_pool)
        half = round(1.5 * args.sequences)
        pool_modes = ["pgbouncer", "direct"] if args.pool == "both" else [args.pool]
        self.apps(pool=pool_modes[0])
        self.say(f"app hosts up ({pool_modes[0]})")
        results["lag_seconds_measured"] = measure.replica_lag(self)
        ryw = plan.ryw_cadres[:half]
        if args.sequences:
            results["read_your_writes"] = measure.sequences(
                self, ryw, "sticky cookie on", args.sequences
            )
        if args.control_sequences:
            self.apps(pin=0, pool=pool_modes[0])
            control = plan.ryw_cadres[half:]
            results["read_your_writes_control"] = measure.sequences(
                self, control, "no cookie", args.control_sequences
            )
        if not args.skip_load:
            results["load"] = {}
            for n in range(1, args.rounds + 1):
                for mode in pool_modes:  # alternately, so that the machine's noise is shared
                    self.apps(pool=mode)
                    results["load"][f"{mode}-{n}"] = measure.load(self, plan, f"load-{mode}-{n}")
        if args.national_seconds:
            self.apps(pool=pool_modes[0])
            results["national"] = _cluster_national.national(self, args.national_seconds)
        if args.drills:
            self.apps(pool=pool_modes[0])
            results["drills"] = measure.drills(self, plan)
        results["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
        subprocess.run(["sync"], check=False)  # noqa: S607
