"""Check that the probe source the labextension bundles works like probe.py.

    python3 bench/probe_strip_check.py [--bundled src/monitor/probeSource.ts]
                                       [--pytest] [--out FILE.json]

scripts/embed-probe.js bundles probe.py without comments, docstrings and
spare whitespace (scripts/strip_probe.py). pytest imports the real
probe.py, so this checks the bundled text itself, read back from the
generated probeSource.ts (by default the one of the production build that
bench/run measured):

1. sizes: raw and gzip -9 of probe.py and of the bundled text;
2. syntax: the bundled text parses to the same tree as probe.py with its
   docstrings removed (ast.dump without positions);
3. behaviour: both are loaded as fresh modules in a child process, as the
   monitor kernel loads them, and ``sample()`` / ``sample_b64()`` are called in
   three scenarios (CPU-only; two GPUs through the fake nvidia-smi; a Tesla T4
   through the fake NVML library when a C compiler is there). The samples
   must have the same keys at every level and the same value types, and the
   GPU parts (replayed by the fakes) must be equal; the modules must define
   the same public names with the same signatures.
4. with --pytest: the probe's pytest files (tests/test_probe_*.py,
   test_platform.py, test_checkpoints.py, with conftest, fakes and fixtures)
   are copied into bench/.tmp/strip-check with the bundled text as
   jupyterlab_gpu_session/probe.py, and run there (about a minute).

Exits 1 when a check fails.
"""
import argparse
import ast
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PROBE = os.path.join(REPO, "jupyterlab_gpu_session", "probe.py")
FAKES = os.path.join(REPO, "tests", "fakes")
FIXTURES = os.path.join(REPO, "tests", "fixtures", "nvidia-smi")

sys.path.insert(0, os.path.join(REPO, "scripts"))
from strip_probe import expected_tree  # noqa: E402

CHILD = r'''
import importlib.util, inspect, json, sys
def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m
def shape(v):
    if isinstance(v, dict):
        return {k: shape(x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        return [shape(x) for x in v]
    return type(v).__name__
orig, small = load(sys.argv[1], "probe_original"), load(sys.argv[2], "probe_bundled")
args = json.loads(sys.argv[3])
out = {}
for label, m in (("original", orig), ("bundled", small)):
    s = m.sample(*args)
    b64 = m.sample_b64(*args)
    public = {n: str(inspect.signature(f)) if callable(f) and not inspect.isclass(f) else type(f).__name__
              for n, f in vars(m).items() if not n.startswith("_") and not inspect.ismodule(f)}
    out[label] = {"shape": shape(s), "gpus": s.get("gpus"), "gpu_error": s.get("gpu_error"),
                  "public": public, "b64_len": len(b64)}
print(json.dumps(out))
'''


def read_bundled(ts_path):
    with open(ts_path, encoding="utf-8") as f:
        text = f.read()
    marker = "export const PROBE_SOURCE: string = "
    i = text.index(marker) + len(marker)
    j = text.rindex(";")
    return json.loads(text[i:j])


def gz(text):
    return len(gzip.compress(text.encode("utf-8"), 9, mtime=0))


def scenarios(tmp):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith(("FAKE_NVIDIA_SMI", "FAKE_NVML", "JUPYTERLAB_GPU_SESSION_NVML")):
            del env[k]
    env["JUPYTERLAB_GPU_SESSION_NVML_LIB"] = "/nonexistent/libnvidia-ml.so.1"
    out = [("cpu_only", env, [[], None, "auto", "/nonexistent/nvidia-smi"]),
           ("smi_two_gpus",
            dict(env, FAKE_NVIDIA_SMI_REPLAY=os.path.join(FIXTURES, "two-gpu-query-gpu.csv"),
                 FAKE_NVIDIA_SMI_APPS=os.path.join(FIXTURES, "two-gpu-query-compute-apps.csv")),
            [[], None, "nvidia-smi", os.path.join(FAKES, "nvidia-smi")])]
    cc = shutil.which("gcc") or shutil.which("cc")
    src = os.path.join(FAKES, "fake_nvml.c")
    if cc and os.path.exists(src):
        lib = os.path.join(tmp, "libfake_nvml.so")
        if subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", lib, src],
                          capture_output=True).returncode == 0:
            out.append(("nvml_fake_t4",
                        dict(env, JUPYTERLAB_GPU_SESSION_NVML_LIB=lib, FAKE_NVML_SCENARIO="t4"),
                        [[], None, "nvml", "nvidia-smi"]))
    return out


