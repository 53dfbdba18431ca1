"""Host memory, cgroups, disks and the real /proc of this machine."""

import os

import pytest

from conftest import run_probe

GIB = 1024 ** 3
KIB = 1024


def host(probe, fake_root, **kw):
    return probe.sample(root=str(fake_root.path), gpu_source="nvml", **kw)["host"]


def test_no_cgroup_uses_host_numbers(probe, fake_root):
    h = host(probe, fake_root)
    assert h["cgroup_version"] is None
    assert h["memory_total_bytes"] == 16 * GIB
    assert h["memory_available_bytes"] == 12 * GIB
    assert h["memory_used_bytes"] == 4 * GIB
    assert h["memory_limit_bytes"] is None
    assert h["swap_total_bytes"] == 2 * GIB
    assert h["swap_used_bytes"] == 512 * 1024 * KIB
    assert h["load_avg_1m"] == 0.52
    assert h["boot_time"] == 1732700000
    assert h["cpu_count"] >= 1 and h["hostname"]


def test_cgroup_v2_limit(probe, fake_root):
    fake_root.cgroup_v2("/kubepods/pod1/ctr", {
        "memory.max": "%d\n" % (2 * GIB),
        "memory.current": "%d\n" % (1536 * 1024 * KIB),
        "memory.stat": "anon 1000\nfile 5000\ninactive_file %d\nactive_file 4\n" % (512 * 1024 * KIB),
        "cpu.max": "150000 100000\n",
    })
    h = host(probe, fake_root)
    assert h["cgroup_version"] == 2
    assert h["memory_limit_bytes"] == 2 * GIB
    assert h["memory_used_bytes"] == 1 * GIB          # current - inactive_file
    assert h["memory_available_bytes"] == 1 * GIB     # limit - used < MemAvailable
    assert h["memory_total_bytes"] == 16 * GIB        # the host's, unchanged
    if (os.cpu_count() or 1) >= 2 and len(os.sched_getaffinity(0)) >= 2:
        assert h["cpu_count"] == 1.5


