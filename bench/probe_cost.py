"""CPU cost of one probe sample, and of the usual alternatives.

    python3 bench/probe_cost.py [--samples N] [--out FILE.json]

Every scenario runs in a fresh Python process (so that the probe's module
state, its NVML handle and its caches start empty, as in a new monitor
kernel), takes a few warm-up samples and then N timed samples back to back.
For each sample it records

* cpu_self_ms: time.process_time() of the measuring process (all its threads),
  which is what the monitor kernel spends;
* cpu_children_ms: CPU of the child processes the sample ran and reaped
  (nvidia-smi), from getrusage(RUSAGE_CHILDREN), which unlike os.times() is
  not rounded to clock ticks; os.times() children totals are kept as a
  cross-check;
* cpu_total_ms: the two together;
* wall_ms: time.perf_counter().

What a sample is: the probe's sample_b64(), the call the front end evaluates
in the monitor kernel (sample + JSON + base64), with the arguments the front
end passes.

Scenarios:
  cpu_only          our probe, no GPU (no NVML library, no nvidia-smi), no
                    kernel ids
  one_kernel        our probe, no GPU, one kernel id of a real ipykernel
                    (a sleeping child process naming kernel-ID.json when
                    ipykernel cannot be started)
  smi_t4            our probe, --gpu-source nvidia-smi, the fake nvidia-smi
                    of tests/fakes replaying the Tesla T4 recording
                    (--query-gpu and --query-compute-apps: two processes)
  nvml_fake_t4      our probe, --gpu-source nvml, tests/fakes/fake_nvml.c
                    built as a shared library, answering as a Tesla T4: the
                    probe's own ctypes cost only, no driver
  ref_smi_query     for comparison: one `nvidia-smi --query-gpu=... --format=csv`
                    subprocess per sample (the same fake) and csv parsing
  ref_psutil_host   for comparison: host numbers with psutil (virtual_memory,
                    cpu_percent, disk_usage of the home directory)
  ref_psutil_kernel for comparison: the above plus the kernel's process tree
                    (Process.children(recursive=True), memory_info and
                    cpu_percent of each process), as resource monitors built
                    on psutil do

psutil is taken from the interpreter when it is importable (ipykernel depends
on it), else from bench/.venv (created with `python3 -m venv bench/.venv &&
bench/.venv/bin/pip install psutil`); the psutil scenarios are skipped with a
note when neither has it. Nothing is added to the project's requirements.
"""
import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PROBE = os.path.join(REPO, "jupyterlab_gpu_session", "probe.py")
FAKES = os.path.join(REPO, "tests", "fakes")
FAKE_SMI = os.path.join(FAKES, "nvidia-smi")
FAKE_NVML_C = os.path.join(FAKES, "fake_nvml.c")
T4_GPU = os.path.join(REPO, "tests", "fixtures", "nvidia-smi", "tesla-t4-query-gpu.csv")
T4_APPS = os.path.join(REPO, "tests", "fixtures", "nvidia-smi",
                       "tesla-t4-query-compute-apps.csv")
WARMUP = 5
# sys.executable may be relative (PATH=".venv/bin:..."); children run elsewhere
PYTHON = os.path.abspath(sys.executable)

DESCRIPTIONS = {
    "cpu_only": "our probe, CPU-only host, no kernel ids",
    "one_kernel": "our probe, CPU-only host, one kernel id",
    "smi_t4": "our probe, GPU via fake nvidia-smi (Tesla T4 recording)",
    "nvml_fake_t4": "our probe, GPU via a fake NVML library (Tesla T4), no driver",
    "ref_smi_query": "reference: one nvidia-smi --query-gpu subprocess (fake) per sample",
    "ref_psutil_host": "reference: psutil host numbers",
    "ref_psutil_kernel": "reference: psutil host numbers + kernel process tree",
}


# --------------------------------------------------------------------------
# statistics

def pct(values, q):
    """Nearest-rank percentile (q in 0..100)."""
    s = sorted(values)
    if not s:
        return None
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return s[k]


