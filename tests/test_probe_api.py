"""The kernel-side API: sample, sample_b64, and the shape of a sample."""

import base64
import inspect
import json
import subprocess
import sys

from conftest import FAKE_SMI, PROBE, base_env

TOP_KEYS = {"schema_version", "timestamp", "probe_duration_ms", "probe_pid", "gpu_source",
            "gpu_error", "gpus", "host", "kernels", "platform", "checkpoint", "interruption",
            "checkpoint_request_result", "error"}
HOST_KEYS = {"hostname", "cpu_count", "load_avg_1m", "memory_total_bytes",
             "memory_available_bytes", "memory_used_bytes", "memory_limit_bytes",
             "swap_total_bytes", "swap_used_bytes", "boot_time", "cgroup_version", "disks"}


def decode(b64):
    assert isinstance(b64, str)
    b64.encode("ascii")
    return json.loads(base64.b64decode(b64).decode("utf-8"))


def test_public_api(probe):
    assert probe.PROBE_SCHEMA_VERSION == 1
    assert str(inspect.signature(probe.sample)) == (
        "(kernel_ids=(), disks=None, gpu_source='auto', nvidia_smi='nvidia-smi', root='/',"
        " checkpoint_globs=None, self_kernel_id=None, checkpoint_request=None)")
    assert str(inspect.signature(probe.sample_b64)) == (
        "(kernel_ids=(), disks=None, gpu_source='auto', nvidia_smi='nvidia-smi',"
        " checkpoint_globs=None, self_kernel_id=None, checkpoint_request=None)")


def test_sample_shape(probe):
    s = probe.sample()
    assert set(s) == TOP_KEYS
    assert set(s["host"]) == HOST_KEYS
    assert s["schema_version"] == 1 and isinstance(s["timestamp"], float)
    json.dumps(s, allow_nan=False)


def test_a_checkpoint_request_travels_with_a_sample(probe, tmp_path):
    # The front end sends a pending request with its next sample call: the
    # request file is written first, so the same sample shows it pending.
    folder = tmp_path / "ckpt"
    folder.mkdir()
    s = decode(probe.sample_b64(
        checkpoint_globs=[str(folder / "*.pt")],
        checkpoint_request={"id": "req-1", "directories": [str(folder), str(tmp_path / "gone")],
                            "reason": "session ends at 21:42", "save_by": 1796163720.0}))
    result = s["checkpoint_request_result"]
    assert result["id"] == "req-1"
    assert result["directories"][str(folder)]["ok"] is True
    missing = result["directories"][str(tmp_path / "gone")]
    assert missing["ok"] is False and "does not exist" in missing["error"]
    loops = s["checkpoint"]["loops"]
    assert [loop["state"] for loop in loops] == ["none"]
    assert loops[0]["pending_request"]["id"] == "req-1"
    # Without a request the key is null.
    assert decode(probe.sample_b64())["checkpoint_request_result"] is None


def test_b64_round_trip(probe):
    s = decode(probe.sample_b64())
    assert set(s) == TOP_KEYS and s["host"]["memory_total_bytes"] > 0


def test_sample_b64_shortens_the_switch_interval_only_while_it_runs(probe, monkeypatch):
    seen = []
    real = probe.sample_json
    monkeypatch.setattr(probe, "sample_json",
                        lambda *a, **k: seen.append(sys.getswitchinterval()) or real(*a, **k))
    before = sys.getswitchinterval()
    assert before > probe.SAMPLE_SWITCH_INTERVAL_S
    decode(probe.sample_b64())
    assert seen == [probe.SAMPLE_SWITCH_INTERVAL_S]
    assert sys.getswitchinterval() == before


def test_sample_b64_leaves_a_switch_interval_the_user_set(probe, monkeypatch):
    before = sys.getswitchinterval()
    try:
        # Shorter than ours already: not touched.
        sys.setswitchinterval(0.0001)
        decode(probe.sample_b64())
        assert abs(sys.getswitchinterval() - 0.0001) < 1e-6
        # Changed by someone else while the sample ran: theirs stays.
        sys.setswitchinterval(before)
        real = probe.sample_json
        monkeypatch.setattr(probe, "sample_json",
                            lambda *a, **k: sys.setswitchinterval(0.002) or real(*a, **k))
        decode(probe.sample_b64())
        assert abs(sys.getswitchinterval() - 0.002) < 1e-6
    finally:
        sys.setswitchinterval(before)