def run_pytest(bundled_path, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "jupyterlab_gpu_session"))
    shutil.copy(bundled_path, os.path.join(work, "jupyterlab_gpu_session", "probe.py"))
    tests = os.path.join(work, "tests")
    os.makedirs(tests)
    picked = []
    for name in sorted(os.listdir(os.path.join(REPO, "tests"))):
        if name == "conftest.py" or (name.endswith(".py") and (
                name.startswith("test_probe_") or name in ("test_platform.py",
                                                           "test_checkpoints.py"))):
            shutil.copy(os.path.join(REPO, "tests", name), tests)
            picked.append(name)
    for d in ("fakes", "fixtures"):
        shutil.copytree(os.path.join(REPO, "tests", d), os.path.join(tests, d), symlinks=True)
    # conftest looks for shared recordings beside the repository
    shared = os.path.join(os.path.dirname(REPO), "shared")
    if os.path.isdir(shared):
        os.symlink(shared, os.path.join(os.path.dirname(work), "shared")) \
            if not os.path.exists(os.path.join(os.path.dirname(work), "shared")) else None
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                       cwd=work, capture_output=True, text=True)
    tail = (r.stdout or r.stderr).strip().splitlines()[-1:] or [""]
    return {"files": picked, "returncode": r.returncode, "summary": tail[0]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundled", default=os.path.join(REPO, "src", "probe", "probeSource.ts"))
    p.add_argument("--pytest", action="store_true")
    p.add_argument("--out")
    a = p.parse_args(argv)
    with open(PROBE, encoding="utf-8") as f:
        original = f.read()
    bundled = read_bundled(a.bundled)
    res = {
        "bundled_from": os.path.relpath(a.bundled, REPO),
        "stripped": bundled != original,
        "original_bytes": len(original.encode("utf-8")),
        "original_gzip_bytes": gz(original),
        "bundled_bytes": len(bundled.encode("utf-8")),
        "bundled_gzip_bytes": gz(bundled),
        "same_syntax_tree": ast.dump(ast.parse(bundled), include_attributes=False)
        == expected_tree(original),
        "scenarios": {},
    }
    failures = [] if res["same_syntax_tree"] else ["syntax tree differs"]
    tmp = tempfile.mkdtemp(prefix="strip-check-")
    try:
        bundled_path = os.path.join(tmp, "probe_bundled.py")
        with open(bundled_path, "w", encoding="utf-8") as f:
            f.write(bundled)
        for name, env, args in scenarios(tmp):
            r = subprocess.run([sys.executable, "-c", CHILD, PROBE, bundled_path, json.dumps(args)],
                               env=env, capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                res["scenarios"][name] = {"error": r.stderr.strip()[-500:]}
                failures.append("%s: error" % name)
                continue
            o, b = json.loads(r.stdout)["original"], json.loads(r.stdout)["bundled"]
            checks = {
                "same_keys_and_types": o["shape"] == b["shape"],
                "same_gpus": o["gpus"] == b["gpus"] and o["gpu_error"] == b["gpu_error"],
                "same_public_names_and_signatures": o["public"] == b["public"],
            }
            res["scenarios"][name] = dict(checks, gpus=len(o["gpus"] or []),
                                          top_level_keys=sorted(o["shape"]))
            failures += ["%s: %s" % (name, k) for k, ok in checks.items() if not ok]
        if a.pytest:
            res["pytest"] = run_pytest(bundled_path, os.path.join(HERE, ".tmp", "strip-check",
                                                                  "repo"))
            if res["pytest"]["returncode"] != 0:
                failures.append("pytest on the bundled probe: %s" % res["pytest"]["summary"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["failures"] = failures
    print("bundled probe: %s, %d -> %d bytes, gzip %d -> %d bytes; syntax tree %s; %s" % (
        "stripped" if res["stripped"] else "NOT stripped", res["original_bytes"],
        res["bundled_bytes"], res["original_gzip_bytes"], res["bundled_gzip_bytes"],
        "same" if res["same_syntax_tree"] else "DIFFERENT",
        "; ".join("%s %s" % (n, "ok" if all(v for k, v in s.items() if k.startswith("same"))
                             else "FAILED") for n, s in res["scenarios"].items())),
        file=sys.stderr)
    if "pytest" in res:
        print("pytest on the bundled probe: %s" % res["pytest"]["summary"], file=sys.stderr)
    if a.out:
        with open(a.out, "w") as f:
            f.write(json.dumps(res, indent=2) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
