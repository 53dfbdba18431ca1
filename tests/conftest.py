"""Shared fixtures for the probe tests (pytest and the standard library only)."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROBE = REPO / "jupyterlab_gpu_session" / "probe.py"
FAKES = REPO / "tests" / "fakes"
FAKE_SMI = FAKES / "nvidia-smi"
OWN_FIXTURES = REPO / "tests" / "fixtures" / "nvidia-smi"
# Real recorded outputs, shared beside the repository (absent elsewhere).
SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "nvidia-smi"

# Variables of the fakes and of the probe that must not leak in from outside.
_CONTROLLED_ENV = (
    "FAKE_NVIDIA_SMI_REPLAY", "FAKE_NVIDIA_SMI_APPS", "FAKE_NVIDIA_SMI_SLEEP",
    "FAKE_NVIDIA_SMI_GARBAGE", "FAKE_NVIDIA_SMI_LOG", "FAKE_NVML_SCENARIO",
    "FAKE_NVML_INIT_SLEEP", "FAKE_NVML_INIT_RC", "FAKE_NVML_PROCS",
    "FAKE_NVML_GRAPHICS_PROCS", "JUPYTERLAB_GPU_SESSION_NVML_LIB",
    "JUPYTERLAB_GPU_SESSION_NVML_INIT_TIMEOUT",
)


def load_probe(name="gpu_session_probe_under_test"):
    """Load probe.py as a fresh module (not __main__), like the front end."""
    spec = importlib.util.spec_from_file_location(name, str(PROBE))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def probe():
    """A fresh probe module per test, so that cached state never leaks."""
    return load_probe()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in _CONTROLLED_ENV:
        monkeypatch.delenv(name, raising=False)
    # no real NVML, whatever this machine has: tests opt in to the fake one
    monkeypatch.setenv("JUPYTERLAB_GPU_SESSION_NVML_LIB", "/nonexistent/libnvidia-ml.so.1")


def base_env(**extra):
    env = dict(os.environ)
    for name in _CONTROLLED_ENV:
        env.pop(name, None)
    env["JUPYTERLAB_GPU_SESSION_NVML_LIB"] = "/nonexistent/libnvidia-ml.so.1"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_probe(*args, env=None, timeout=60):
    """Run probe.py as a script; return (list of samples, CompletedProcess)."""
    proc = subprocess.run(
        [sys.executable, str(PROBE)] + [str(a) for a in args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or base_env(),
        timeout=timeout, cwd=str(REPO),
    )
    assert proc.returncode == 0, proc.stderr.decode()
    lines = [ln for ln in proc.stdout.decode("utf-8").splitlines() if ln.strip()]
    return [json.loads(ln) for ln in lines], proc


def run_smi(fixture, *args, apps=None, **extra_env):
    """One sample through the nvidia-smi path, replaying `fixture`."""
    env = dict(FAKE_NVIDIA_SMI_REPLAY=fixture, **extra_env)
    if apps is not None:
        env["FAKE_NVIDIA_SMI_APPS"] = apps
    samples, _ = run_probe("--gpu-source", "nvidia-smi", "--nvidia-smi", FAKE_SMI,
                           *args, env=base_env(**env))
    return samples[0]


@pytest.fixture(scope="session")
def fake_nvml_libs(tmp_path_factory):
    """Build tests/fakes/fake_nvml.c: {"v3": path, "old": path (no *_v3)}."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        pytest.skip("gcc is not installed: the fake libnvidia-ml cannot be built")
    out = tmp_path_factory.mktemp("fake-nvml")
    libs = {}
    for key, flags in (("v3", []), ("old", ["-DNO_V3"])):
        target = out / ("libfake_nvml_%s.so" % key)
        subprocess.run([gcc, "-shared", "-fPIC", "-O1", "-o", str(target),
                        str(FAKES / "fake_nvml.c")] + flags, check=True)
        libs[key] = str(target)
    return libs


