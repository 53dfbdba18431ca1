"""nvidia-smi failures: missing, driver errors, hangs, garbage, fallbacks."""

import time

import pytest

from conftest import FAKE_SMI, OWN_FIXTURES, SHARED_FIXTURES, base_env, run_probe, run_smi


def test_missing_nvidia_smi_on_path():
    (s,), _ = run_probe("--gpu-source", "nvidia-smi", "--nvidia-smi", "nvidia-smi-does-not-exist")
    assert s["gpus"] == [] and s["gpu_source"] is None
    assert s["gpu_error"] == "nvidia-smi was not found on PATH"


def test_fake_with_missing_recording_acts_like_missing_command(tmp_path):
    s = run_smi(str(tmp_path / "not-there.xml"))
    assert s["gpus"] == [] and "nvidia-smi was not found" in s["gpu_error"]


def test_fake_reads_the_recording_on_every_call(probe, tmp_path, monkeypatch):
    """The browser tests switch recordings by moving a symlink."""
    link = tmp_path / "current"
    monkeypatch.setenv("FAKE_NVIDIA_SMI_REPLAY", str(link))
    first = probe.sample(gpu_source="nvidia-smi", nvidia_smi=str(FAKE_SMI))
    assert first["gpus"] == []
    link.symlink_to(OWN_FIXTURES / "a10g-535-table-processes.txt")
    second = probe.sample(gpu_source="nvidia-smi", nvidia_smi=str(FAKE_SMI))
    assert second["gpus"][0]["name"] == "NVIDIA A10G"
    failure = tmp_path / "fail-no-devices-found.txt"
    failure.write_text("No devices were found\n")
    link.unlink()
    link.symlink_to(failure)
    third = probe.sample(gpu_source="nvidia-smi", nvidia_smi=str(FAKE_SMI))
    assert third["gpu_error"] == "No NVIDIA devices were found"


@pytest.mark.parametrize("text,code,expected", [
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
     "Make sure that the latest NVIDIA driver is installed and running.\n", 9,
     "could not communicate with the NVIDIA driver"),
    ("No devices were found\n", 6, "No NVIDIA devices were found"),
    ("Failed to initialize NVML: Driver/library version mismatch\n"
     "NVML library version: 535.161\n", 18, "NVIDIA driver/library version mismatch"),
])
def test_driver_failures_stop_at_once(tmp_path, text, code, expected):
    rec = tmp_path / "fail-x.txt"
    rec.write_text(text)
    log = tmp_path / "calls.log"
    s = run_smi(str(rec), FAKE_NVIDIA_SMI_LOG=str(log))
    assert s["gpus"] == [] and s["gpu_source"] is None
    assert expected in s["gpu_error"]
    # a driver-level failure is not retried with -q -x or the table
    assert len(log.read_text().splitlines()) == 1


def test_xml_only_recording_goes_csv_then_xml(tmp_path):
    xml = SHARED_FIXTURES / "telegraf-tesla-t4.xml"
    if not xml.is_file():
        pytest.skip("../shared/fixtures/nvidia-smi is absent")
    log = tmp_path / "calls.log"
    s = run_smi(str(xml), FAKE_NVIDIA_SMI_LOG=str(log))
    assert s["gpu_source"] == "nvidia-smi" and s["gpus"][0]["name"] == "Tesla T4"
    calls = log.read_text().splitlines()
    assert calls[0].startswith("--query-gpu=index,uuid,name,memory.total,memory.used,")
    assert calls[0].endswith("--format=csv")
    assert calls[1] == "-q -x" and len(calls) == 2


def test_table_only_recording_goes_csv_xml_table(tmp_path):
    log = tmp_path / "calls.log"
    s = run_smi(str(OWN_FIXTURES / "a10g-535-table-processes.txt"), FAKE_NVIDIA_SMI_LOG=str(log))
    assert s["gpus"][0]["name"] == "NVIDIA A10G"
    calls = log.read_text().splitlines()
    assert [c.split("=")[0] for c in calls] == ["--query-gpu", "-q -x", ""]


def test_csv_recording_asks_compute_apps(tmp_path):
    log = tmp_path / "calls.log"
    run_smi(str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"),
            apps=str(OWN_FIXTURES / "tesla-t4-query-compute-apps.csv"),
            FAKE_NVIDIA_SMI_LOG=str(log))
    calls = log.read_text().splitlines()
    assert calls[1] == ("--query-compute-apps=gpu_uuid,pid,process_name,used_gpu_memory "
                        "--format=csv")


def test_hanging_nvidia_smi_times_out_and_backs_off(tmp_path):
    log = tmp_path / "calls.log"
    env = base_env(FAKE_NVIDIA_SMI_REPLAY=str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"),
                   FAKE_NVIDIA_SMI_SLEEP="10", FAKE_NVIDIA_SMI_LOG=str(log))
    start = time.monotonic()
    (first, second), _ = run_probe("--gpu-source", "nvidia-smi", "--nvidia-smi", FAKE_SMI,
                                   "--repeat", "2", "--interval", "0", env=env, timeout=30)
    elapsed = time.monotonic() - start
    assert elapsed < 8, elapsed  # generous: 3 s timeout plus start-up
    assert first["gpus"] == [] and first["gpu_source"] is None
    assert first["gpu_error"] == "nvidia-smi did not answer within 3 s; next try in 60 s"
    assert second["gpu_error"].startswith("nvidia-smi did not answer within 3 s; next try in ")
    assert len(log.read_text().splitlines()) == 1  # not called again during the back-off
    assert first["host"]["memory_total_bytes"] > 0  # the rest is there


def test_hang_in_auto_mode_keeps_host_data(tmp_path):
    env = base_env(FAKE_NVIDIA_SMI_REPLAY=str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"),
                   FAKE_NVIDIA_SMI_SLEEP="10")
    start = time.monotonic()
    (s,), _ = run_probe("--nvidia-smi", FAKE_SMI, env=env, timeout=30)
    assert time.monotonic() - start < 8
    assert "did not answer within 3 s" in s["gpu_error"]
    assert "libnvidia-ml" in s["gpu_error"]
    assert s["host"]["memory_total_bytes"] > 0


def test_garbage_output():
    s = run_smi(str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"), FAKE_NVIDIA_SMI_GARBAGE="1")
    assert s["gpus"] == [] and s["gpu_source"] is None
    assert s["gpu_error"].startswith("nvidia-smi printed output that could not be parsed: ")
    assert len(s["gpu_error"]) < 300


def test_unsupported_everything_reports_first_failure():
    s = run_smi(str(OWN_FIXTURES / "tesla-t4-query-compute-apps.csv"))
    assert s["gpus"] == []
    assert s["gpu_error"].startswith("nvidia-smi --query-gpu failed with exit code 2")


def test_unknown_gpu_source_is_an_error_not_a_crash(probe):
    s = probe.sample(gpu_source="cuda")
    assert s["gpus"] == [] and "unknown gpu_source" in s["gpu_error"]
    assert s["host"]["memory_total_bytes"] > 0
