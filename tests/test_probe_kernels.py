"""Kernels found by id, their process trees, CPU, and GPU memory attribution."""

import os
import subprocess
import sys
import time
import uuid

import pytest

from conftest import FAKE_SMI, base_env, run_probe

PAGE = os.sysconf("SC_PAGE_SIZE")
TCK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024
KID = "5b8f2c1e-7d3a-4e6f-9a0b-1c2d3e4f5a6b"


def kernel_cmd(kid=KID):
    return ["/opt/conda/bin/python", "-m", "ipykernel_launcher", "-f",
            "/root/.local/share/jupyter/runtime/kernel-%s.json" % kid]


@pytest.fixture
def tree(fake_root, tmp_path):
    """pid 100 the kernel; 101 its child (!python train.py); 102 a grandchild."""
    work = tmp_path / "work"
    work.mkdir()
    fake_root.process(1, 0, ["/sbin/init"], comm="init")
    fake_root.process(50, 1, ["jupyter-lab"], comm="jupyter-lab")
    fake_root.process(100, 50, kernel_cmd(), rss_pages=1000, cwd=work)
    fake_root.process(101, 100, ["/bin/sh", "-c", "python train.py"], comm="sh",
                      rss_pages=10)
    fake_root.process(102, 101, ["python", "train.py"], rss_pages=5000)
    fake_root.process(200, 50, kernel_cmd("other"), rss_pages=7)
    fake_root.work = work
    return fake_root


def test_kernel_tree(probe, tree):
    s = probe.sample(kernel_ids=[KID], root=str(tree.path), gpu_source="nvml")
    k = s["kernels"][KID]
    assert k["pid"] == 100
    assert k["pids"] == [100, 101, 102]
    assert k["process_count"] == 3
    assert k["rss_bytes"] == (1000 + 10 + 5000) * PAGE
    assert k["cpu_percent"] is None  # first sample
    assert k["cwd"] == str(tree.work)
    assert k["gpu_memory_bytes"] is None  # no GPUs were read
    # the default disks: the kernel's cwd, then home
    assert [d["path"] for d in s["host"]["disks"]] == [str(tree.work),
                                                       os.path.expanduser("~")]


def test_kernel_not_found_is_null(probe, tree):
    s = probe.sample(kernel_ids=[KID, "nope"], root=str(tree.path), gpu_source="nvml")
    assert s["kernels"]["nope"] is None
    assert s["kernels"][KID]["pid"] == 100


def test_wrapper_process_is_the_tree_root(probe, tree):
    # a launcher (conda run, bash -c ...) that names the same connection file
    tree.process(90, 50, ["bash", "-c", " ".join(kernel_cmd())], comm="bash")
    tree.stat(100, 90, rss_pages=1000)
    k = probe.sample(kernel_ids=[KID], root=str(tree.path), gpu_source="nvml")["kernels"][KID]
    assert k["pid"] == 90 and k["pids"] == [90, 100, 101, 102]


def test_cache_is_reverified(probe, tree):
    root = str(tree.path)
    assert probe.sample(kernel_ids=[KID], root=root, gpu_source="nvml")["kernels"][KID]["pid"] == 100
    # the kernel restarts under a new pid; pid 100 is reused by something else
    (tree.proc / "100" / "cmdline").write_bytes(b"sleep\x00100\x00")
    tree.process(300, 50, kernel_cmd(), rss_pages=1)
    k = probe.sample(kernel_ids=[KID], root=root, gpu_source="nvml")["kernels"][KID]
    assert k["pid"] == 300 and k["pids"] == [300]


