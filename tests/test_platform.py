"""Platform detection in the probe: which service, when the runtime started and ends."""

import calendar
import os
import time

import pytest

from conftest import FAKES, run_probe, base_env

DAY = "2026-11-27T%s"


def local(ts):
    return time.mktime(time.strptime(ts, "%Y-%m-%dT%H:%M:%S"))


@pytest.fixture(autouse=True)
def _no_outside_platform(monkeypatch):
    # variables of this machine's own platform must not leak into sample()
    for name in list(os.environ):
        if name.startswith(("SLURM_", "COLAB_", "KAGGLE_", "PAPERSPACE_",
                            "JUPYTERHUB_", "FAKE_SLURM_", "FAKE_SQUEUE_",
                            "FAKE_SCONTROL_")):
            monkeypatch.delenv(name)


@pytest.fixture
def slurm_bin(tmp_path):
    """A folder with only the fake squeue and scontrol (no fake nvidia-smi)."""
    d = tmp_path / "slurm-bin"
    d.mkdir()
    for name in ("squeue", "scontrol"):
        os.symlink(str(FAKES / name), str(d / name))
    return d


@pytest.fixture
def slurm_env(slurm_bin, tmp_path):
    log = tmp_path / "slurm.log"

    def make(**extra):
        env = {"SLURM_JOB_ID": "12345", "FAKE_SLURM_LOG": str(log),
               "PATH": str(slurm_bin) + os.pathsep + os.environ.get("PATH", os.defpath)}
        env.update(extra)
        return env
    make.log = log
    return make


