"""Helpers of bench/subshell_roundtrip.py: timed samples on real kernels, and
what /proc says about a kernel process (RSS, CPU, children).

The client is tests/kernel_client.py's ``Kernel`` (the one the subshell
tests use), so the bench sends exactly the requests the tests check:
SAMPLE_REQUEST to a subshell (src/monitor/subshell.ts) or to a monitor
kernel's main shell (src/monitor/transport.ts). A round trip ends, as JupyterLab's ``future.done`` does, when both the
reply and the request's ``status: idle`` on IOPub have arrived.
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))

from expressions import PROBE_MODULE, SAMPLE_REPLY, SAMPLE_REQUEST, decode_sample  # noqa: E402
from kernel_client import TIMEOUT, Kernel, sample_request  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def pct(values, q):
    s = sorted(values)
    return s[max(0, min(len(s) - 1, -(-q * len(s) // 100) - 1))]


def stats(values, **extra):
    return dict(extra, n=len(values), median=round(statistics.median(values), 2),
                p95=round(pct(values, 95), 2), min=round(min(values), 2),
                max=round(max(values), 2))


class TimedKernel(Kernel):
    """A Kernel whose samples are timed from sending to reply-and-idle."""

    @property
    def pid(self):
        return self.km.provisioner.pid

    def idle_at(self, msg_id):
        """When the IOPub idle of `msg_id` arrived (reading on until it does)."""
        for m in self.iopub:
            if _is_idle_of(m, msg_id):
                return m["received"]
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            msg = self.kc.iopub_channel.get_msg(timeout=TIMEOUT)
            msg["received"] = time.monotonic()
            # only statuses are looked at later; the rest is dropped
            if msg["msg_type"] == "status":
                self.iopub.append(msg)
            if _is_idle_of(msg, msg_id):
                self.iopub = [m for m in self.iopub if m["parent_header"].get("msg_id") != msg_id]
                return msg["received"]
        raise RuntimeError("no idle for %s within %d s" % (msg_id, TIMEOUT))

    def _timed(self, send):
        start = time.monotonic()
        msg_id = send()
        reply = self.shell_reply(msg_id)
        done = max(reply["received"], self.idle_at(msg_id))
        return reply, (done - start) * 1000.0

    def subshell_sample(self, subshell_id, request):
        """One sample the way subshell.ts takes it: (ms, sample)."""
        args = {k: v for k, v in request.items() if v is not None}
        reply, ms = self._timed(lambda: self.send_shell(SAMPLE_REQUEST, {"args": args}, subshell_id))
        if reply["msg_type"] != SAMPLE_REPLY or reply["content"].get("status") != "ok":
            raise RuntimeError("sample request failed: %r" % reply["content"])
        return ms, decode_sample(repr(reply["content"]["sample"]))

    def set_probe_attr(self, name, value, subshell_id=None):
        """Set a constant of the loaded probe module (a silent execute)."""
        expr = "setattr(__import__('sys').modules[%r], %r, %r)" % (PROBE_MODULE, name, value)
        reply = self.shell_reply(self.silent({"x": expr}, subshell_id))
        assert reply["content"]["user_expressions"]["x"]["status"] == "ok", reply["content"]

    def start_cell(self, code):
        """A normal cell on the main shell, not waited for: its msg_id."""
        return self.send_shell("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})

    def request(self, **extra):
        return sample_request(self.km, **extra)


def _is_idle_of(msg, msg_id):
    return (msg["msg_type"] == "status" and msg["parent_header"].get("msg_id") == msg_id
            and msg["content"]["execution_state"] == "idle")


# --------------------------------------------------------------------------
# /proc

def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    return None


def cpu_s(pid):
    """(utime + stime, cutime + cstime) of `pid` in seconds (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return ((int(fields[11]) + int(fields[12])) / CLK_TCK,
            (int(fields[13]) + int(fields[14])) / CLK_TCK)


def cpu_ns(pid):
    """The run time of all threads of `pid` in ns (schedstat: finer than ticks)."""
    total = 0
    base = "/proc/%d/task" % pid
    for tid in os.listdir(base):
        try:
            with open("%s/%s/schedstat" % (base, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def children(pid):
    """The pids and names of the live children of `pid`."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                text = f.read()
        except OSError:
            continue
        head, rest = text.rsplit(")", 1)
        if int(rest.split()[1]) == pid:
            out.append("%s %s" % (name, head.split("(", 1)[1]))
    return out


def cpu_per_sample(pid, take, n, idle_window_s=2.0):
    """CPU the process `pid` spends per call of `take()` (n calls), with its
    idle rate (measured over `idle_window_s` first) shown and subtracted."""
    s0, n0, t0 = cpu_s(pid), cpu_ns(pid), time.monotonic()
    time.sleep(idle_window_s)
    s1, n1, t1 = cpu_s(pid), cpu_ns(pid), time.monotonic()
    idle_ns_per_s = (n1 - n0) / (t1 - t0)
    for _ in range(n):
        take()  # noqa
    s2, n2, t2 = cpu_s(pid), cpu_ns(pid), time.monotonic()
    stat_ms = (s2[0] - s1[0]) * 1000.0 / n
    sched_ms = (n2 - n1) / 1e6 / n
    idle_ms = idle_ns_per_s * (t2 - t1) / 1e6 / n
    return {"n": n, "stat_utime_stime_ms": round(stat_ms, 3),
            "stat_children_ms": round((s2[1] - s1[1]) * 1000.0 / n, 3),
            "schedstat_ms": round(sched_ms, 3),
            "idle_rate_ms_per_s": round(idle_ns_per_s / 1e6, 3),
            "schedstat_minus_idle_ms": round(sched_ms - idle_ms, 3),
            "tick_ms": round(1000.0 / CLK_TCK, 1)}


# --------------------------------------------------------------------------
# numpy for the notebook kernel

def numpy_path(tmp):
    """(PYTHONPATH entry or "", None) when the kernel can import numpy, else
    (None, why). numpy goes into a scratch venv under `tmp`, never into the
    project's .venv; the kernel (this Python) gets its site-packages on
    PYTHONPATH."""
    probe = [sys.executable, "-c", "import numpy"]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return "", None
    venv = os.path.join(tmp, "numpy-venv")
    py = os.path.join(venv, "bin", "python")
    where = [py, "-c", "import numpy, os; print(os.path.dirname(os.path.dirname(numpy.__file__)))"]
    try:
        if not os.path.exists(py) or subprocess.run(where, capture_output=True).returncode != 0:
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True,
                           timeout=120)
            pip = subprocess.run([py, "-m", "pip", "install", "-q", "numpy"], capture_output=True,
                                 text=True, timeout=300)
            if pip.returncode != 0:
                return None, "numpy unavailable: pip could not install it (%s)" % (
                    (pip.stderr or pip.stdout).strip().splitlines() or ["?"])[-1]
        found = subprocess.run(where, capture_output=True, text=True)
    except (OSError, subprocess.SubprocessError) as e:
        return None, "numpy unavailable: %s" % e
    if found.returncode != 0:
        return None, "numpy unavailable: not importable from %s" % venv
    return found.stdout.strip(), None