def test_cpu_percent_second_sample(probe, tree, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(probe.time, "monotonic", lambda: clock[0])
    root = str(tree.path)
    probe.sample(kernel_ids=[KID], root=root, gpu_source="nvml")
    clock[0] += 2.0
    # 2 s later: the kernel used 1 s of CPU, the child 2 s, and a new process
    # (started since) 0.5 s
    tree.stat(100, 50, utime=100 + TCK, stime=50)
    tree.stat(102, 101, rss_pages=5000, utime=100 + 2 * TCK, stime=50)
    tree.process(103, 100, ["python", "worker"], utime=TCK // 2, stime=0)
    k = probe.sample(kernel_ids=[KID], root=root, gpu_source="nvml")["kernels"][KID]
    assert k["pids"] == [100, 101, 102, 103]
    assert k["cpu_percent"] == pytest.approx(175.0, abs=0.1)  # > 100: multi-core


def _apps_csv(path, rows):
    path.write_text("gpu_uuid, pid, process_name, used_gpu_memory [MiB]\n" + "".join(
        "GPU-5a1b7c2e-0f3d-4e6a-9b8c-1d2e3f4a5b6c, %d, python, %s\n" % (pid, mib)
        for pid, mib in rows))
    return path


def _smi_sample(probe, tree, tmp_path, rows, kernel_ids=(KID,), monkeypatch=None):
    from conftest import OWN_FIXTURES
    monkeypatch.setenv("FAKE_NVIDIA_SMI_REPLAY", str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"))
    monkeypatch.setenv("FAKE_NVIDIA_SMI_APPS", str(_apps_csv(tmp_path / "apps.csv", rows)))
    return probe.sample(kernel_ids=list(kernel_ids), root=str(tree.path),
                        gpu_source="nvidia-smi", nvidia_smi=str(FAKE_SMI))


def test_gpu_memory_attributed_to_visible_tree(probe, tree, tmp_path, monkeypatch):
    s = _smi_sample(probe, tree, tmp_path, [(102, "4000 MiB"), (100, "300 MiB"),
                                            (200, "50 MiB"), (77777, "1 MiB")],
                    kernel_ids=(KID, "other"), monkeypatch=monkeypatch)
    assert s["gpu_source"] == "nvidia-smi"
    assert s["kernels"][KID]["gpu_memory_bytes"] == 4300 * MIB
    assert s["kernels"]["other"]["gpu_memory_bytes"] == 50 * MIB
    owners = {p["pid"]: p["kernel_id"] for p in s["gpus"][0]["processes"]}
    assert owners == {102: KID, 100: KID, 200: "other", 77777: None}


def test_gpu_memory_zero_when_kernel_uses_none(probe, tree, tmp_path, monkeypatch):
    s = _smi_sample(probe, tree, tmp_path, [(200, "50 MiB")], monkeypatch=monkeypatch)
    assert s["kernels"][KID]["gpu_memory_bytes"] == 0
    s = _smi_sample(probe, tree, tmp_path, [], monkeypatch=monkeypatch)
    assert s["kernels"][KID]["gpu_memory_bytes"] == 0


def test_gpu_memory_unknown_when_no_pid_is_visible(probe, tree, tmp_path, monkeypatch):
    # containers: NVML/nvidia-smi report host pids that match nothing here
    s = _smi_sample(probe, tree, tmp_path, [(98765, "4000 MiB"), (98766, "1 MiB")],
                    monkeypatch=monkeypatch)
    assert s["gpus"][0]["processes"][0]["kernel_id"] is None
    assert s["kernels"][KID]["gpu_memory_bytes"] is None


def test_gpu_memory_unknown_when_process_memory_unknown(probe, tree, tmp_path, monkeypatch):
    s = _smi_sample(probe, tree, tmp_path, [(102, "[N/A]")], monkeypatch=monkeypatch)
    assert s["kernels"][KID]["gpu_memory_bytes"] is None


def test_real_kernel_like_process(tmp_path):
    """A real process whose command line names kernel-<id>.json, with a child."""
    kid = str(uuid.uuid4())
    conn = tmp_path / ("kernel-%s.json" % kid)
    conn.write_text("{}")
    code = ("import subprocess, sys, time; "
            "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
            "print('ready', flush=True); "
            "t = time.time() + 0.3\nwhile time.time() < t: pass\n"
            "time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, "-f", str(conn)],
                            stdout=subprocess.PIPE, cwd=str(tmp_path))
    try:
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.2)
        samples, _ = run_probe("--kernel-id", kid, "--kernel-id", "missing-id",
                               "--repeat", "2", "--interval", "0.2", "--gpu-source", "nvml")
        first, second = samples
        k = second["kernels"][kid]
        assert k["pid"] == proc.pid
        assert len(k["pids"]) == 2 and k["process_count"] == 2
        assert k["rss_bytes"] > 1024 * 1024
        assert first["kernels"][kid]["cpu_percent"] is None
        assert k["cpu_percent"] is not None and k["cpu_percent"] >= 0
        assert k["cwd"] == str(tmp_path)
        assert str(tmp_path) in [d["path"] for d in second["host"]["disks"]]
        assert second["kernels"]["missing-id"] is None
        assert k["gpu_memory_bytes"] is None
    finally:
        for child in _children(proc.pid):
            os.kill(child, 9)
        proc.kill()
        proc.wait()


def _children(pid):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    data = f.read()
            except OSError:
                continue
            if int(data[data.rfind(")") + 2:].split()[1]) == pid:
                out.append(int(name))
    return out


# --------------------------------------------------------------------------
# trees through /proc/PID/task/TID/children, without reading the whole table

@pytest.fixture
def linked(tree):
    """The tree fixture with children files, as Linux 3.5+ has them. The
    kernel's second thread (tid 110) forked the shell."""
    tree.children(100, [])
    tree.children(100, [101], tid=110)
    tree.children(101, [102])
    tree.children(102, [])
    tree.children(200, [])
    return tree


@pytest.fixture
def table_reads(probe, monkeypatch):
    """How often the probe read the whole process table (/proc/*/stat)."""
    count = [0]
    real = probe._Table

    def counting(root):
        count[0] += 1
        return real(root)
    monkeypatch.setattr(probe, "_Table", counting)
    return count


@pytest.fixture
def clock(probe, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(probe.time, "monotonic", lambda: now[0])
    return now


def _kernel(probe, root, kid=KID, **kw):
    return probe.sample(kernel_ids=[kid], root=str(root.path), gpu_source="nvml",
                        **kw)["kernels"][kid]


def test_tree_from_children_files_without_the_table(probe, linked, table_reads):
    # a process that names the kernel as parent in its stat but in no
    # children file: only a scan of the whole table would see it
    linked.process(150, 100, ["decoy"])
    for _ in range(3):
        k = _kernel(probe, linked)
        assert k["pid"] == 100 and k["pids"] == [100, 101, 102]
        assert k["rss_bytes"] == (1000 + 10 + 5000) * PAGE
    assert table_reads[0] == 0


def test_without_children_files_the_table_is_read(probe, tree, table_reads):
    # a kernel without CONFIG_PROC_CHILDREN: task/ exists, children does not
    (tree.proc / "100" / "task" / "100").mkdir(parents=True)
    k = _kernel(probe, tree)
    assert k["pids"] == [100, 101, 102] and k["process_count"] == 3
    _kernel(probe, tree)
    assert table_reads[0] == 2  # every sample: there is no other way


def test_the_table_is_read_again_after_the_rescan_interval(probe, linked, table_reads,
                                                           clock):
    linked.process(150, 100, ["decoy"])
    assert _kernel(probe, linked)["pids"] == [100, 101, 102]
    clock[0] += probe.KERNEL_TREE_RESCAN_S - 1
    assert _kernel(probe, linked)["pids"] == [100, 101, 102]
    assert table_reads[0] == 0
    clock[0] += 1
    assert _kernel(probe, linked)["pids"] == [100, 101, 102, 150]
    assert table_reads[0] == 1
    clock[0] += 2
    assert _kernel(probe, linked)["pids"] == [100, 101, 102]
    assert table_reads[0] == 1


def test_a_costly_check_waits_longer(probe, linked, table_reads, clock, monkeypatch):
    # a crowded host: each scan of the table costs 0.1 s of CPU, so with a
    # 0.02 % share the next one waits 500 s, not KERNEL_TREE_RESCAN_S
    cpu = [0.0]

    def process_time():
        cpu[0] += 0.1
        return cpu[0]
    monkeypatch.setattr(probe.time, "process_time", process_time)
    monkeypatch.setattr(probe, "KERNEL_TREE_RESCAN_CPU_SHARE", 0.0002)
    _kernel(probe, linked)
    clock[0] += probe.KERNEL_TREE_RESCAN_S
    _kernel(probe, linked)
    assert table_reads[0] == 1
    clock[0] += 499
    _kernel(probe, linked)
    assert table_reads[0] == 1
    clock[0] += 1
    _kernel(probe, linked)
    assert table_reads[0] == 2


def test_the_cached_pid_is_checked_not_searched(probe, linked, monkeypatch):
    assert _kernel(probe, linked)["pid"] == 100

    def no_listing(root):
        raise AssertionError("listed /proc")
    monkeypatch.setattr(probe, "_pids", no_listing)
    assert _kernel(probe, linked)["pid"] == 100


def test_kernel_restarted_under_the_same_id(probe, linked, clock):
    _kernel(probe, linked)
    clock[0] += 2
    assert _kernel(probe, linked)["cpu_percent"] == 0.0
    # the old kernel exits; its restart is a new process naming the same file
    import shutil
    for pid in (100, 101, 102):
        shutil.rmtree(str(linked.proc / str(pid)))
    linked.process(300, 50, kernel_cmd(), rss_pages=3)
    linked.children(300, [])
    clock[0] += 2
    k = _kernel(probe, linked)
    assert k["pid"] == 300 and k["pids"] == [300] and k["rss_bytes"] == 3 * PAGE
    assert k["cpu_percent"] is None  # the first sample of the new process
    clock[0] += 2
    assert _kernel(probe, linked)["cpu_percent"] == 0.0


def test_pid_reused_by_another_process(probe, linked, clock):
    assert _kernel(probe, linked)["pid"] == 100
    # the kernel died and pid 100 now runs something else
    linked.process(100, 50, ["sleep", "100"], comm="sleep")
    clock[0] += 2
    assert _kernel(probe, linked) is None
    # not searched again for KERNEL_MISS_TTL_S; found once it is back
    linked.process(400, 50, kernel_cmd())
    linked.children(400, [])
    clock[0] += probe.KERNEL_MISS_TTL_S
    assert _kernel(probe, linked)["pid"] == 400


def test_child_started_between_samples(probe, linked, clock):
    first = _kernel(probe, linked)
    assert first["pids"] == [100, 101, 102] and first["cpu_percent"] is None
    clock[0] += 2.0
    # 2 s later: the kernel used 1 s of CPU, a new worker 0.5 s
    linked.stat(100, 50, utime=100 + TCK, stime=50)
    linked.process(103, 100, ["python", "worker"], utime=TCK // 2, stime=0)
    linked.children(100, [103])
    linked.children(103, [])
    k = _kernel(probe, linked)
    assert k["pids"] == [100, 101, 102, 103] and k["process_count"] == 4
    assert k["cpu_percent"] == pytest.approx(75.0, abs=0.1)


def test_a_reused_pid_in_the_tree_counts_as_new(probe, linked, clock):
    _kernel(probe, linked)
    clock[0] += 2.0
    # 102 exited and a new process got its pid: start time differs, and its
    # few ticks are its own (not a negative delta against the old one)
    linked.stat(102, 101, rss_pages=5, utime=TCK // 4, stime=0, start=9000)
    k = _kernel(probe, linked)
    assert k["pids"] == [100, 101, 102]
    assert k["cpu_percent"] == pytest.approx(12.5, abs=0.1)


def test_cpu_percent_per_kernel_when_asked_in_turn(probe, linked, clock):
    # two notebooks asking the same monitor kernel in turn: each kernel's
    # CPU is measured over its own interval
    root = str(linked.path)
    probe.sample(kernel_ids=[KID], root=root, gpu_source="nvml")
    clock[0] += 1.0
    probe.sample(kernel_ids=["other"], root=root, gpu_source="nvml")
    clock[0] += 1.0
    linked.stat(100, 50, utime=100 + TCK, stime=50)
    k = _kernel(probe, linked)
    assert k["cpu_percent"] == pytest.approx(50.0, abs=0.1)


def test_gpu_process_started_after_the_tree_walk_is_attributed(
        probe, linked, tmp_path, monkeypatch):
    # 103 is the child of 102 by its stat, in no children file yet: it
    # started after the trees were read. 500 has a parent chain outside
    # every kernel (500 -> 60 -> 1).
    linked.process(103, 102, ["python", "-c", "import torch"])
    linked.process(60, 1, ["dockerd"])
    linked.process(500, 60, ["python", "serve.py"])
    s = _smi_sample(probe, linked, tmp_path, [(103, "700 MiB"), (500, "9 MiB"),
                                              (200, "50 MiB")],
                    kernel_ids=(KID, "other"), monkeypatch=monkeypatch)
    owners = {p["pid"]: p["kernel_id"] for p in s["gpus"][0]["processes"]}
    assert owners == {103: KID, 500: None, 200: "other"}
    assert s["kernels"][KID]["gpu_memory_bytes"] == 700 * MIB
    assert s["kernels"][KID]["pids"] == [100, 101, 102]
    assert s["kernels"]["other"]["gpu_memory_bytes"] == 50 * MIB


def test_gpu_attribution_does_not_list_proc(probe, linked, tmp_path, monkeypatch):
    _kernel(probe, linked)  # the kernel is found (one listing) and cached
    linked.process(103, 102, ["python", "train.py"])

    def no_listing(root):
        raise AssertionError("listed /proc")
    monkeypatch.setattr(probe, "_pids", no_listing)
    s = _smi_sample(probe, linked, tmp_path, [(103, "1 MiB"), (98765, "2 MiB")],
                    monkeypatch=monkeypatch)
    assert s["error"] is None
    assert s["kernels"][KID]["gpu_memory_bytes"] == 1 * MIB


# --------------------------------------------------------------------------
# the probe inside the kernel it reports (self_kernel_id)

SELF = "0f0e0d0c-self-kernel"


def test_self_kernel_is_this_process_without_a_search(probe, monkeypatch):
    def no_search(*args):
        raise AssertionError("searched for the kernel")
    monkeypatch.setattr(probe, "_find_kernel", no_search)
    s = probe.sample(self_kernel_id=SELF, gpu_source="nvml")
    k = s["kernels"][SELF]
    assert set(s["kernels"]) == {SELF}
    assert k["pid"] == os.getpid() == s["probe_pid"]
    assert os.getpid() in k["pids"] and k["rss_bytes"] > 1024 * 1024
    assert k["torch_cuda"] is None
    # asked for by id too: still one entry, still no search
    s = probe.sample(kernel_ids=[SELF], self_kernel_id=SELF, gpu_source="nvml")
    assert list(s["kernels"]) == [SELF] and s["kernels"][SELF]["cpu_percent"] is not None


def test_self_kernel_beside_other_kernels(probe, linked):
    s = probe.sample(kernel_ids=[KID], root=str(linked.path), gpu_source="nvml",
                     self_kernel_id=SELF)
    assert s["kernels"][KID]["pid"] == 100 and s["kernels"][KID]["torch_cuda"] is None
    assert s["kernels"][SELF]["pid"] == os.getpid()


def test_self_kernel_from_the_command_line():
    samples, _ = run_probe("--self-kernel-id", SELF, "--gpu-source", "nvml")
    s = samples[0]
    assert s["kernels"][SELF]["pid"] == s["probe_pid"]
    assert s["kernels"][SELF]["torch_cuda"] is None


def test_self_kernel_b64(probe):
    import base64
    import json
    s = json.loads(base64.b64decode(probe.sample_b64(self_kernel_id=SELF)))
    assert s["kernels"][SELF]["pid"] == os.getpid()


class FakeCuda(object):
    """The few torch.cuda calls the probe makes, as a test double."""

    def __init__(self, initialized=True, allocated=(1000, 2000), reserved=(4096, 8192),
                 broken=None):
        self.initialized = initialized
        self.allocated, self.reserved = allocated, reserved
        self.broken = broken or {}
        self.calls = []

    def _maybe_break(self, name):
        self.calls.append(name)
        if name in self.broken:
            raise self.broken[name]

    def is_initialized(self):
        self._maybe_break("is_initialized")
        return self.initialized

    def device_count(self):
        self._maybe_break("device_count")
        return len(self.allocated)

    def memory_allocated(self, i):
        self._maybe_break("memory_allocated")
        return self.allocated[i]

    def memory_reserved(self, i):
        self._maybe_break("memory_reserved")
        return self.reserved[i]


def _fake_torch(monkeypatch, cuda):
    import types
    torch = types.ModuleType("torch")
    torch.cuda = cuda
    monkeypatch.setitem(sys.modules, "torch", torch)
    return torch


def test_torch_cuda_memory_when_initialised(probe, monkeypatch):
    _fake_torch(monkeypatch, FakeCuda())
    s = probe.sample(self_kernel_id=SELF, gpu_source="nvml")
    assert s["kernels"][SELF]["torch_cuda"] == [
        {"index": 0, "memory_allocated_bytes": 1000, "memory_reserved_bytes": 4096},
        {"index": 1, "memory_allocated_bytes": 2000, "memory_reserved_bytes": 8192},
    ]
    assert s["error"] is None


def test_torch_not_initialised_is_left_alone(probe, monkeypatch):
    cuda = FakeCuda(initialized=False)
    _fake_torch(monkeypatch, cuda)
    s = probe.sample(self_kernel_id=SELF, gpu_source="nvml")
    assert s["kernels"][SELF]["torch_cuda"] is None and s["error"] is None
    # nothing that could initialise CUDA was called
    assert cuda.calls == ["is_initialized"]


def test_torch_only_for_the_self_kernel(probe, linked, monkeypatch):
    cuda = FakeCuda()
    _fake_torch(monkeypatch, cuda)
    s = probe.sample(kernel_ids=[KID], root=str(linked.path), gpu_source="nvml")
    assert s["kernels"][KID]["torch_cuda"] is None and cuda.calls == []


def test_torch_is_never_imported(probe, monkeypatch):
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    s = probe.sample(self_kernel_id=SELF, gpu_source="nvml")
    assert s["kernels"][SELF]["torch_cuda"] is None
    assert "torch" not in sys.modules


@pytest.mark.parametrize("broken", ["is_initialized", "device_count"])
def test_a_raising_torch_costs_only_its_numbers(probe, monkeypatch, broken):
    _fake_torch(monkeypatch, FakeCuda(broken={broken: RuntimeError("CUDA error: boom")}))
    s = probe.sample(self_kernel_id=SELF, gpu_source="nvml")
    k = s["kernels"][SELF]
    assert k["torch_cuda"] is None and k["pid"] == os.getpid()
    assert "torch: CUDA error: boom" in s["error"]


def test_a_raising_device_call_nulls_that_value(probe, monkeypatch):
    _fake_torch(monkeypatch, FakeCuda(broken={"memory_reserved": RuntimeError("lost")}))
    s = probe.sample(self_kernel_id=SELF, gpu_source="nvml")
    assert s["kernels"][SELF]["torch_cuda"] == [
        {"index": 0, "memory_allocated_bytes": 1000, "memory_reserved_bytes": None},
        {"index": 1, "memory_allocated_bytes": 2000, "memory_reserved_bytes": None},
    ]
    assert "torch: memory_reserved(0): lost" in s["error"]


def test_a_torch_without_cuda(probe, monkeypatch):
    import types
    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    s = probe.sample(self_kernel_id=SELF, gpu_source="nvml")
    assert s["kernels"][SELF]["torch_cuda"] is None
    assert s["error"].startswith("torch: ")


def test_real_children_files_are_used(probe, table_reads, tmp_path):
    """On this machine's own /proc: a real kernel-like process and its child
    are found without reading the whole table after the first search."""
    if not os.path.exists("/proc/%d/task/%d/children" % (os.getpid(), os.getpid())):
        pytest.skip("this Linux has no /proc/PID/task/TID/children")
    kid = str(uuid.uuid4())
    conn = tmp_path / ("kernel-%s.json" % kid)
    code = ("import subprocess, sys, time; "
            "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
            "print('ready', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, "-f", str(conn)],
                            stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        for _ in range(2):
            k = probe.sample(kernel_ids=[kid], gpu_source="nvml")["kernels"][kid]
            assert k["pid"] == proc.pid and len(k["pids"]) == 2
        assert table_reads[0] == 0
    finally:
        for child in _children(proc.pid):
            os.kill(child, 9)
        proc.kill()
        proc.wait()