def calls(log):
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("env, pid, name, source", [
    ({"COLAB_RELEASE_TAG": "release-colab_20261120-060000_RC00"}, "colab", "Google Colab",
     "environment variable COLAB_RELEASE_TAG"),
    ({"COLAB_GPU": "1"}, "colab", "Google Colab", "environment variable COLAB_GPU"),
    ({"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, "kaggle", "Kaggle",
     "environment variable KAGGLE_KERNEL_RUN_TYPE"),
    ({"KAGGLE_URL_BASE": "https://www.kaggle.com"}, "kaggle", "Kaggle",
     "environment variable KAGGLE_URL_BASE"),
    ({"HOME": "/home/studio-lab-user"}, "sagemaker-studio-lab", "SageMaker Studio Lab",
     "home directory /home/studio-lab-user"),
    ({"USER": "studio-lab-user"}, "sagemaker-studio-lab", "SageMaker Studio Lab",
     "environment variable USER=studio-lab-user"),
    ({"PAPERSPACE_NOTEBOOK_REPO_ID": "r1a2b3"}, "paperspace", "Paperspace Gradient",
     "environment variable PAPERSPACE_NOTEBOOK_REPO_ID"),
    ({"JUPYTERHUB_SERVICE_PREFIX": "/user/alice/"}, "jupyterhub", "JupyterHub",
     "environment variable JUPYTERHUB_SERVICE_PREFIX"),
    ({"JUPYTERHUB_USER": "alice"}, "jupyterhub", "JupyterHub",
     "environment variable JUPYTERHUB_USER"),
    ({"HOME": "/home/alice", "PATH": "/usr/bin"}, "generic", "This machine",
     "no hosted-platform marker found"),
])
def test_detect_by_environment(probe, fake_root, env, pid, name, source):
    p = probe.detect_platform(env, str(fake_root.path))
    assert (p["id"], p["name"], p["source"]) == (pid, name, source)
    assert p["deadline_at"] is None and p["idle_timeout_s"] is None
    assert set(p) == {"id", "name", "source", "runtime_started_at", "deadline_at",
                      "idle_timeout_s"}


def test_empty_values_do_not_count(probe, fake_root):
    p = probe.detect_platform({"COLAB_GPU": "", "SLURM_JOB_ID": ""}, str(fake_root.path))
    assert p["id"] == "generic"


def test_kaggle_by_its_directories(probe, fake_root):
    (fake_root.path / "kaggle" / "input").mkdir(parents=True)
    assert probe.detect_platform({}, str(fake_root.path))["id"] == "generic"
    (fake_root.path / "kaggle" / "working").mkdir()
    probe._STATE.platform.clear()  # files are read once per environment
    p = probe.detect_platform({}, str(fake_root.path))
    assert p["id"] == "kaggle" and "directories /kaggle/input" in p["source"]


def test_hosted_platforms_win_over_jupyterhub_and_slurm_over_jupyterhub(
        probe, fake_root, slurm_env):
    root = str(fake_root.path)
    both = {"COLAB_RELEASE_TAG": "x", "JUPYTERHUB_USER": "alice"}
    assert probe.detect_platform(both, root)["id"] == "colab"
    p = probe.detect_platform(slurm_env(JUPYTERHUB_USER="alice"), root)
    assert p["id"] == "slurm" and p["name"] == "Slurm job 12345"


def test_runtime_start_is_pid_1_start(probe, fake_root):
    fake_root.process(1, 0, ["/sbin/init"], comm="init")  # starttime 5000 ticks
    p = probe.detect_platform({}, str(fake_root.path))
    assert p["runtime_started_at"] == pytest.approx(1732700000 + 5000.0 / probe._CLK_TCK)


def test_runtime_start_falls_back_to_boot_time(probe, fake_root):
    p = probe.detect_platform({}, str(fake_root.path))
    assert p["runtime_started_at"] == 1732700000.0
    (fake_root.proc / "1").mkdir()
    (fake_root.proc / "1" / "stat").write_text("garbage")
    fresh = probe.detect_platform({"HOME": "/other"}, str(fake_root.path))
    assert fresh["runtime_started_at"] == 1732700000.0


def test_runtime_start_unknown_without_proc_stat(probe, tmp_path):
    p = probe.detect_platform({}, str(tmp_path))
    assert p["runtime_started_at"] is None and p["id"] == "generic"


def test_detection_is_cached(probe, fake_root):
    fake_root.process(1, 0, ["/sbin/init"], comm="init")
    root = str(fake_root.path)
    first = probe.detect_platform({}, root)
    (fake_root.proc / "1" / "stat").unlink()
    assert probe.detect_platform({}, root) == first
    # a different environment is detected afresh
    assert probe.detect_platform({"COLAB_GPU": "1"}, root)["id"] == "colab"


def test_slurm_end_time_from_squeue(probe, fake_root, slurm_env):
    p = probe.detect_platform(slurm_env(), str(fake_root.path))
    assert p["id"] == "slurm" and p["name"] == "Slurm job 12345"
    assert p["deadline_at"] == local(DAY % "18:30:00")
    assert p["runtime_started_at"] == local(DAY % "08:30:00")
    assert p["source"] == "environment variable SLURM_JOB_ID; end time from squeue"
    assert calls(slurm_env.log) == [
        "squeue -h -j 12345 -o %S %e SLURM_TIME_FORMAT=standard"]


def test_slurm_falls_back_to_scontrol(probe, fake_root, slurm_env):
    env = slurm_env(FAKE_SQUEUE_MODE="fail", FAKE_SLURM_END=DAY % "20:00:00")
    p = probe.detect_platform(env, str(fake_root.path))
    assert p["deadline_at"] == local(DAY % "20:00:00")
    assert p["source"].startswith("environment variable SLURM_JOB_ID; end time from scontrol")
    assert "Invalid job id" in p["source"]
    assert [c.split()[0] for c in calls(slurm_env.log)] == ["squeue", "scontrol"]


def test_slurm_job_that_squeue_no_longer_lists(probe, fake_root, slurm_env):
    env = slurm_env(FAKE_SQUEUE_MODE="empty")
    p = probe.detect_platform(env, str(fake_root.path))
    assert p["deadline_at"] == local(DAY % "18:30:00")
    assert "squeue printed 'nothing'" in p["source"]


@pytest.mark.parametrize("end", ["Unknown", "N/A", "NONE"])
def test_slurm_unknown_end_is_null_with_reason(probe, fake_root, slurm_env, end):
    p = probe.detect_platform(slurm_env(FAKE_SLURM_END=end), str(fake_root.path))
    assert p["deadline_at"] is None
    assert "end time unknown" in p["source"] and repr(end) in p["source"]
    # the start the scheduler knows is still used
    assert p["runtime_started_at"] == local(DAY % "08:30:00")


def test_slurm_commands_that_hang_are_killed(probe, fake_root, slurm_env, monkeypatch):
    monkeypatch.setattr(probe, "SLURM_TIMEOUT_S", 0.5)
    env = slurm_env(FAKE_SQUEUE_MODE="hang", FAKE_SCONTROL_MODE="hang")
    t0 = time.monotonic()
    p = probe.detect_platform(env, str(fake_root.path))
    assert time.monotonic() - t0 < 5
    assert p["deadline_at"] is None
    assert "squeue did not answer within 0.5 s" in p["source"]
    assert "scontrol did not answer within 0.5 s" in p["source"]


def test_slurm_default_timeout_is_3_s(probe):
    assert probe.SLURM_TIMEOUT_S == 3.0 and probe.SLURM_REQUERY_S == 60.0


def test_slurm_without_commands(probe, fake_root, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    p = probe.detect_platform({"SLURM_JOB_ID": "7", "PATH": str(empty)}, str(fake_root.path))
    assert p["id"] == "slurm" and p["deadline_at"] is None
    assert "squeue was not found on PATH" in p["source"]
    assert "scontrol was not found on PATH" in p["source"]
    # Slurm 23.02+ puts the projected times into the job's environment
    env = {"SLURM_JOB_ID": "7", "PATH": str(empty), "SLURM_JOB_END_TIME": "1795800000",
           "SLURM_JOB_START_TIME": "1795760000"}
    p = probe.detect_platform(env, str(fake_root.path))
    assert p["deadline_at"] == 1795800000.0 and p["runtime_started_at"] == 1795760000.0
    assert "end time from environment variable SLURM_JOB_END_TIME" in p["source"]


def test_slurm_is_asked_again_after_60_s(probe, fake_root, slurm_env, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(probe.time, "monotonic", lambda: clock[0])
    root = str(fake_root.path)
    env = slurm_env()
    assert probe.detect_platform(env, root)["deadline_at"] == local(DAY % "18:30:00")
    clock[0] += 59
    probe.detect_platform(env, root)
    assert len(calls(slurm_env.log)) == 1
    # the job was extended by two hours
    env["FAKE_SLURM_END"] = DAY % "20:30:00"
    clock[0] += 2
    assert probe.detect_platform(env, root)["deadline_at"] == local(DAY % "20:30:00")
    assert len(calls(slurm_env.log)) == 2


@pytest.mark.parametrize("text, expected_reason", [
    ("Unknown", "Slurm printed 'Unknown'"),
    ("N/A", "Slurm printed 'N/A'"),
    ("", "Slurm printed 'nothing'"),
    ("tomorrow", "unreadable time 'tomorrow'"),
    ("2026-13-40T99:00:00", "unreadable time"),
])
def test_parse_slurm_time_refusals(probe, text, expected_reason):
    value, reason = probe.parse_slurm_time(text)
    assert value is None and reason.startswith(expected_reason)


def test_parse_slurm_time_is_local_time(probe):
    assert probe.parse_slurm_time(" 2026-11-27T18:30:00\n") == (local(DAY % "18:30:00"), None)


def test_sample_always_has_platform(probe):
    s = probe.sample()
    assert s["platform"]["id"] in ("colab", "kaggle", "sagemaker-studio-lab", "paperspace",
                                   "slurm", "jupyterhub", "generic")
    assert s["checkpoint"] is None


def test_script_reports_slurm_deadline(slurm_bin, fake_root):
    env = base_env(SLURM_JOB_ID="4242", TZ="UTC",
                   PATH=str(slurm_bin) + os.pathsep + os.environ.get("PATH", os.defpath))
    for name in list(env):
        if name.startswith(("COLAB_", "KAGGLE_", "PAPERSPACE_", "JUPYTERHUB_")):
            del env[name]
    samples, _ = run_probe("--gpu-source", "nvml", "--root", fake_root.path, env=env)
    p = samples[0]["platform"]
    assert p["id"] == "slurm" and p["name"] == "Slurm job 4242"
    assert p["deadline_at"] == calendar.timegm((2026, 11, 27, 18, 30, 0))
    assert p["runtime_started_at"] == calendar.timegm((2026, 11, 27, 8, 30, 0))
