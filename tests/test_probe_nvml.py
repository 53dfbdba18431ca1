"""The NVML ctypes path against a fake libnvidia-ml built from fakes/fake_nvml.c."""

import os
import time

import pytest

from conftest import FAKE_SMI, OWN_FIXTURES, base_env, run_probe

MIB = 1024 * 1024


def nvml_run(lib, *args, **env):
    env.setdefault("FAKE_NVIDIA_SMI_REPLAY", "/nonexistent")
    samples, _ = run_probe("--nvidia-smi", FAKE_SMI, *args,
                           env=base_env(JUPYTERLAB_GPU_SESSION_NVML_LIB=lib, **env))
    return samples


def test_t4_through_nvml(fake_nvml_libs):
    (s,) = nvml_run(fake_nvml_libs["v3"], "--gpu-source", "nvml",
                    FAKE_NVML_PROCS="%d:1005,4242:na" % os.getpid(),
                    FAKE_NVML_GRAPHICS_PROCS="%d:22,675:22" % os.getpid())
    assert s["gpu_source"] == "nvml" and s["gpu_error"] is None
    (gpu,) = s["gpus"]
    assert gpu == {
        "index": 0, "uuid": "GPU-d37e67a5-0000-4000-8000-00000000t4t4", "name": "Tesla T4",
        "memory_total_bytes": 15360 * MIB, "memory_used_bytes": 1032 * MIB,
        "utilization_gpu_percent": 37, "utilization_memory_percent": 12,
        "temperature_c": 40, "power_draw_w": 26.78, "power_limit_w": 70.0,
        "mig_enabled": None, "processes": gpu["processes"],
    }
    procs = {p["pid"]: p for p in gpu["processes"]}
    # a C+G process is listed once; a pid that is not visible has no name
    assert sorted(procs) == sorted({os.getpid(), 4242, 675})
    assert procs[os.getpid()]["used_memory_bytes"] == 1005 * MIB
    assert procs[os.getpid()]["name"]  # from /proc/PID/comm
    assert procs[4242]["used_memory_bytes"] is None  # NVML_VALUE_NOT_AVAILABLE


def test_mig_gpu_has_null_utilization(fake_nvml_libs):
    (s,) = nvml_run(fake_nvml_libs["v3"], "--gpu-source", "nvml", FAKE_NVML_SCENARIO="mig")
    (gpu,) = s["gpus"]
    assert gpu["name"] == "NVIDIA A100-SXM4-40GB" and gpu["mig_enabled"] is True
    assert gpu["utilization_gpu_percent"] is None
    assert gpu["utilization_memory_percent"] is None
    assert gpu["power_limit_w"] is None
    assert gpu["memory_total_bytes"] == 40960 * MIB


def test_two_gpus_and_old_driver_without_v3(fake_nvml_libs):
    (s,) = nvml_run(fake_nvml_libs["old"], "--gpu-source", "nvml", FAKE_NVML_SCENARIO="two",
                    FAKE_NVML_PROCS="11:100,12:200")
    assert [g["name"] for g in s["gpus"]] == ["Tesla T4", "NVIDIA A100-SXM4-40GB"]
    assert [g["index"] for g in s["gpus"]] == [0, 1]
    assert [(p["pid"], p["used_memory_bytes"]) for p in s["gpus"][0]["processes"]] == [
        (11, 100 * MIB), (12, 200 * MIB)]


def test_many_processes_grow_the_buffer(probe, fake_nvml_libs, monkeypatch):
    monkeypatch.setenv("JUPYTERLAB_GPU_SESSION_NVML_LIB", fake_nvml_libs["v3"])
    monkeypatch.setenv("FAKE_NVML_PROCS", ",".join("%d:%d" % (1000 + i, i) for i in range(100)))
    s = probe.sample(gpu_source="nvml")
    assert len(s["gpus"][0]["processes"]) == 100
    assert s["gpus"][0]["processes"][99]["used_memory_bytes"] == 99 * MIB


