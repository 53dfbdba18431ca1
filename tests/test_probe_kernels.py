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