def test_b64_odd_characters(probe, monkeypatch, tmp_path):
    name = 'py "quoted" \\ back\nslash <script>alert(1)</script> \u00e9\u4e2d\U0001f680 \'single\''
    csv = tmp_path / "q.csv"
    csv.write_text(
        "index, uuid, name, memory.total [MiB], memory.used [MiB]\n"
        "0, GPU-1, Tesla T4 \u00e9, 15360 MiB, 1 MiB\n", encoding="utf-8")
    apps = tmp_path / "a.csv"
    apps.write_text("gpu_uuid, pid, process_name, used_gpu_memory [MiB]\n"
                    "GPU-1, 7, %s, 5 MiB\n" % name.replace("\n", " "), encoding="utf-8")
    monkeypatch.setenv("FAKE_NVIDIA_SMI_REPLAY", str(csv))
    monkeypatch.setenv("FAKE_NVIDIA_SMI_APPS", str(apps))
    b64 = probe.sample_b64(gpu_source="nvidia-smi", nvidia_smi=str(FAKE_SMI))
    # repr-proof: what the kernel's text/plain repr shows is the same text
    assert repr(b64) == "'%s'" % b64
    s = decode(b64)
    assert s["gpus"][0]["name"] == "Tesla T4 \u00e9"
    assert s["gpus"][0]["processes"][0]["name"] == name.replace("\n", " ")
    # a newline in a process name (NVML path: /proc/PID/comm) survives too
    monkeypatch.setattr(probe, "sample", lambda *a, **k: {"name": name, "x": float("nan")})
    d = decode(probe.sample_b64())
    assert d == {"name": name, "x": None}


def test_b64_never_raises(probe, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("everything broke \u00e9")
    monkeypatch.setattr(probe, "sample", boom)
    s = decode(probe.sample_b64())
    assert s["error"] == "probe failed: RuntimeError: everything broke \u00e9"
    assert s["schema_version"] == 1 and s["gpus"] == [] and s["kernels"] == {}


def test_section_errors_keep_other_sections(probe, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("gpu kaboom")
    monkeypatch.setattr(probe, "_gpus", boom)
    s = decode(probe.sample_b64())
    assert "gpu kaboom" in s["gpu_error"] and "gpu kaboom" in s["error"]
    assert s["host"]["memory_total_bytes"] > 0


def test_kernel_ids_as_single_string(probe):
    s = probe.sample(kernel_ids="nope", gpu_source="nvml")
    assert s["kernels"] == {"nope": None}


def test_exec_like_the_front_end():
    """Exec the source in a module whose __name__ is not __main__."""
    code = (
        "import sys, types, base64, json\n"
        "m = types.ModuleType('_gpu_session_probe')\n"
        "sys.modules[m.__name__] = m\n"
        "exec(compile(open(%r).read(), 'probe.py', 'exec'), m.__dict__)\n"
        "a = m.sample_b64(['k1'])\n"
        "b = sys.modules['_gpu_session_probe'].sample_b64(['k1'])\n"
        "print(json.dumps([json.loads(base64.b64decode(x)) for x in (a, b)]))\n"
    ) % str(PROBE)
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         env=base_env(), check=True).stdout
    first, second = json.loads(out)
    assert first["kernels"] == {"k1": None} and second["schema_version"] == 1


def test_script_repeat_prints_one_object_per_line():
    out = subprocess.run([sys.executable, str(PROBE), "--repeat", "3", "--interval", "0",
                          "--gpu-source", "nvml"], stdout=subprocess.PIPE, env=base_env(),
                         check=True).stdout.decode()
    lines = out.splitlines()
    assert len(lines) == 3
    assert [set(json.loads(ln)) for ln in lines] == [TOP_KEYS] * 3
