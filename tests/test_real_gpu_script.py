"""bench/real-gpu against the fakes: the fake libnvidia-ml (tests/fakes/fake_nvml.c)
and the fake nvidia-smi on PATH, replaying the same GPU or another one."""

import json
import os
import subprocess

from conftest import FAKE_SMI, OWN_FIXTURES, REPO, base_env

SCRIPT = REPO / "bench" / "real-gpu"

# What the fake NVML library's default scenario ("t4") answers, as
# nvidia-smi --query-gpu=... --format=csv prints it.
SAME_T4 = (
    "index, uuid, name, memory.total [MiB], memory.used [MiB], utilization.gpu [%], "
    "utilization.memory [%], temperature.gpu, power.draw [W], power.limit [W], mig.mode.current\n"
    "0, GPU-d37e67a5-0000-4000-8000-00000000t4t4, Tesla T4, 15360 MiB, 1032 MiB, 37 %, 12 %, "
    "40, 26.78 W, 70.00 W, [N/A]\n"
)


def run_script(tmp_path, replay, nvml_lib):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nvidia-smi").symlink_to(FAKE_SMI)
    out = tmp_path / "out"
    env = base_env(
        PATH="%s:%s" % (bin_dir, os.environ["PATH"]),
        FAKE_NVIDIA_SMI_REPLAY=replay,
        FAKE_NVIDIA_SMI_APPS=OWN_FIXTURES / "tesla-t4-query-compute-apps.csv",
        JUPYTERLAB_GPU_SESSION_NVML_LIB=nvml_lib,
    )
    proc = subprocess.run(["bash", str(SCRIPT), "--out", str(out), "--samples", "3"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=str(REPO))
    assert proc.returncode == 0, proc.stderr
    return out, json.loads((out / "summary.json").read_text()), proc.stdout


def test_nvml_and_nvidia_smi_agree_on_the_same_gpu(tmp_path, fake_nvml_libs):
    replay = tmp_path / "same-t4-query-gpu.csv"
    replay.write_text(SAME_T4)
    out, summary, stdout = run_script(tmp_path, replay, fake_nvml_libs["v3"])
    assert "NVML and nvidia-smi agree" in stdout
    assert summary["gpu_found"] is True
    assert summary["agreement"]["agree"] is True, summary["agreement"]
    # utilization etc. come from the same fake numbers: nothing differs
    assert "utilization_gpu_percent" not in summary["agreement"]["fields_differ"]
    for name in ("query-gpu.csv", "query-compute-apps.csv", "sample-nvml.json",
                 "sample-nvidia-smi.json", "summary.md"):
        assert (out / name).is_file(), name
    # the recordings are what the fake replayed, asked with probe.py's fields
    assert (out / "query-gpu.csv").read_text() == SAME_T4
    assert summary["recorded"]["--query-gpu"]["args"][0] == (
        "--query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu,"
        "utilization.memory,temperature.gpu,power.draw,power.limit,mig.mode.current")
    assert summary["recorded"]["--query-compute-apps"]["args"][0] == (
        "--query-compute-apps=gpu_uuid,pid,process_name,used_gpu_memory")
    nvml = json.loads((out / "sample-nvml.json").read_text())
    assert nvml["gpu_source"] == "nvml" and nvml["gpus"][0]["name"] == "Tesla T4"
    smi = json.loads((out / "sample-nvidia-smi.json").read_text())
    assert smi["gpu_source"] == "nvidia-smi"
    # NVML and nvidia-smi list other processes: a difference, not a failure
    assert "processes (pids)" in summary["agreement"]["fields_differ"]
    for path in ("nvml", "nvidia-smi"):
        assert summary["probe"][path]["cost"]["n"] == 3
    # the fake answers no -q -x: recorded as its failure, the run goes on
    assert summary["recorded"]["nvidia-smi -q -x"]["returncode"] != 0
    md = (out / "summary.md").read_text()
    assert "## NVML against nvidia-smi: they agree" in md


def test_a_different_gpu_on_nvidia_smi_fails_the_check(tmp_path, fake_nvml_libs):
    # a recorded T4 too, but another card: other uuid, other memory used
    out, summary, stdout = run_script(tmp_path, OWN_FIXTURES / "tesla-t4-query-gpu.csv",
                                      fake_nvml_libs["v3"])
    assert "DO NOT agree" in stdout
    ag = summary["agreement"]
    assert ag["agree"] is False
    problems = " | ".join(ag["problems"])
    assert "uuid" in problems and "memory_used_bytes" in problems, problems
    assert "name" not in problems and "memory_total_bytes" not in problems, problems
    assert "they do NOT agree" in (out / "summary.md").read_text()


def test_no_gpu_at_all_still_writes_the_folder(tmp_path):
    out, summary, stdout = run_script(tmp_path, tmp_path / "missing.csv",
                                      "/nonexistent/libnvidia-ml.so.1")
    assert stdout.startswith("no GPU found")
    assert summary["gpu_found"] is False and summary["agreement"]["agree"] is None
    assert "could be loaded" in summary["probe"]["nvml"]["gpu_error"]
    assert summary["torch_subshell"] == {"skipped": "no GPU found"}
    assert (out / "summary.md").is_file()
