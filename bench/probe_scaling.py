"""Probe CPU per sample against the number of processes on the host.

    python3 bench/probe_scaling.py [--levels 0,500,2000] [--samples N]
                                   [--probe PATH]... [--out FILE.json]

On a shared JupyterHub or HPC node /proc holds thousands of processes that
are not ours; a probe with one kernel id must cost the same there as on an
empty machine (DESIGN.md 4). This starts one real ipykernel (or, without
ipykernel, a sleeping child whose command line names kernel-ID.json), then,
in ONE run, adds extra sleeping processes up to each level (0, 500, 2,000 by
default) and at each level times the probe's sample_b64([kernel id]) in this
process: 5 warm-up samples, then N timed ones back to back,
time.process_time() around each (CPU-only host: no NVML library, no
nvidia-smi on PATH).

--probe PATH (repeatable) times other copies of probe.py at the same levels
in the same run, each loaded as its own module (its own state), e.g. the
version before a change:

    git show main:jupyterlab_gpu_session/probe.py > /tmp/old_probe.py
    python3 bench/probe_scaling.py --probe jupyterlab_gpu_session/probe.py \\
        --probe /tmp/old_probe.py

For a probe that has KERNEL_TREE_RESCAN_S (its rare full scan of the process
table), the samples with that scan are timed too (the scan forced on every
sample for them), and the mean cost per sample at the default 2 s interval
is given, with the scans as often as the probe makes them (every
KERNEL_TREE_RESCAN_S, or less often as KERNEL_TREE_RESCAN_CPU_SHARE says).

The extra processes are `sleep` (a few hundred KiB each, no CPU); they are
bounded twice: each sleeps at most LIFETIME_S, so none outlives a killed
bench for long, and all are killed and reaped at the end, also on an error,
Ctrl-C or SIGTERM. No more than MAX_EXTRA are started.

Budget (issue 12): with 2,000 extra processes, <= 1.5x the median with none,
and <= 1 ms median. Reported, never asserted.
"""
import argparse
import importlib.util
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from probe_cost import base_env, start_kernel, stop_kernel, summary, write_json  # noqa: E402

PROBE = os.path.join(REPO, "jupyterlab_gpu_session", "probe.py")
WARMUP = 5
#: Seconds an extra process lives at most, whatever happens to the bench.
LIFETIME_S = 900
#: Most extra processes this bench starts.
MAX_EXTRA = 5000
#: The front end's default poll interval, for the mean with the rare scan.
INTERVAL_S = 2.0
BUDGET_RATIO = 1.5
BUDGET_MS = 1.0


class Crowd(object):
    """Sleeping processes that fill the host's process table."""

    def __init__(self):
        self.procs = []
        sleep = shutil.which("sleep")
        if sleep is None:
            raise SystemExit("probe_scaling: no `sleep` command on PATH")
        self.cmd = [sleep, str(LIFETIME_S)]

    def grow_to(self, n):
        if n > MAX_EXTRA:
            raise SystemExit("probe_scaling: %d extra processes asked, at most %d"
                             % (n, MAX_EXTRA))
        soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
        if soft != resource.RLIM_INFINITY and host_processes() + n - len(self.procs) > soft:
            raise SystemExit("probe_scaling: RLIMIT_NPROC %d is too low for %d more "
                             "processes" % (soft, n - len(self.procs)))
        while len(self.procs) < n:
            self.procs.append(subprocess.Popen(
                self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, close_fds=True))

    def kill_all(self):
        for p in self.procs:
            try:
                p.kill()
            except OSError:
                pass
        for p in self.procs:
            try:
                p.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.procs = []


def host_processes():
    return sum(1 for name in os.listdir("/proc") if name.isdigit())


