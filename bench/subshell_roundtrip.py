"""The subshell transport against the monitor kernel, in one run (issue 11).

    python3 bench/subshell_roundtrip.py [--n 30] [--out FILE.json]

Two real ipykernel kernels started by jupyter_client: the "notebook" kernel,
whose subshell has the probe loaded exactly as the front end loads it, and a
separate monitor kernel with the probe loaded. For each state of the
notebook kernel's main shell (idle, a ``time.sleep`` loop, a numpy matmul
loop, a pure-Python loop) N samples go each way: SAMPLE_REQUEST to the
subshell (subshell.ts) and the same message to the monitor kernel's main
shell (transport.ts, sampleRequest.ts). A round trip is timed from sending to reply + IOPub idle
(JupyterLab's ``future.done``), straight over ZMQ: no server, no browser.

Two GPU variants: ``fake_smi`` (tests/fakes/nvidia-smi replaying a T4; it is
a Python script, so each of its two calls per sample costs a Python start-up)
and ``no_gpu_tool`` (``nvidia_smi`` pointing at a missing path, NVML absent):
the probe's own cost. The budgets are judged on ``no_gpu_tool``.

Also: the pure-Python loop with the probe's short GIL switch interval turned
off (``SAMPLE_SWITCH_INTERVAL_S`` set huge in the loaded module), the RSS the
subshell path adds to the notebook kernel against the monitor kernel's
whole RSS, the CPU per sample inside each kernel, and the notebook kernel's
child processes before and after. N: --n or BENCH_SUBSHELL_N (default 30);
CPU samples: BENCH_SUBSHELL_CPU_N (default 100); the switch-interval-off
row: BENCH_SUBSHELL_SLOW_N (default 10; one sample there takes seconds).
"""
import argparse
import os
import queue
import re
import signal
import sys
import tempfile
import time

from subshell_kernels import (REPO, HERE, TimedKernel, children, cpu_per_sample, numpy_path,
                              rss_mb, stats)
from emit import emit  # bench/emit.py
from kernel_client import TIMEOUT  # tests/kernel_client.py

FAKES = os.path.join(REPO, "tests", "fakes")
FIXTURES = os.path.join(REPO, "tests", "fixtures", "nvidia-smi")
WARMUP = 3
BUDGET_MS = 25.0

# The main shell's cell runs until the flag file exists.
STATES = {
    "idle": None,
    "sleeping": "import os, time\nwhile not os.path.exists({flag!r}):\n    time.sleep(0.5)",
    "numpy": ("import os, numpy\n_gs_a = numpy.random.rand(400, 400)\n"
              "while not os.path.exists({flag!r}):\n    _gs_a @ _gs_a\ndel _gs_a"),
    "pure_python": "import os\nwhile not os.path.exists({flag!r}):\n    sum(range(100000))",
}
VARIANTS = {
    "no_gpu_tool": "/nonexistent/nvidia-smi",
    "fake_smi": os.path.join(FAKES, "nvidia-smi"),
}


def kernel_env(pythonpath):
    env = dict(os.environ)
    for k in [k for k in env if k.startswith(("FAKE_NVIDIA_SMI", "FAKE_NVML"))]:
        del env[k]
    env["JUPYTERLAB_GPU_SESSION_NVML_LIB"] = "/nonexistent/libnvidia-ml.so.1"
    env["FAKE_NVIDIA_SMI_REPLAY"] = os.path.join(FIXTURES, "tesla-t4-query-gpu.csv")
    env["FAKE_NVIDIA_SMI_APPS"] = os.path.join(FIXTURES, "tesla-t4-query-compute-apps.csv")
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH")) if p)
    return env


