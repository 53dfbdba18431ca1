"""Record what a real NVIDIA GPU says, through nvidia-smi and through the probe.

    bench/real-gpu [--out DIR] [--samples 100] [--nvidia-smi PATH]

Writes into one folder (default bench/results/real-gpu-HOST-DATE/):

  nvidia-smi-q.xml            nvidia-smi -q -x
  query-gpu.csv               nvidia-smi --query-gpu=<probe.QUERY_GPU_FIELDS> --format=csv
  query-compute-apps.csv      nvidia-smi --query-compute-apps=<probe.QUERY_APPS_FIELDS> --format=csv
  nvidia-smi-version.txt      nvidia-smi --version
  sample-nvml.json            probe.sample(gpu_source="nvml")
  sample-nvidia-smi.json      probe.sample(gpu_source="nvidia-smi")
  torch-subshell.json         a subshell sample from a kernel with a torch tensor on cuda
                              (only when torch is importable here)
  summary.json, summary.md    what agreed, what differed, the cost per sample

The two CSVs have the header and units that tests/fakes/nvidia-smi replays,
so they can serve as recordings. Without a GPU it writes what it could (the
errors) and exits 0 with a "no GPU found" line. Needs only python3 (the
torch step also needs jupyter_client and ipykernel).
"""
import argparse
import datetime
import importlib.util
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PROBE = os.path.join(REPO, "jupyterlab_gpu_session", "probe.py")
MIB = 1024 * 1024
#: Memory used may move between the two samples (and nvidia-smi may count
#: reserved memory differently): this much, or 2 % of the total, is agreement.
USED_TOLERANCE_MIB = 256
SAME_EXACTLY = ("uuid", "name", "memory_total_bytes")


