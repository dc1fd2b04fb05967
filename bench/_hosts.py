"""Hosts for bench/cluster.py: Linux network namespaces on one bridge, and the processes
started in them, all removed on exit (normal, error, signal or time limit).

Everything made here is named with the prefix ``cl`` (namespaces cl-<host>, the bridge
clbr0, veth clv-<host>) and lives in one temporary directory; a run first removes what
a killed earlier run may have left under those names, and nothing else.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

BRIDGE = "clbr0"
SUBNET = "10.237.0"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def sh(*args, check=True, quiet=True, **kwargs):
    """Run a command (a list), failing loudly with its output."""
    result = subprocess.run(args, capture_output=quiet, text=True, **kwargs)  # noqa: S603
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))}: {result.stderr or result.stdout}")
    return result


def ours():
    """The namespaces and links an earlier run of ours left (by name)."""
    spaces = [
        line.split()[0]
        for line in sh("ip", "netns", "list", check=False).stdout.splitlines()
        if line.startswith("cl-")
    ]
    devs = []
    for line in sh("ip", "-o", "link", "show", check=False).stdout.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name == BRIDGE or name.startswith("clv-"):
            devs.append(name)
    return spaces, devs


class Hosts:
    """The bridge, the namespaces, their processes and the temporary directory."""

    def __init__(self, names, latency_ms=0.0):
        self.names = names  # host name -> last byte of its address
        self.latency_ms = latency_ms
        self.netem = None  # whether the kernel has tc netem (measured)
        self.processes = []  # (name, Popen) started with their own process group
        self.cleanups = []  # callables run before the namespaces go (stop a database)
        self.tmp = Path(tempfile.mkdtemp(prefix="cl-cluster-"))
        os.chmod(self.tmp, 0o755)  # noqa: S103 - PostgreSQL and PgBouncer run as postgres

    def ip(self, host):
        return f"{SUBNET}.{self.names[host]}"

    def ns(self, host):
        return f"cl-{host}"

    def up(self):
        remove_leftovers(keep=self.tmp)
        sh("ip", "link", "add", BRIDGE, "type", "bridge")
        sh("ip", "addr", "add", f"{SUBNET}.1/24", "dev", BRIDGE)
        sh("ip", "link", "set", BRIDGE, "up")
        for host in self.names:
            ns, outside = self.ns(host), f"clv-{host}"[:15]
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", outside, "type", "veth", "peer", "name", "clpeer")
            sh("ip", "link", "set", "clpeer", "netns", ns)
            sh("ip", "link", "set", outside, "master", BRIDGE, "up")
            inside = ["ip", "netns", "exec", ns]
            sh(*inside, "ip", "link", "set", "clpeer", "name", "eth0")
            sh(*inside, "ip", "addr", "add", f"{self.ip(host)}/24", "dev", "eth0")
            sh(*inside, "ip", "link", "set", "eth0", "up")
            sh(*inside, "ip", "link", "set", "lo", "up")
            if self.latency_ms:
                delay = f"{self.latency_ms}ms"
                added = sh(*inside, "tc", "qdisc", "add", "dev", "eth0", "root", "netem",
                           "delay", delay, check=False)  # fmt: skip
                self.netem = added.returncode == 0
        return self

    def start(self, host, name, command, env=None, user=None, log=None, cwd=None):
        """A process in ``host``'s namespace (None: this one, the driver's), in its own
        process group."""
        prefix = ["ip", "netns", "exec", self.ns(host)] if host else []
        if user:
            prefix += ["runuser", "-u", user, "--"]
        out = open(log or self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - kept by the child
        process = subprocess.Popen(  # noqa: S603
            [*prefix, *command],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, process))
        return process

    def stop(self, name, sig=signal.SIGTERM, wait=20):
        for pname, process in self.processes:
            if pname == name and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=wait)
                if process.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes = [(n, p) for n, p in self.processes if n != name or p.poll() is None]

    def cpu_seconds(self):
        """CPU-seconds each host's processes have used so far, by command name
        ({host: {comm: s}}), and the whole machine's ("machine"). A process counts its
        own time and its reaped children's (PostgreSQL's backends that have ended are in
        the postmaster's), so the difference of two readings is what a host used between
        them, but for processes that ended and were not reaped inside the host."""
        tick = os.sysconf("SC_CLK_TCK")
        used = {}
        for host in self.names:
            pids = sh("ip", "netns", "pids", self.ns(host), check=False).stdout.split()
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/stat") as handle:
                        stat = handle.read()
                except OSError:  # ended since the listing
                    continue
                comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2 :].split()
                ticks = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
                by_comm = used.setdefault(host, {})
                by_comm[comm] = by_comm.get(comm, 0) + ticks / tick
        with open("/proc/stat") as handle:
            cpu = handle.readline().split()[1:]
        # user nice system irq softirq steal (idle and iowait left out)
        used["machine"] = sum(int(cpu[i]) for i in (0, 1, 2, 5, 6, 7)) / tick
        return used

    @staticmethod
    def cpu_between(before, after):
        """What each host used between two ``cpu_seconds`` readings, rounded; "others":
        the machine's use that no host accounts for (the driver, Locust, the kernel)."""
        spent = {}
        for host, by_comm in after.items():
            if host == "machine":
                continue
            was = before.get(host, {})
            deltas = {c: s - was.get(c, 0) for c, s in by_comm.items()}
            spent[host] = {c: round(d, 1) for c, d in deltas.items() if d > 0.05}
        spent["machine"] = round(after["machine"] - before["machine"], 1)
        spent["others"] = round(
            spent["machine"] - sum(sum(v.values()) for k, v in spent.items() if k != "machine"), 1
        )
        return spent

    def down(self):
        """Everything started, stopped; everything made, removed. Safe to call twice."""
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()
        self.cleanups = []
        for name, _process in list(reversed(self.processes)):
            self.stop(name, wait=10)
        remove_leftovers()
        shutil.rmtree(self.tmp, ignore_errors=True)


def remove_leftovers(keep=None):
    """Our namespaces (and any process still in them: only ours run there) and links."""
    spaces, devs = ours()
    for ns in spaces:
        pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), signal.SIGKILL)
        if pids:
            time.sleep(0.5)
        sh("ip", "netns", "del", ns, check=False)
    for dev in devs:
        sh("ip", "link", "del", dev, check=False)
    for path in Path(tempfile.gettempdir()).glob("cl-cluster-*"):
        if path != keep and not any(os.path.exists(f"/proc/{p}") for p in _pids_using(path)):
            shutil.rmtree(path, ignore_errors=True)


def _pids_using(path):
    """Processes whose working directory or command line names ``path`` (a run still
    going keeps its directory)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if str(path) in (proc / "cmdline").read_bytes().decode(errors="replace"):
                found.append(proc.name)
    return found