class Bench:
    def __init__(self, n, tmp, pythonpath):
        self.n, self.tmp = n, tmp
        self.nb = TimedKernel(kernel_env(pythonpath))
        self.mon = TimedKernel(kernel_env(None))
        self.subshell = None

    def close(self):
        for k in (self.nb, self.mon):
            k.close()

    def requests(self, smi):
        ids = [self.nb.km.kernel_id]
        return (self.nb.request(kernel_ids=ids, nvidia_smi=smi, self_kernel_id=ids[0]),
                self.mon.request(kernel_ids=ids, nvidia_smi=smi))

    def take(self, path, smi):
        sub, mon = self.requests(smi)
        if path == "subshell":
            return self.nb.subshell_sample(self.subshell, sub)
        # the monitor kernel's main shell, through the same handler
        # (transport.ts since the sampleRequest.ts change)
        return self.mon.subshell_sample(None, mon)

    def series(self, path, smi, n):
        """N timed samples; how many saw the GPU (a fake nvidia-smi that
        timed out would make the probe skip it) and the GPU errors."""
        for _ in range(WARMUP):
            self.take(path, smi)
        taken = [self.take(path, smi) for _ in range(n)]
        errors = sorted({s.get("gpu_error") for _, s in taken if s.get("gpu_error")})
        return stats([ms for ms, _ in taken], with_gpu=sum(1 for _, s in taken if s.get("gpus")),
                     gpu_errors=errors[:3])

    def busy(self, state):
        """A context in which the notebook kernel's main shell is in `state`."""
        return _Busy(self, state)


class _Busy:
    def __init__(self, bench, state):
        self.bench, self.state, self.msg_id = bench, state, None

    def __enter__(self):
        code = STATES[self.state]
        if code:
            self.flag = os.path.join(self.bench.tmp, "stop-%s-%f" % (self.state, time.time()))
            self.msg_id = self.bench.nb.start_cell(code.format(flag=self.flag))
            time.sleep(1.0)  # the cell is running (numpy imported, loop entered)
        return self

    def __exit__(self, *exc):
        if self.msg_id:
            open(self.flag, "w").close()
            reply = self.bench.nb.shell_reply(self.msg_id)
            if reply["content"]["status"] != "ok":
                raise RuntimeError("the %s cell failed: %s" % (self.state, reply["content"]))
            # while the cell ran, every sample went out and came back
        return False


def measure(a, res):
    tmp = tempfile.mkdtemp(prefix="subshell-", dir=os.path.join(HERE, ".tmp")
                           if os.path.isdir(os.path.join(HERE, ".tmp")) else None)
    pythonpath, numpy_skip = numpy_path(os.path.join(HERE, ".tmp"))
    res["numpy"] = numpy_skip or "available"
    b = Bench(a.n, tmp, pythonpath)
    try:
        time.sleep(1.0)
        nb, mon = b.nb, b.mon
        before = {"rss_mb": rss_mb(nb.pid), "children": children(nb.pid)}
        mon_fresh = rss_mb(mon.pid)
        b.subshell = nb.create_subshell()
        nb.load_probe(b.subshell)
        mon.load_probe(None)
        # The fake nvidia-smi's Python start-up can pass the probe's 3 s
        # timeout on a loaded machine, and a timeout makes the probe skip
        # nvidia-smi for a minute: the fake gets all the time it needs.
        nb.set_probe_attr("NVIDIA_SMI_TIMEOUT_S", 120.0, b.subshell)
        mon.set_probe_attr("NVIDIA_SMI_TIMEOUT_S", 120.0)
        smi = VARIANTS["no_gpu_tool"]
        res["cpu_per_sample_idle"] = {
            "subshell_in_notebook_kernel": cpu_per_sample(nb.pid, lambda: b.take("subshell", smi), a.cpu_n),
            "monitor_kernel": cpu_per_sample(mon.pid, lambda: b.take("monitor_kernel", smi), a.cpu_n),
        }
        after = {"rss_mb": rss_mb(nb.pid), "children": children(nb.pid)}
        res["rss"] = {
            "notebook_kernel_before_mb": round(before["rss_mb"], 1),
            "notebook_kernel_after_mb": round(after["rss_mb"], 1),
            "subshell_path_extra_mb": round(after["rss_mb"] - before["rss_mb"], 1),
            "monitor_kernel_fresh_mb": round(mon_fresh, 1),
            "monitor_kernel_mb": round(rss_mb(mon.pid), 1),
            "samples_before_after": a.cpu_n,
        }
        res["rss"]["saved_mb"] = round(res["rss"]["monitor_kernel_mb"]
                                       - res["rss"]["subshell_path_extra_mb"], 1)
        res["variants"] = {}
        for variant, smi in VARIANTS.items():
            res["variants"][variant] = out = {}
            for state in STATES:
                if state == "numpy" and numpy_skip:
                    out[state] = {"skipped": numpy_skip}
                    continue
                with b.busy(state):
                    out[state] = {path: b.series(path, smi, a.n)
                                  for path in ("subshell", "monitor_kernel")}
                print("%-12s %-12s subshell %s | monitor kernel %s" % (
                    variant, state, _short(out[state]["subshell"]),
                    _short(out[state]["monitor_kernel"])), file=sys.stderr)
        res["switch_interval_off"] = {}
        nb.set_probe_attr("SAMPLE_SWITCH_INTERVAL_S", 1e9, b.subshell)
        try:
            for variant, smi in VARIANTS.items():
                try:
                    with b.busy("pure_python"):
                        s = b.series("subshell", smi, a.slow_n)
                except queue.Empty:
                    # A sample that did not come back within the client's
                    # wait is a result, not a failed run; its late reply
                    # would be read as the next one's, so the row ends here.
                    s = {"error": "a sample got no reply within %d s" % TIMEOUT}
                    res["switch_interval_off"][variant] = {"pure_python": {"subshell": s}}
                    print("%-12s pure_python, switch interval NOT shortened: %s" % (
                        variant, s["error"]), file=sys.stderr)
                    break
                res["switch_interval_off"][variant] = {"pure_python": {"subshell": s}}
                print("%-12s pure_python, switch interval NOT shortened: subshell %s" % (
                    variant, _short(s)), file=sys.stderr)
        finally:
            nb.set_probe_attr("SAMPLE_SWITCH_INTERVAL_S", switch_interval(), b.subshell)
        time.sleep(0.5)
        res["processes"] = {
            "notebook_kernel_children_before": before["children"],
            "notebook_kernel_children_after_samples": after["children"],
            "notebook_kernel_children_at_end": children(nb.pid),
        }
        res["processes"]["extra"] = max(len(after["children"]), len(
            res["processes"]["notebook_kernel_children_at_end"])) - len(before["children"])
    finally:
        b.close()