def load_probe():
    spec = importlib.util.spec_from_file_location("_gpu_session_probe_real_gpu", PROBE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(smi, args, path, out):
    """Run nvidia-smi with `args`, its stdout into `path`; what happened."""
    if smi is None:
        return {"args": args, "error": "nvidia-smi not found"}
    start = time.monotonic()
    try:
        r = subprocess.run([smi] + args, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return {"args": args, "error": "%s: %s" % (type(e).__name__, e)}
    with open(os.path.join(out, path), "w") as f:
        f.write(r.stdout)
    return {"args": args, "file": path, "returncode": r.returncode,
            "stderr": r.stderr.strip()[-2000:], "seconds": round(time.monotonic() - start, 3)}


def cost(take, n):
    """Median CPU (self, self + children) and wall per call, in ms."""
    self_ms, total_ms, wall_ms = [], [], []
    for _ in range(n):
        t0, w0 = os.times(), time.perf_counter()
        take()
        t1, w1 = os.times(), time.perf_counter()
        own = (t1.user - t0.user) + (t1.system - t0.system)
        kids = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
        self_ms.append(own * 1000)
        total_ms.append((own + kids) * 1000)
        wall_ms.append((w1 - w0) * 1000)
    med = lambda v: round(statistics.median(v), 3)  # noqa: E731
    return {"n": n, "cpu_self_ms": med(self_ms), "cpu_with_children_ms": med(total_ms),
            "wall_ms": med(wall_ms)}


def agreement(nvml, smi, tolerance_mib=USED_TOLERANCE_MIB):
    """Whether the two samples describe the same GPUs, and what differs."""
    a, b = nvml.get("gpus") or [], smi.get("gpus") or []
    problems, differs = [], {}
    if not a and not b:
        return {"agree": None, "problems": ["not checked: no GPU from NVML nor nvidia-smi"],
                "fields_differ": {}}
    if not a or not b:
        return {"agree": False, "problems": ["no GPU from %s" % " and ".join(
            n for n, g in (("NVML", a), ("nvidia-smi", b)) if not g)], "fields_differ": {}}
    if len(a) != len(b):
        problems.append("GPU count: NVML %d, nvidia-smi %d" % (len(a), len(b)))
    for i, (x, y) in enumerate(zip(a, b)):
        for key in SAME_EXACTLY:
            if x.get(key) != y.get(key):
                problems.append("GPU %d %s: NVML %r, nvidia-smi %r" % (i, key, x.get(key), y.get(key)))
        total = x.get("memory_total_bytes") or 0
        allowed = max(tolerance_mib * MIB, 0.02 * total)
        ux, uy = x.get("memory_used_bytes"), y.get("memory_used_bytes")
        if ux is None or uy is None or abs(ux - uy) > allowed:
            problems.append("GPU %d memory_used_bytes: NVML %r, nvidia-smi %r (tolerance %d MiB)" % (
                i, ux, uy, allowed // MIB))
        for key in sorted(set(x) | set(y)):
            if key not in SAME_EXACTLY and key != "processes" and x.get(key) != y.get(key):
                differs.setdefault(key, []).append({"gpu": i, "nvml": x.get(key), "nvidia_smi": y.get(key)})
        px = sorted(p.get("pid") for p in x.get("processes") or [])
        py = sorted(p.get("pid") for p in y.get("processes") or [])
        if px != py:
            differs.setdefault("processes (pids)", []).append({"gpu": i, "nvml": px, "nvidia_smi": py})
    return {"agree": not problems, "problems": problems, "fields_differ": differs,
            "used_tolerance_mib": tolerance_mib}


TORCH_CELL = ("import torch\n"
              "_gs_x = torch.ones((64, 1024, 1024), device='cuda')\n"  # 256 MiB of float32
              "torch.cuda.synchronize()")


def torch_subshell(out):
    """A subshell sample from a kernel (this Python's) holding a torch
    tensor on cuda; torch is imported in the kernel, never here."""
    check = subprocess.run([sys.executable, "-c", "import torch, jupyter_client, ipykernel; "
                            "print(torch.__version__, torch.cuda.is_available())"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        last = (check.stderr.strip().splitlines() or ["?"])[-1]
        return {"skipped": "torch, jupyter_client or ipykernel not importable here (%s)" % last}
    version, available = check.stdout.split()
    if available != "True":
        return {"skipped": "torch %s here, but torch.cuda.is_available() is False" % version}
    sys.path.insert(0, os.path.join(REPO, "tests"))
    from kernel_client import Kernel  # noqa: E402  (needs jupyter_client)
    kernel = Kernel(dict(os.environ))
    try:
        reply, _ = kernel.run(TORCH_CELL)
        if reply["content"]["status"] != "ok":
            return {"torch": version, "error": "the torch cell failed: %s: %s" % (
                reply["content"].get("ename"), reply["content"].get("evalue"))}
        subshell = kernel.create_subshell()
        kernel.load_probe(subshell)
        times, sample = [], None
        for _ in range(10):
            start = time.monotonic()
            _, r, sample = kernel.sample(subshell, self_kernel_id=kernel.km.kernel_id)
            times.append(round((r["received"] - start) * 1000, 2))
        with open(os.path.join(out, "torch-subshell.json"), "w") as f:
            json.dump(sample, f, indent=2)
        mine = (sample.get("kernels") or {}).get(kernel.km.kernel_id) or {}
        pid = kernel.km.provisioner.pid
        on_gpus = [{"gpu": g.get("index"), "used_memory_bytes": p.get("used_memory_bytes")}
                   for g in sample.get("gpus") or [] for p in g.get("processes") or []
                   if p.get("pid") == pid]
        return {"torch": version, "tensor_bytes": 64 * MIB * 4, "kernel_pid": pid,
                "torch_cuda": mine.get("torch_cuda"), "kernel_on_gpus": on_gpus,
                "reply_ms": times, "reply_ms_median": statistics.median(times),
                "errors": sample.get("error")}
    finally:
        kernel.close()


def markdown(s):
    lines = ["# Real-GPU check (bench/real-gpu)", "",
             "- date: %s, host: %s, commit: %s" % (s["date"], s["host"], s["git_commit"]),
             "- %s" % s["verdict"], ""]
    for name, r in s["recorded"].items():
        lines.append("- `%s`: %s" % (name, r.get("error") or "exit %s, %s s%s" % (
            r["returncode"], r["seconds"], "; stderr: %s" % r["stderr"] if r["stderr"] else "")))
    lines += ["", "| path | source | GPUs | error | CPU self ms | CPU with children ms | wall ms |",
              "|---|---|---|---|---|---|---|"]
    for path, r in s["probe"].items():
        c = r.get("cost") or {}
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            path, r["gpu_source"], ", ".join(r["gpus"]) or "none", r["gpu_error"] or "",
            c.get("cpu_self_ms", "—"), c.get("cpu_with_children_ms", "—"), c.get("wall_ms", "—")))
    ag = s["agreement"]
    lines += ["", "## NVML against nvidia-smi: %s" % {True: "they agree", False: "they do NOT agree",
                                                      None: "not checked"}[ag["agree"]], ""]
    lines += ["- %s" % p for p in ag["problems"]]
    for key, rows in ag["fields_differ"].items():
        lines.append("- differs (not a failure): %s: %s" % (key, "; ".join(
            "GPU %s NVML %r, nvidia-smi %r" % (r["gpu"], r["nvml"], r["nvidia_smi"]) for r in rows)))
    t = s["torch_subshell"]
    lines += ["", "## torch in the notebook's kernel (subshell sample)", "",
              "- " + (t.get("skipped") or t.get("error") or "torch %s: torch_cuda %s; the kernel on the "
                      "GPUs (NVML): %s; reply median %s ms" % (
                          t["torch"], json.dumps(t["torch_cuda"]), json.dumps(t["kernel_on_gpus"]),
                          t["reply_ms_median"]))]
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out")
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--nvidia-smi", default=os.environ.get("NVIDIA_SMI") or "nvidia-smi")
    p.add_argument("--used-tolerance-mib", type=int, default=USED_TOLERANCE_MIB)
    a = p.parse_args(argv)
    host = socket.gethostname()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    out = a.out or os.path.join(HERE, "results", "real-gpu-%s-%s" % (host, now.strftime("%Y%m%d-%H%M")))
    os.makedirs(out, exist_ok=True)
    probe = load_probe()
    smi = shutil.which(a.nvidia_smi)
    fields = {"gpu": probe.QUERY_GPU_FIELDS, "apps": probe.QUERY_APPS_FIELDS}
    recorded = {
        "nvidia-smi -q -x": record(smi, ["-q", "-x"], "nvidia-smi-q.xml", out),
        "--query-gpu": record(smi, ["--query-gpu=" + fields["gpu"], "--format=csv"], "query-gpu.csv", out),
        "--query-compute-apps": record(smi, ["--query-compute-apps=" + fields["apps"], "--format=csv"],
                                       "query-compute-apps.csv", out),
        "--version": record(smi, ["--version"], "nvidia-smi-version.txt", out),
    }
    takes = {"nvml": lambda: probe.sample(gpu_source="nvml"),
             "nvidia-smi": lambda: probe.sample(gpu_source="nvidia-smi", nvidia_smi=smi or a.nvidia_smi)}
    samples, summary_probe = {}, {}
    for path, take in takes.items():
        samples[path] = s = take()
        with open(os.path.join(out, "sample-%s.json" % path), "w") as f:
            json.dump(s, f, indent=2)
        summary_probe[path] = {"gpu_source": s.get("gpu_source"), "gpu_error": s.get("gpu_error"),
                               "gpus": ["%s %s" % (g.get("name"), g.get("uuid")) for g in s.get("gpus") or []]}
        if s.get("gpus"):
            summary_probe[path]["cost"] = cost(take, a.samples)
    ag = agreement(samples["nvml"], samples["nvidia-smi"], a.used_tolerance_mib)
    found = any(samples[k].get("gpus") for k in samples)
    summary = {
        "date": now.isoformat(), "host": host, "python": sys.executable,
        "platform": platform.platform(), "git_commit": _git_commit(),
        "nvidia_smi": smi, "nvml_lib_env": os.environ.get(probe.NVML_LIB_ENV),
        "query_fields": fields, "gpu_found": found, "recorded": recorded,
        "probe": summary_probe, "agreement": ag,
        "torch_subshell": torch_subshell(out)
        if found else {"skipped": "no GPU found"},
    }
    summary["verdict"] = ("no GPU found: nvidia-smi %s; NVML: %s" % (
        "not found" if smi is None else "found no GPU", samples["nvml"].get("gpu_error"))
        if not found else "NVML and nvidia-smi %s" % ("agree" if ag["agree"] else "DO NOT agree"))
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(markdown(summary))
    print(summary["verdict"])
    print("written to %s" % out)
    return 0


def _git_commit():
    try:
        r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                           cwd=REPO, timeout=10)
        return r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


if __name__ == "__main__":
    sys.exit(main())