class FakeRoot(object):
    """A fake /proc and /sys/fs/cgroup tree for --root / sample(root=...)."""

    def __init__(self, path):
        self.path = Path(path)
        self.proc = self.path / "proc"
        self.cgroup = self.path / "sys" / "fs" / "cgroup"
        self.proc.mkdir(parents=True)
        self.meminfo()
        self.write("proc/loadavg", "0.52 0.58 0.59 2/611 12345\n")
        self.write("proc/stat", "cpu  1 2 3 4 5 6 7 0 0 0\nintr 1\nbtime 1732700000\n"
                                "processes 9\n")
        self.write("proc/self/cgroup", "0::/\n")

    def write(self, rel, text):
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    def meminfo(self, total_kb=16 * 1024 * 1024, avail_kb=12 * 1024 * 1024,
                swap_total_kb=2 * 1024 * 1024, swap_free_kb=1536 * 1024):
        self.write("proc/meminfo", (
            "MemTotal:       %d kB\nMemFree:         1000 kB\n"
            "MemAvailable:   %d kB\nBuffers:          100 kB\nCached:          200 kB\n"
            "SwapTotal:      %d kB\nSwapFree:       %d kB\n"
        ) % (total_kb, avail_kb, swap_total_kb, swap_free_kb))

    def process(self, pid, ppid, cmdline, comm="python3", rss_pages=1000,
                utime=100, stime=50, cwd=None, start=5000):
        d = self.proc / str(pid)
        d.mkdir(parents=True, exist_ok=True)
        (d / "cmdline").write_bytes(b"\0".join(a.encode() for a in cmdline) + b"\0")
        (d / "comm").write_text(comm + "\n")
        self.stat(pid, ppid, comm, rss_pages, utime, stime, start)
        if cwd is not None:
            os.symlink(str(cwd), str(d / "cwd"))
        return d

    def stat(self, pid, ppid, comm="python3", rss_pages=1000, utime=100, stime=50,
             start=5000):
        fields = ["S", str(ppid), str(pid), str(pid), "0", "-1", "4194560",
                  "1", "0", "0", "0", str(utime), str(stime), "0", "0", "20",
                  "0", "1", "0", str(start), "100000000", str(rss_pages)] + ["0"] * 30
        (self.proc / str(pid) / "stat").write_text(
            "%d (%s) %s\n" % (pid, comm, " ".join(fields)))

    def children(self, pid, children, tid=None):
        """/proc/PID/task/TID/children (TID defaults to PID): the children
        that thread forked, as Linux with CONFIG_PROC_CHILDREN lists them."""
        d = self.proc / str(pid) / "task" / str(tid or pid)
        d.mkdir(parents=True, exist_ok=True)
        (d / "children").write_text("".join("%d " % c for c in children))

    def cgroup_v2(self, rel="/", files=None):
        """cgroup v2; files: {"memory.max": text, ...} in the process's cgroup,
        or {"../memory.max": text} for its parent."""
        self.write("proc/self/cgroup", "0::%s\n" % rel)
        self.write("sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n")
        d = self.cgroup / rel.lstrip("/")
        d.mkdir(parents=True, exist_ok=True)
        for name, text in (files or {}).items():
            p = Path(os.path.normpath(str(d / name)))
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)

    def cgroup_v1(self, rel="/", files=None):
        """cgroup v1; files: {"memory/memory.limit_in_bytes": text, ...}."""
        self.write("proc/self/cgroup",
                   "12:memory:%s\n4:cpu,cpuacct:%s\n1:name=systemd:/\n" % (rel, rel))
        for controller in ("cpu", "memory"):
            (self.cgroup / controller / rel.lstrip("/")).mkdir(parents=True, exist_ok=True)
        for name, text in (files or {}).items():
            controller, _, fname = name.partition("/")
            self.write("sys/fs/cgroup/%s/%s/%s" % (controller, rel.strip("/"), fname)
                       if rel.strip("/") else "sys/fs/cgroup/%s/%s" % (controller, fname),
                       text)


@pytest.fixture
def fake_root(tmp_path):
    return FakeRoot(tmp_path / "root")


class Kernel:
    """A real ipykernel; `run` returns (stdout text, display data list, error or None)."""

    def __init__(self, cwd):
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(cwd), env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code, timeout=120):
        out, displays, errors = [], [], []

        def hook(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind in ("display_data", "execute_result"):
                displays.append(content["data"])
            elif kind == "error":
                errors.append(content)

        reply = self.kc.execute_interactive(code, output_hook=hook, timeout=timeout)
        error = errors[0] if errors else None
        if reply["content"]["status"] != "ok" and error is None:
            error = reply["content"]
        return "".join(out), displays, error

    def ok(self, code, timeout=120):
        out, displays, error = self.run(code, timeout)
        assert error is None, f"{error['ename']}: {error['evalue']}\n{out}"
        return out, displays

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