def switch_interval():
    """probe.py's SAMPLE_SWITCH_INTERVAL_S, as written."""
    with open(os.path.join(REPO, "jupyterlab_gpu_session", "probe.py")) as f:
        return float(re.search(r"^SAMPLE_SWITCH_INTERVAL_S = (\S+)", f.read(), re.M).group(1))


def _short(s):
    return "median %.1f ms, p95 %.1f ms" % (s["median"], s["p95"])


def budgets(res):
    out = []
    v = res.get("variants", {}).get("no_gpu_tool", {})
    for state in ("idle", "sleeping"):
        s = (v.get(state) or {}).get("subshell")
        out.append({"what": "subshell round trip, notebook kernel %s (no GPU tool)" % state,
                    "measured_median_ms": s and s["median"], "budget": "<= 25 ms median",
                    "result": "not measured" if not s else
                    ("pass" if s["median"] <= BUDGET_MS else "missed")})
    extra = res.get("processes", {}).get("extra")
    out.append({"what": "extra processes on the subshell path", "measured": extra,
                "budget": "0", "result": "not measured" if extra is None else
                ("pass" if extra <= 0 else "missed")})
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=int(os.environ.get("BENCH_SUBSHELL_N", "30")))
    p.add_argument("--cpu-n", type=int, default=int(os.environ.get("BENCH_SUBSHELL_CPU_N", "100")))
    p.add_argument("--slow-n", type=int, default=int(os.environ.get("BENCH_SUBSHELL_SLOW_N", "10")))
    p.add_argument("--out")
    a = p.parse_args(argv)
    # a stopped bench still shuts its kernels down (the finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from importlib.metadata import version
    with open("/proc/loadavg") as f:
        load0 = " ".join(f.read().split()[:3])
    res = {"n": a.n, "cpu_n": a.cpu_n, "slow_n": a.slow_n, "warmup": WARMUP,
           "ipykernel": version("ipykernel"), "jupyter_client": version("jupyter_client"),
           "loadavg_at_start": load0, "transport": "ZMQ straight to the kernels (jupyter_client)"}
    t0 = time.monotonic()
    try:
        measure(a, res)
    except Exception as e:  # what was measured is still written
        res["error"] = "%s: %s" % (type(e).__name__, e)
    with open("/proc/loadavg") as f:
        res["loadavg_at_end"] = " ".join(f.read().split()[:3])
    res["seconds"] = round(time.monotonic() - t0, 1)
    res["budgets"] = budgets(res)
    for r in res["budgets"]:
        print("budget: %s: %s (%s)" % (r["what"], r["result"], r["budget"]), file=sys.stderr)
    emit(res, a.out)
    return 1 if "error" in res else 0


if __name__ == "__main__":
    sys.exit(main())