def summary(values):
    return {
        "median": round(statistics.median(values), 4),
        "p95": round(pct(values, 95), 4),
        "mean": round(statistics.fmean(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


# --------------------------------------------------------------------------
# the measuring child

def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load_probe():
    spec = importlib.util.spec_from_file_location("gpu_session_probe_bench", PROBE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_call(name, kernel_id, kernel_pid):
    """Return the function one sample of scenario `name` calls."""
    if name in ("cpu_only", "one_kernel", "smi_t4", "nvml_fake_t4"):
        probe = load_probe()
        kids = [kernel_id] if name == "one_kernel" else []
        source = {"smi_t4": "nvidia-smi", "nvml_fake_t4": "nvml"}.get(name, "auto")
        smi = FAKE_SMI if name == "smi_t4" else "nvidia-smi"

        def call():
            text = probe.sample_b64(kids, None, source, smi)
            return text
        # check once that the scenario is what it claims to be
        s = probe.sample(kids, None, source, smi)
        if name in ("smi_t4", "nvml_fake_t4"):
            if not s["gpus"] or s["gpus"][0]["name"] != "Tesla T4":
                raise SystemExit("%s: no Tesla T4 in the sample: %s"
                                 % (name, s["gpu_error"]))
        elif s["gpus"]:
            raise SystemExit("%s: a GPU was found on a host meant to have none" % name)
        if name == "one_kernel" and not s["kernels"].get(kernel_id):
            raise SystemExit("one_kernel: the kernel %s was not found" % kernel_id)
        return call
    if name == "ref_smi_query":
        import csv
        import io
        fields = ("index,uuid,name,memory.total,memory.used,utilization.gpu,"
                  "utilization.memory,temperature.gpu,power.draw,power.limit")

        def call():
            out = subprocess.run([FAKE_SMI, "--query-gpu=" + fields, "--format=csv"],
                                 stdin=subprocess.DEVNULL, capture_output=True,
                                 timeout=10, check=True).stdout.decode()
            return list(csv.reader(io.StringIO(out)))
        return call
    if name in ("ref_psutil_host", "ref_psutil_kernel"):
        import psutil
        home = os.path.expanduser("~")
        cache = {}

        def host():
            vm = psutil.virtual_memory()
            return (vm.total, vm.available, psutil.cpu_percent(interval=None),
                    psutil.disk_usage(home))

        if name == "ref_psutil_host":
            return host

        def call():
            h = host()
            top = psutil.Process(kernel_pid)
            procs = [top] + top.children(recursive=True)
            rss = 0
            cpu = 0.0
            live = {}
            for p in procs:
                # keep Process objects between samples: cpu_percent compares
                # with the previous call on the same object
                q = cache.get(p.pid, p)
                live[p.pid] = q
                try:
                    rss += q.memory_info().rss
                    cpu += q.cpu_percent(interval=None)
                except psutil.Error:
                    pass
            cache.clear()
            cache.update(live)
            return h, rss, cpu
        return call
    raise SystemExit("unknown scenario %r" % name)


def measure(name, samples, kernel_id, kernel_pid):
    call = make_call(name, kernel_id, kernel_pid)
    for _ in range(WARMUP):
        call()
    self_ms, child_ms, total_ms, wall_ms = [], [], [], []
    t_start = os.times()
    for _ in range(samples):
        c0 = time.process_time()
        k0 = children_cpu()
        w0 = time.perf_counter()
        call()
        w1 = time.perf_counter()
        k1 = children_cpu()
        c1 = time.process_time()
        self_ms.append((c1 - c0) * 1000.0)
        child_ms.append((k1 - k0) * 1000.0)
        total_ms.append(self_ms[-1] + child_ms[-1])
        wall_ms.append((w1 - w0) * 1000.0)
    t_end = os.times()
    return {
        "scenario": name,
        "description": DESCRIPTIONS[name],
        "samples": samples,
        "cpu_self_ms": summary(self_ms),
        "cpu_children_ms": summary(child_ms),
        "cpu_total_ms": summary(total_ms),
        "wall_ms": summary(wall_ms),
        "os_times_children_ms_per_sample": round(
            ((t_end.children_user + t_end.children_system)
             - (t_start.children_user + t_start.children_system))
            * 1000.0 / samples, 4),
    }


# --------------------------------------------------------------------------
# the parent

def base_env():
    env = dict(os.environ)
    # no real or fake nvidia-smi on PATH and no NVML library: a CPU-only host
    env["PATH"] = os.pathsep.join(
        d for d in env.get("PATH", "").split(os.pathsep)
        if d and not os.path.exists(os.path.join(d, "nvidia-smi")))
    for k in list(env):
        if k.startswith(("FAKE_NVIDIA_SMI", "FAKE_NVML", "JUPYTERLAB_GPU_SESSION_NVML")):
            del env[k]
    env["JUPYTERLAB_GPU_SESSION_NVML_LIB"] = "/nonexistent/libnvidia-ml.so.1"
    return env


def start_kernel(tmp):
    """Start a kernel whose command line names kernel-ID.json; (id, Popen, how)."""
    kid = str(uuid.uuid4())
    conn = os.path.join(tmp, "kernel-%s.json" % kid)
    try:
        import ipykernel  # noqa: F401
        proc = subprocess.Popen(
            [PYTHON, "-m", "ipykernel_launcher", "-f", conn],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, cwd=tmp)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if os.path.exists(conn):
                time.sleep(1.0)  # let it finish starting
                return kid, proc, "ipykernel"
            time.sleep(0.1)
        proc.kill()
        proc.wait()
    except ImportError:
        pass
    proc = subprocess.Popen(
        [PYTHON, "-c", "import time; time.sleep(86400)", conn],
        stdin=subprocess.DEVNULL, cwd=tmp)
    return kid, proc, "sleeping python child"


def stop_kernel(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def write_json(doc, path):
    """The results to ``path``, or to stdout without one."""
    text = json.dumps(doc, indent=2)
    if path:
        with open(path, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


def build_fake_nvml(tmp):
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None or not os.path.exists(FAKE_NVML_C):
        return None, "no C compiler or no tests/fakes/fake_nvml.c"
    lib = os.path.join(tmp, "libfake_nvml.so")
    r = subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", lib, FAKE_NVML_C],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, "building fake_nvml.c failed: %s" % r.stderr.strip()[:200]
    return lib, None


def find_psutil_python():
    """An interpreter that can import psutil and the probe (stdlib only)."""
    r = subprocess.run([PYTHON, "-c", "import psutil"], capture_output=True)
    if r.returncode == 0:
        return PYTHON
    local = os.path.join(HERE, ".venv", "bin", "python")
    if os.path.exists(local):
        r = subprocess.run([local, "-c", "import psutil"], capture_output=True)
        if r.returncode == 0:
            return local
    return None


def run_child(python, name, samples, env, kernel_id, kernel_pid):
    cmd = [python, os.path.abspath(__file__), "--scenario", name,
           "--samples", str(samples), "--kernel-id", kernel_id or "",
           "--kernel-pid", str(kernel_pid or 0)]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        return {"scenario": name, "description": DESCRIPTIONS[name],
                "skipped": "failed: %s" % (r.stderr.strip()[-400:] or r.returncode)}
    return json.loads(r.stdout)


def ratio(a, b, key="cpu_total_ms"):
    if not a or not b or "skipped" in a or "skipped" in b:
        return None
    x, y = a[key]["median"], b[key]["median"]
    return round(x / y, 2) if y else None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=300)
    p.add_argument("--out")
    p.add_argument("--scenario", help=argparse.SUPPRESS)
    p.add_argument("--kernel-id", help=argparse.SUPPRESS)
    p.add_argument("--kernel-pid", type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.scenario:
        print(json.dumps(measure(a.scenario, a.samples, a.kernel_id, a.kernel_pid)))
        return 0

    results = {}
    notes = []
    tmp = tempfile.mkdtemp(prefix="gpu-session-bench-")
    kid, kproc, how = start_kernel(tmp)
    notes.append("one_kernel and ref_psutil_kernel watch a %s (pid %d)" % (how, kproc.pid))
    try:
        env = base_env()
        smi_env = dict(env, FAKE_NVIDIA_SMI_REPLAY=T4_GPU, FAKE_NVIDIA_SMI_APPS=T4_APPS)
        lib, why = build_fake_nvml(tmp)
        nvml_env = dict(env, JUPYTERLAB_GPU_SESSION_NVML_LIB=lib or "", FAKE_NVML_SCENARIO="t4")
        psutil_python = find_psutil_python()
        plan = [
            ("cpu_only", PYTHON, env),
            ("one_kernel", PYTHON, env),
            ("smi_t4", PYTHON, smi_env),
            ("nvml_fake_t4", PYTHON if lib else None, nvml_env),
            ("ref_smi_query", PYTHON, smi_env),
            ("ref_psutil_host", psutil_python, env),
            ("ref_psutil_kernel", psutil_python, env),
        ]
        for name, python, e in plan:
            if python is None:
                reason = why if name == "nvml_fake_t4" else (
                    "psutil is not importable (pip install psutil into bench/.venv)")
                results[name] = {"scenario": name, "description": DESCRIPTIONS[name],
                                 "skipped": reason}
            else:
                results[name] = run_child(python, name, a.samples, e, kid, kproc.pid)
            r = results[name]
            if "skipped" in r:
                print("%-18s skipped: %s" % (name, r["skipped"]), file=sys.stderr)
            else:
                print("%-18s cpu self median %.3f ms p95 %.3f | +children median "
                      "%.3f ms | wall median %.3f ms" % (
                          name, r["cpu_self_ms"]["median"], r["cpu_self_ms"]["p95"],
                          r["cpu_total_ms"]["median"], r["wall_ms"]["median"]),
                      file=sys.stderr)
    finally:
        stop_kernel(kproc)
        shutil.rmtree(tmp, ignore_errors=True)

    g = results.get
    ratios = {
        "psutil_host / probe cpu_only": ratio(g("ref_psutil_host"), g("cpu_only")),
        "psutil_kernel / probe one_kernel": ratio(g("ref_psutil_kernel"), g("one_kernel")),
        "nvidia-smi --query-gpu call / probe cpu_only": ratio(g("ref_smi_query"), g("cpu_only")),
        "probe smi_t4 / one nvidia-smi call": ratio(g("smi_t4"), g("ref_smi_query")),
        "probe smi_t4 / probe nvml_fake_t4": ratio(g("smi_t4"), g("nvml_fake_t4")),
    }
    for k, v in ratios.items():
        print("ratio %-45s %s" % (k, "n/a" if v is None else "%.2fx" % v), file=sys.stderr)
    out = {
        "python": sys.version.split()[0],
        "samples": a.samples,
        "warmup": WARMUP,
        "metric_note": "cpu_total = cpu_self (process_time) + cpu_children "
                       "(getrusage RUSAGE_CHILDREN); ratios compare cpu_total medians",
        "notes": notes,
        "scenarios": results,
        "ratios_cpu_total_median": ratios,
    }
    write_json(out, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