def test_cgroup_v2_limit_on_parent(probe, fake_root):
    fake_root.cgroup_v2("/user.slice/jupyter.scope", {
        "memory.max": "max\n", "memory.current": "100\n",
        "../memory.max": "%d\n" % GIB, "../memory.current": "%d\n" % (GIB // 2),
        "../memory.stat": "inactive_file 0\n",
    })
    h = host(probe, fake_root)
    assert h["memory_limit_bytes"] == GIB
    assert h["memory_used_bytes"] == GIB // 2


def test_cgroup_v2_unlimited(probe, fake_root):
    fake_root.cgroup_v2("/", {"memory.max": "max\n", "memory.current": "123\n",
                              "cpu.max": "max 100000\n"})
    h = host(probe, fake_root)
    assert h["cgroup_version"] == 2
    assert h["memory_limit_bytes"] is None
    assert h["memory_used_bytes"] == 4 * GIB
    assert h["cpu_count"] == len(os.sched_getaffinity(0))


def test_cgroup_v2_available_capped_by_host(probe, fake_root):
    fake_root.meminfo(avail_kb=256 * 1024)  # the host itself is short
    fake_root.cgroup_v2("/", {"memory.max": "%d\n" % (8 * GIB),
                              "memory.current": "%d\n" % GIB, "memory.stat": ""})
    h = host(probe, fake_root)
    assert h["memory_used_bytes"] == GIB
    assert h["memory_available_bytes"] == 256 * 1024 * KIB


def test_cgroup_v2_missing_usage_files_degrade(probe, fake_root):
    fake_root.cgroup_v2("/", {"memory.max": "%d\n" % (8 * GIB)})
    h = host(probe, fake_root)
    assert h["memory_limit_bytes"] == 8 * GIB
    assert h["memory_used_bytes"] == 4 * GIB  # host numbers
    assert h["memory_available_bytes"] == 4 * GIB


def test_cgroup_v1_limit(probe, fake_root):
    fake_root.cgroup_v1("/docker/abc", {
        "memory/memory.limit_in_bytes": "%d\n" % (4 * GIB),
        "memory/memory.usage_in_bytes": "%d\n" % (3 * GIB),
        "memory/memory.stat": "cache 1\ninactive_file 7\nhierarchical_memory_limit "
                              "9223372036854771712\ntotal_inactive_file %d\n" % GIB,
        "cpu/cpu.cfs_quota_us": "100000\n", "cpu/cpu.cfs_period_us": "100000\n",
    })
    h = host(probe, fake_root)
    assert h["cgroup_version"] == 1
    assert h["memory_limit_bytes"] == 4 * GIB
    assert h["memory_used_bytes"] == 2 * GIB
    assert h["memory_available_bytes"] == 2 * GIB
    assert h["cpu_count"] == 1


def test_cgroup_v1_hierarchical_limit(probe, fake_root):
    fake_root.cgroup_v1("/", {
        "memory/memory.limit_in_bytes": "9223372036854771712\n",
        "memory/memory.usage_in_bytes": "%d\n" % GIB,
        "memory/memory.stat": "hierarchical_memory_limit %d\ntotal_inactive_file 0\n" % (2 * GIB),
    })
    assert host(probe, fake_root)["memory_limit_bytes"] == 2 * GIB


def test_cgroup_v1_unlimited(probe, fake_root):
    fake_root.cgroup_v1("/", {
        "memory/memory.limit_in_bytes": "9223372036854771712\n",
        "memory/memory.usage_in_bytes": "%d\n" % GIB,
        "memory/memory.stat": "hierarchical_memory_limit 9223372036854771712\n",
        "cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n",
    })
    h = host(probe, fake_root)
    assert h["cgroup_version"] == 1
    assert h["memory_limit_bytes"] is None
    assert h["memory_used_bytes"] == 4 * GIB


def test_cgroup_v1_missing_files(probe, fake_root):
    fake_root.cgroup_v1("/docker/gone", {})
    h = host(probe, fake_root)
    assert h["cgroup_version"] == 1
    assert h["memory_limit_bytes"] is None
    assert h["memory_total_bytes"] == 16 * GIB


def test_garbage_cgroup_files_never_crash(probe, fake_root):
    fake_root.cgroup_v2("/", {"memory.max": "lots\n", "memory.current": "??",
                              "cpu.max": "x y z\n"})
    s = probe.sample(root=str(fake_root.path), gpu_source="nvml")
    assert s["host"]["memory_limit_bytes"] is None
    assert s["host"]["memory_used_bytes"] == 4 * GIB


def test_missing_meminfo_keeps_the_rest(probe, fake_root):
    (fake_root.proc / "meminfo").unlink()
    s = probe.sample(root=str(fake_root.path), gpu_source="nvml")
    assert s["host"]["memory_total_bytes"] is None
    assert s["host"]["load_avg_1m"] == 0.52
    assert "meminfo" in s["error"]
    assert s["gpu_error"]  # the GPU section still ran


def test_cgroup_error_still_gives_gpus(probe, fake_root, monkeypatch):
    def boom(root):
        raise RuntimeError("cgroup exploded")
    monkeypatch.setattr(probe, "_cgroup_info", boom)
    s = probe.sample(root=str(fake_root.path), gpu_source="nvml")
    assert "cgroup exploded" in s["error"]
    assert s["host"]["memory_total_bytes"] == 16 * GIB
    assert s["gpu_error"] and s["gpus"] == []


def test_disks_given_and_missing(probe, fake_root, tmp_path):
    s = probe.sample(root=str(fake_root.path), gpu_source="nvml",
                     disks=[str(tmp_path), str(tmp_path / "nope"), str(tmp_path)])
    disks = s["host"]["disks"]
    assert [d["path"] for d in disks] == [str(tmp_path), str(tmp_path / "nope")]
    ok, missing = disks
    assert ok["total_bytes"] > 0 and ok["free_bytes"] >= 0 and ok["used_bytes"] >= 0
    assert ok["error"] is None
    assert missing["total_bytes"] is None and missing["free_bytes"] is None
    assert "FileNotFoundError" in missing["error"]


def test_default_disk_is_home(probe, fake_root):
    disks = probe.sample(root=str(fake_root.path), gpu_source="nvml")["host"]["disks"]
    assert [d["path"] for d in disks] == [os.path.expanduser("~")]


def test_real_proc_script_run():
    (s,), _ = run_probe()
    assert s["schema_version"] == 1 and s["probe_pid"] > 0
    h = s["host"]
    for key in ("memory_total_bytes", "memory_available_bytes", "memory_used_bytes",
                "cpu_count", "boot_time"):
        assert h[key] > 0, key
    assert h["load_avg_1m"] >= 0 and h["hostname"]
    assert h["cgroup_version"] in (1, 2, None)
    assert h["disks"] and h["disks"][0]["total_bytes"] > 0
    assert s["kernels"] == {}
    # this machine has no GPU (skip where one is)
    if s["gpus"]:
        pytest.skip("this machine has a GPU")
    assert s["gpus"] == [] and s["gpu_source"] is None
    assert "nvidia-smi" in s["gpu_error"] and "libnvidia-ml" in s["gpu_error"]
    assert s["error"] is None
    assert s["probe_duration_ms"] >= 0