def test_nvml_and_smi_paths_agree_on_shape(fake_nvml_libs):
    (n,) = nvml_run(fake_nvml_libs["v3"], "--gpu-source", "nvml")
    (c,) = nvml_run(fake_nvml_libs["v3"], "--gpu-source", "nvidia-smi",
                    FAKE_NVIDIA_SMI_REPLAY=str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"))
    assert set(n) == set(c)
    assert set(n["gpus"][0]) == set(c["gpus"][0])
    for key in n["gpus"][0]:
        if n["gpus"][0][key] is not None and c["gpus"][0][key] is not None:
            assert type(n["gpus"][0][key]) is type(c["gpus"][0][key]), key


def test_nvml_is_initialised_once(probe, fake_nvml_libs, monkeypatch):
    monkeypatch.setenv("JUPYTERLAB_GPU_SESSION_NVML_LIB", fake_nvml_libs["v3"])
    probe.sample(gpu_source="nvml")
    nvml = probe._STATE.nvml
    assert nvml is not None
    for _ in range(3):
        assert probe.sample(gpu_source="nvml")["gpu_source"] == "nvml"
    assert probe._STATE.nvml is nvml


def test_auto_prefers_nvml(fake_nvml_libs, tmp_path):
    log = tmp_path / "calls.log"
    (s,) = nvml_run(fake_nvml_libs["v3"], FAKE_NVIDIA_SMI_LOG=str(log),
                    FAKE_NVIDIA_SMI_REPLAY=str(OWN_FIXTURES / "two-gpu-query-gpu.csv"))
    assert s["gpu_source"] == "nvml" and len(s["gpus"]) == 1
    assert not log.exists()  # nvidia-smi was never run


@pytest.mark.parametrize("rc,expected", [
    ("9", "the NVIDIA driver is not loaded (NVML: Driver Not Loaded)"),
    ("18", "NVIDIA driver/library version mismatch (NVML: Driver/library version mismatch)"),
])
def test_init_failure_messages(fake_nvml_libs, rc, expected):
    (s,) = nvml_run(fake_nvml_libs["v3"], "--gpu-source", "nvml", FAKE_NVML_INIT_RC=rc)
    assert s["gpus"] == [] and s["gpu_error"] == expected


def test_init_failure_falls_back_to_nvidia_smi(fake_nvml_libs):
    (s,) = nvml_run(fake_nvml_libs["v3"], FAKE_NVML_INIT_RC="18",
                    FAKE_NVIDIA_SMI_REPLAY=str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"))
    assert s["gpu_source"] == "nvidia-smi" and s["gpu_error"] is None


def test_no_devices(fake_nvml_libs):
    (s,) = nvml_run(fake_nvml_libs["v3"], FAKE_NVML_SCENARIO="none")
    assert s["gpus"] == [] and s["gpu_error"] == "No NVIDIA devices were found"


def test_hanging_init_is_abandoned_then_falls_back(fake_nvml_libs):
    start = time.monotonic()
    first, second = nvml_run(
        fake_nvml_libs["v3"], "--repeat", "2", "--interval", "0",
        FAKE_NVML_INIT_SLEEP="30", JUPYTERLAB_GPU_SESSION_NVML_INIT_TIMEOUT="1",
        FAKE_NVIDIA_SMI_REPLAY=str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"))
    assert time.monotonic() - start < 10
    assert first["gpu_source"] == "nvidia-smi" and first["gpus"][0]["name"] == "Tesla T4"
    assert second["gpu_source"] == "nvidia-smi"


def test_hanging_init_forced_nvml_reports_it(fake_nvml_libs):
    start = time.monotonic()
    first, second = nvml_run(
        fake_nvml_libs["v3"], "--gpu-source", "nvml", "--repeat", "2", "--interval", "0",
        FAKE_NVML_INIT_SLEEP="30", JUPYTERLAB_GPU_SESSION_NVML_INIT_TIMEOUT="1")
    assert time.monotonic() - start < 10
    assert first["gpus"] == []
    assert first["gpu_error"] == "NVML initialisation did not finish within 1 s (driver hung?)"
    assert "still waiting" in second["gpu_error"]


def test_slow_init_is_adopted_when_it_finishes(probe, fake_nvml_libs, monkeypatch):
    monkeypatch.setenv("JUPYTERLAB_GPU_SESSION_NVML_LIB", fake_nvml_libs["v3"])
    monkeypatch.setenv("FAKE_NVML_INIT_SLEEP", "0.6")
    monkeypatch.setenv("JUPYTERLAB_GPU_SESSION_NVML_INIT_TIMEOUT", "0.1")
    assert "did not finish" in probe.sample(gpu_source="nvml")["gpu_error"]
    time.sleep(1.0)
    s = probe.sample(gpu_source="nvml")
    assert s["gpu_source"] == "nvml" and s["gpus"][0]["name"] == "Tesla T4"