def load_probe(path, index):
    spec = importlib.util.spec_from_file_location("gpu_session_probe_scaling_%d" % index,
                                                  path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def time_samples(call, n):
    for _ in range(WARMUP):
        call()
    out = []
    for _ in range(n):
        c0 = time.process_time()
        call()
        out.append((time.process_time() - c0) * 1000.0)
    return out


def measure(probe, kid, samples):
    def call():
        return probe.sample_b64([kid], None, "auto", "nvidia-smi")
    result = {"cpu_ms": summary(time_samples(call, samples))}
    interval = getattr(probe, "KERNEL_TREE_RESCAN_S", None)
    if interval:
        # every sample with the full scan, then back to the real settings
        share = getattr(probe, "KERNEL_TREE_RESCAN_CPU_SHARE", None)
        probe.KERNEL_TREE_RESCAN_S = 0.0
        probe.KERNEL_TREE_RESCAN_CPU_SHARE = float("inf")
        scheduled = getattr(probe._STATE, "tree_scan_next", {})
        scheduled.clear()  # the next scan planned before: now
        try:
            scan = time_samples(call, max(20, samples // 5))
        finally:
            probe.KERNEL_TREE_RESCAN_S = interval
            probe.KERNEL_TREE_RESCAN_CPU_SHARE = share
            scheduled.clear()
        med, med_scan = result["cpu_ms"]["median"], statistics.median(scan)
        # the probe's rule: the next scan waits at least as long as the
        # interval and as long as the scan's cost allows
        wait = max(interval, (med_scan - med) / 1000.0 / share if share else 0.0)
        every = max(1.0, wait / INTERVAL_S)
        result["with_full_scan_cpu_ms"] = summary(scan)
        result["mean_at_2s_interval_ms"] = round(med + (med_scan - med) / every, 4)
        result["full_scan_every_samples"] = round(every, 1)
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--levels", default="0,500,2000",
                   help="extra processes at each level, comma-separated, rising")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--probe", action="append", default=None,
                   help="a probe.py to time (repeatable; default: this repository's)")
    p.add_argument("--out")
    a = p.parse_args(argv)
    levels = [int(x) for x in a.levels.split(",") if x.strip()]
    if levels != sorted(levels) or (levels and levels[0] < 0):
        raise SystemExit("probe_scaling: --levels must rise from 0 or more")
    paths = [os.path.abspath(x) for x in (a.probe or [PROBE])]
    # a CPU-only host for the probe in this process, as probe_cost's children
    env = base_env()
    os.environ.clear()
    os.environ.update(env)

    def stop(signum, frame):
        raise SystemExit("probe_scaling: stopped by signal %d" % signum)
    signal.signal(signal.SIGTERM, stop)

    load_start = _loadavg()
    tmp = tempfile.mkdtemp(prefix="gpu-session-scaling-")
    crowd = Crowd()
    kproc = None
    runs = []
    try:
        kid, kproc, how = start_kernel(tmp)
        probes = [load_probe(path, i) for i, path in enumerate(paths)]
        for path, probe in zip(paths, probes):
            k = probe.sample([kid])["kernels"].get(kid)
            if not k or k["pid"] != kproc.pid:
                raise SystemExit("probe_scaling: %s did not find the kernel" % path)
        for level in levels:
            crowd.grow_to(level)
            time.sleep(1.0)  # let the new processes settle into sleep
            row = {"extra_processes": level, "host_processes": host_processes(),
                   "probes": {}}
            for path, probe in zip(paths, probes):
                r = measure(probe, kid, a.samples)
                row["probes"][path] = r
                print("%5d extra (%5d on the host) %-45s median %.3f ms p95 %.3f ms%s" % (
                    level, row["host_processes"], _short_path(path),
                    r["cpu_ms"]["median"], r["cpu_ms"]["p95"],
                    "; with the full scan %.3f ms, mean at 2 s %.3f ms" % (
                        r["with_full_scan_cpu_ms"]["median"], r["mean_at_2s_interval_ms"])
                    if "with_full_scan_cpu_ms" in r else ""), file=sys.stderr)
            runs.append(row)
    finally:
        crowd.kill_all()
        if kproc is not None:
            stop_kernel(kproc)
        shutil.rmtree(tmp, ignore_errors=True)

    verdicts = {}
    for path in paths:
        meds = [r["probes"][path]["cpu_ms"]["median"] for r in runs]
        if len(runs) > 1 and runs[0]["extra_processes"] == 0:
            ratio = round(meds[-1] / meds[0], 2) if meds[0] else None
            verdicts[path] = {
                "ratio_most_to_none": ratio, "median_at_most_ms": meds[-1],
                "pass": bool(ratio is not None and ratio <= BUDGET_RATIO
                             and meds[-1] <= BUDGET_MS)}
            print("%-45s %d extra / none: %.2fx, %.3f ms: %s" % (
                _short_path(path), runs[-1]["extra_processes"], ratio or 0, meds[-1],
                "pass" if verdicts[path]["pass"] else "missed"), file=sys.stderr)
    out = {
        "python": sys.version.split()[0],
        "samples": a.samples,
        "warmup": WARMUP,
        "kernel": how,
        "cpus": os.cpu_count(),
        "loadavg_1m_start_end": [load_start, _loadavg()],
        "budget": "with the most extra processes <= %gx the median with none, and <= %g ms"
                  % (BUDGET_RATIO, BUDGET_MS),
        "metric_note": "time.process_time() around sample_b64([kernel id]), in process",
        "levels": runs,
        "verdicts": verdicts,
    }
    write_json(out, a.out)
    return 0


def _loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _short_path(path):
    return os.path.relpath(path, REPO) if path.startswith(REPO) else path


if __name__ == "__main__":
    sys.exit(main())
