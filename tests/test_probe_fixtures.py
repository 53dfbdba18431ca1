"""The nvidia-smi path against real recorded outputs and hand-written ones."""

import os

import pytest

from conftest import OWN_FIXTURES, SHARED_FIXTURES, load_probe, run_smi

MIB = 1024 * 1024

# Facts read off each recorded file by hand (see SOURCES.md beside them).
# names/total_mib/used_mib/util/mig/procs/temp/power/limit are per GPU; procs is
# the number of processes and proc_mib their memory. "apps" names a second
# recording for --query-compute-apps. "error" is a gpu_error substring.
SHARED_EXPECTED = {
    "colab-t4-535-empty-processes.txt": dict(
        names=["Tesla T4"], total_mib=[15360], used_mib=[611], util=[0],
        mig=[None], procs=[0], temp=[59], power=[30.0], limit=[70.0]),
    "k80-dual-470.txt": dict(
        names=["Tesla K80", "Tesla K80"], total_mib=[11441, 11441],
        used_mib=[0, 0], util=[0, 100], mig=[None, None], procs=[0, 0],
        temp=[34, 40], power=[54.0, 74.0], limit=[149.0, 149.0]),
    "netdata-a100-sxm4-40gb-mig.xml": dict(
        names=["NVIDIA A100-SXM4-40GB"], total_mib=[40960], used_mib=[38],
        util=[None], util_mem=[None], mig=[True], procs=[0], temp=[36],
        power=[66.92], limit=[400.0],
        uuid=["GPU-27b94a00-ed54-5c24-b1fd-1054085de32a"]),
    "netdata-tesla-p100-pcie-16gb.xml": dict(
        names=["Tesla P100-PCIE-16GB"], total_mib=[16384], used_mib=[0],
        util=[0], mig=[None], procs=[0], temp=[38], power=[26.16], limit=[250.0]),
    "telegraf-dual-rtx-a5000.xml": dict(
        names=["NVIDIA RTX A5000", "NVIDIA RTX A5000"], total_mib=[24564, 24564],
        used_mib=[22437, 17253], util=[0, 0], mig=[None, None], procs=[1, 1],
        proc_mib=[[22430], [17246]], proc_pids=[[100477], [100477]],
        temp=[13, 15], power=[6.41, 13.60], limit=[230.0, 230.0]),
    "telegraf-tesla-t4.xml": dict(
        names=["Tesla T4"], total_mib=[15360], used_mib=[1032], util=[0],
        util_mem=[0], mig=[None], procs=[2], proc_mib=[[22, 1005]],
        proc_pids=[[675, 5762]], temp=[40], power=[26.78], limit=[70.0],
        uuid=["GPU-d37e67a5-91dd-3774-a5cb-99096249601a"]),
    "exporter-query-gpu-h100-mig-590.csv": dict(
        apps="exporter-query-compute-apps-h100-mig.csv",
        names=["NVIDIA H100 80GB HBM3"], total_mib=[81559], used_mib=[11125],
        util=[None], util_mem=[None], mig=[True], procs=[3],
        proc_mib=[[2296, 1272, 7484]], proc_pids=[[21180, 21181, 21198]],
        temp=[53], power=[433.78], limit=[700.0]),
    # a compute-apps recording alone answers no --query-gpu, -q -x or table
    "exporter-query-compute-apps-h100-mig.csv": dict(error="--query-gpu"),
    "exporter-query-compute-apps-h200-idle-empty.csv": dict(error="--query-gpu"),
    "fail-couldnt-communicate.txt": dict(
        error="could not communicate with the NVIDIA driver"),
    "fail-no-devices-found.txt": dict(error="No NVIDIA devices were found"),
    "fail-version-mismatch.txt": dict(error="driver/library version mismatch"),
}

OWN_EXPECTED = {
    "tesla-t4-query-gpu.csv": dict(
        apps="tesla-t4-query-compute-apps.csv", names=["Tesla T4"],
        total_mib=[15360], used_mib=[5254], util=[87], util_mem=[41],
        mig=[None], procs=[2], proc_mib=[[4912, 230]], proc_pids=[[4242, 4310]],
        temp=[63], power=[61.42], limit=[70.0],
        uuid=["GPU-5a1b7c2e-0f3d-4e6a-9b8c-1d2e3f4a5b6c"]),
    # the browser tests' GPU where ../shared is absent: the idle T4's numbers
    "tesla-t4-idle-query-gpu.csv": dict(
        apps="tesla-t4-query-compute-apps.csv", names=["Tesla T4"],
        total_mib=[15360], used_mib=[1032], util=[0], util_mem=[0],
        mig=[None], procs=[2], proc_pids=[[4242, 4310]],
        temp=[40], power=[26.78], limit=[70.0],
        uuid=["GPU-7c0e2d4a-6b1f-4a3e-8d9c-2f1e0a4b5c6d"]),
    "two-gpu-query-gpu.csv": dict(
        apps="two-gpu-query-compute-apps.csv",
        names=["NVIDIA A100-SXM4-80GB", "NVIDIA GeForce RTX 3090"],
        total_mib=[81920, 24576], used_mib=[4, 18211], util=[None, 99],
        util_mem=[None, 72], mig=[True, False], procs=[0, 2],
        proc_mib=[[], [18100, None]], temp=[31, 78], power=[61.08, None],
        limit=[400.0, None]),
    "tesla-t4-query-compute-apps.csv": dict(error="--query-gpu"),
    "two-gpu-query-compute-apps.csv": dict(error="--query-gpu"),
    "a10g-535-table-processes.txt": dict(
        names=["NVIDIA A10G"], total_mib=[23028], used_mib=[14022], util=[93],
        util_mem=[None], mig=[None], procs=[2], proc_mib=[[13990, 24]],
        proc_pids=[[2177, 2301]], temp=[47], power=[112.0], limit=[300.0]),
}

NUMERIC = ("memory_total_bytes", "memory_used_bytes", "utilization_gpu_percent",
           "utilization_memory_percent", "temperature_c", "power_draw_w",
           "power_limit_w")
LEAKS = ("N/A", "Not Supported", "deprecated", "Unknown Error")


def _listing(folder):
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.is_file() and p.suffix in (".xml", ".csv", ".txt"))


def check_invariants(sample):
    """What must hold for any recording, known or new."""
    assert sample["gpus"] or sample["gpu_error"]
    if sample["gpus"]:
        assert sample["gpu_source"] == "nvidia-smi"
        assert sample["gpu_error"] is None
    else:
        assert sample["gpu_source"] is None
        assert isinstance(sample["gpu_error"], str) and sample["gpu_error"]
    for gpu in sample["gpus"]:
        for key in NUMERIC:
            assert gpu[key] is None or (isinstance(gpu[key], (int, float))
                                        and not isinstance(gpu[key], bool)), key
        assert gpu["mig_enabled"] in (None, True, False)
        for key in ("uuid", "name"):
            assert gpu[key] is None or not any(m in gpu[key] for m in LEAKS)
        for proc in gpu["processes"]:
            assert isinstance(proc["pid"], int)
            assert proc["used_memory_bytes"] is None or isinstance(
                proc["used_memory_bytes"], int)
            assert proc["kernel_id"] is None


def check_expected(sample, exp):
    if "error" in exp:
        assert sample["gpus"] == []
        assert exp["error"].lower() in sample["gpu_error"].lower()
        return
    gpus = sample["gpus"]
    assert [g["name"] for g in gpus] == exp["names"]
    assert [g["index"] for g in gpus] == list(range(len(exp["names"])))
    assert [g["memory_total_bytes"] for g in gpus] == [m * MIB for m in exp["total_mib"]]
    assert [g["memory_used_bytes"] for g in gpus] == [m * MIB for m in exp["used_mib"]]
    assert [g["utilization_gpu_percent"] for g in gpus] == exp["util"]
    if "util_mem" in exp:
        assert [g["utilization_memory_percent"] for g in gpus] == exp["util_mem"]
    assert [g["mig_enabled"] for g in gpus] == exp["mig"]
    assert [len(g["processes"]) for g in gpus] == exp["procs"]
    assert [g["temperature_c"] for g in gpus] == exp["temp"]
    assert [g["power_draw_w"] for g in gpus] == pytest.approx(exp["power"]) \
        if None not in exp["power"] else [g["power_draw_w"] for g in gpus] == exp["power"]
    assert [g["power_limit_w"] for g in gpus] == exp["limit"]
    if "proc_mib" in exp:
        assert [[p["used_memory_bytes"] for p in g["processes"]] for g in gpus] == [
            [None if m is None else m * MIB for m in row] for row in exp["proc_mib"]]
    if "proc_pids" in exp:
        assert [[p["pid"] for p in g["processes"]] for g in gpus] == exp["proc_pids"]
    if "uuid" in exp:
        assert [g["uuid"] for g in gpus] == exp["uuid"]


def test_every_shared_fixture_has_expectations():
    """A new recording should come with its facts (it is still run below)."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/nvidia-smi is absent")
    missing = [n for n in _listing(SHARED_FIXTURES) if n not in SHARED_EXPECTED]
    if missing:
        pytest.skip("no expected facts yet for %s (invariants still checked)" % missing)


@pytest.mark.skipif(not SHARED_FIXTURES.is_dir(),
                    reason="../shared/fixtures/nvidia-smi is absent")
@pytest.mark.parametrize("name", _listing(SHARED_FIXTURES) or ["(none)"])
def test_shared_recording_through_script(name):
    exp = SHARED_EXPECTED.get(name, {})
    apps = str(SHARED_FIXTURES / exp["apps"]) if "apps" in exp else None
    sample = run_smi(str(SHARED_FIXTURES / name), apps=apps)
    check_invariants(sample)
    if exp:
        check_expected(sample, exp)


@pytest.mark.parametrize("name", _listing(OWN_FIXTURES))
def test_own_fixture_through_script(name):
    exp = OWN_EXPECTED[name]
    apps = str(OWN_FIXTURES / exp["apps"]) if "apps" in exp else None
    sample = run_smi(str(OWN_FIXTURES / name), apps=apps)
    check_invariants(sample)
    check_expected(sample, exp)


def test_own_fixture_table_is_complete():
    assert set(_listing(OWN_FIXTURES)) == set(OWN_EXPECTED)
    assert (OWN_FIXTURES / "README.md").is_file()


# ---------------------------------------------------------------- parsers

def _parse(probe, path):
    text = path.read_text()
    if path.suffix == ".xml":
        return probe.parse_xml(text)
    if path.suffix == ".csv":
        if "memory.total" in text.splitlines()[0]:
            return probe.parse_query_gpu_csv(text)
        return probe.parse_query_apps_csv(text)
    return probe.parse_table(text)


def _parser_cases():
    cases = []
    for folder, table in ((SHARED_FIXTURES, SHARED_EXPECTED), (OWN_FIXTURES, OWN_EXPECTED)):
        for name in _listing(folder):
            if name.startswith("fail-"):
                continue
            cases.append(pytest.param(folder / name, table.get(name), id=name))
    return cases


@pytest.mark.parametrize("path,exp", _parser_cases())
def test_parsers_directly(probe, path, exp):
    result = _parse(probe, path)
    if path.suffix == ".csv" and "memory.total" not in path.read_text().splitlines()[0]:
        # compute-apps: (uuid, process) pairs
        for uuid, proc in result:
            assert uuid is None or uuid.startswith("GPU-")
            assert isinstance(proc["pid"], int)
        return
    if exp is None or "error" in exp:
        return
    if "apps" in exp:
        # the process part needs the second file; compare the rest
        exp = dict(exp, procs=[0] * len(exp["names"]))
        exp.pop("proc_mib", None)
        exp.pop("proc_pids", None)
    check_expected({"gpus": result}, exp)


def test_apps_csv_shared_recordings(probe):
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/nvidia-smi is absent")
    rows = probe.parse_query_apps_csv(
        (SHARED_FIXTURES / "exporter-query-compute-apps-h100-mig.csv").read_text())
    assert [(p["pid"], p["name"], p["used_memory_bytes"]) for _, p in rows] == [
        (21180, "/root/tools/memhog", 2296 * MIB),
        (21181, "/root/tools/memhog", 1272 * MIB),
        (21198, "./gpu_burn", 7484 * MIB)]
    assert probe.parse_query_apps_csv(
        (SHARED_FIXTURES / "exporter-query-compute-apps-h200-idle-empty.csv").read_text()) == []


def test_h100_with_idle_apps_has_no_processes():
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/nvidia-smi is absent")
    sample = run_smi(str(SHARED_FIXTURES / "exporter-query-gpu-h100-mig-590.csv"),
                     apps=str(SHARED_FIXTURES / "exporter-query-compute-apps-h200-idle-empty.csv"))
    assert sample["gpus"][0]["processes"] == []


def test_query_gpu_by_header_name_reordered_and_extra_columns(probe):
    text = ("name, fan.speed [%], memory.used [MiB], index, power.limit [W], "
            "memory.total [MiB], uuid, temperature.gpu, clocks.sm [MHz]\n"
            "Tesla T4, [N/A], 100 MiB, 3, 70.00 W, 15360 MiB, GPU-x, 41, 585 MHz\n")
    (gpu,) = probe.parse_query_gpu_csv(text)
    assert gpu["index"] == 3 and gpu["name"] == "Tesla T4"
    assert gpu["memory_total_bytes"] == 15360 * MIB
    assert gpu["memory_used_bytes"] == 100 * MIB
    assert gpu["power_limit_w"] == 70.0 and gpu["power_draw_w"] is None
    assert gpu["utilization_gpu_percent"] is None and gpu["mig_enabled"] is None


def test_query_gpu_nounits_style_values(probe):
    # header units, bare values (as with --format=csv,nounits)
    text = ("index, uuid, name, memory.total [MiB], memory.used [MiB], utilization.gpu [%]\n"
            "0, GPU-a, Tesla T4, 15360, 1, 5\n")
    (gpu,) = probe.parse_query_gpu_csv(text)
    assert gpu["memory_total_bytes"] == 15360 * MIB
    assert gpu["utilization_gpu_percent"] == 5


@pytest.mark.parametrize("value", ["N/A", "[N/A]", "[Not Supported]", "[Unknown Error]",
                                   "[Requested functionality has been deprecated]",
                                   "[Insufficient Permissions]", "", "Requested functionality has been deprecated"])
def test_unreported_values_are_null(probe, value):
    assert probe._number(value, "W") is None
    assert probe._number(value) is None


def test_apps_csv_process_name_with_comma(probe):
    text = ("gpu_uuid, pid, process_name, used_gpu_memory [MiB]\n"
            "GPU-a, 12, python -c print(1, 2), 10 MiB\n")
    ((uuid, proc),) = probe.parse_query_apps_csv(text)
    assert uuid == "GPU-a" and proc["name"] == "python -c print(1, 2)"
    assert proc["used_memory_bytes"] == 10 * MIB


def test_old_table_layout_with_processes(probe):
    # the pre-MIG (418-style) process rows have no GI/CI columns
    text = "\n".join([
        "+-----------------------------------------------------------------------------+",
        "| NVIDIA-SMI 418.67       Driver Version: 418.67       CUDA Version: 10.1     |",
        "|-------------------------------+----------------------+----------------------+",
        "| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |",
        "| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |",
        "|===============================+======================+======================|",
        "|   0  Tesla V100-SXM2...  On   | 00000000:00:1E.0 Off |                    0 |",
        "| N/A   44C    P0    N/A /  N/A |   1520MiB / 16130MiB |     12%      Default |",
        "+-------------------------------+----------------------+----------------------+",
        "",
        "+-----------------------------------------------------------------------------+",
        "| Processes:                                                       GPU Memory |",
        "|  GPU       PID   Type   Process name                             Usage      |",
        "|=============================================================================|",
        "|    0     10312      C   python                                      1509MiB |",
        "+-----------------------------------------------------------------------------+",
    ])
    (gpu,) = probe.parse_table(text)
    assert gpu["name"] == "Tesla V100-SXM2..."
    assert gpu["power_draw_w"] is None and gpu["power_limit_w"] is None
    assert gpu["temperature_c"] == 44 and gpu["utilization_gpu_percent"] == 12
    assert [(p["pid"], p["name"], p["used_memory_bytes"]) for p in gpu["processes"]] == [
        (10312, "python", 1509 * MIB)]


def test_xml_without_gpus_means_no_devices(probe):
    with pytest.raises(probe._SmiFailure, match="No NVIDIA devices"):
        probe.parse_xml('<?xml version="1.0" ?><nvidia_smi_log><attached_gpus>0'
                        '</attached_gpus></nvidia_smi_log>')


@pytest.mark.parametrize("text", ["", "hello", "<html></html>", "\x00\xff\xfe", "a,b\n1,2,3\n"])
def test_parsers_reject_garbage(probe, text):
    for parse in (probe.parse_xml, probe.parse_table, probe.parse_query_gpu_csv):
        with pytest.raises(probe._SmiFailure, match="could not be parsed|No NVIDIA"):
            parse(text)


def test_browser_t4_fixture_exists():
    """The browser tests replay a Tesla T4: the shared XML or our CSV pair."""
    assert (OWN_FIXTURES / "tesla-t4-query-gpu.csv").is_file()
    assert (OWN_FIXTURES / "tesla-t4-query-compute-apps.csv").is_file()
    shared = SHARED_FIXTURES / "telegraf-tesla-t4.xml"
    fixture = shared if shared.is_file() else OWN_FIXTURES / "tesla-t4-query-gpu.csv"
    sample = run_smi(str(fixture), apps=str(OWN_FIXTURES / "tesla-t4-query-compute-apps.csv"))
    assert sample["gpus"][0]["name"] == "Tesla T4"
    assert sample["gpus"][0]["memory_total_bytes"] == 15360 * MIB


# The keys of gpus[] and of their processes (DESIGN.md 3.1, docs/probe.md).
GPU_KEYS = {"index", "uuid", "name", "memory_total_bytes", "memory_used_bytes",
            "utilization_gpu_percent", "utilization_memory_percent", "temperature_c",
            "power_draw_w", "power_limit_w", "mig_enabled", "processes"}
PROCESS_KEYS = {"pid", "name", "used_memory_bytes", "kernel_id"}


def test_the_four_readers_build_the_same_records(probe, fake_nvml_libs, monkeypatch):
    xml = SHARED_FIXTURES / "telegraf-dual-rtx-a5000.xml"
    if not xml.is_file():
        pytest.skip("the shared recordings are not beside the repository")
    monkeypatch.setenv("JUPYTERLAB_GPU_SESSION_NVML_LIB", fake_nvml_libs["v3"])
    monkeypatch.setenv("FAKE_NVML_PROCS", "4242:100,4243:200")
    by_reader = {
        "nvml": probe.sample(gpu_source="nvml")["gpus"],
        "csv": probe.parse_query_gpu_csv(
            (OWN_FIXTURES / "tesla-t4-query-gpu.csv").read_text()),
        "xml": probe.parse_xml(xml.read_text()),
        "table": probe.parse_table(
            (OWN_FIXTURES / "a10g-535-table-processes.txt").read_text()),
    }
    apps = probe.parse_query_apps_csv(
        (OWN_FIXTURES / "tesla-t4-query-compute-apps.csv").read_text())
    by_reader["csv"][0]["processes"] = [proc for _, proc in apps]
    for reader, gpus in by_reader.items():
        assert gpus, reader
        for gpu in gpus:
            assert set(gpu) == GPU_KEYS, reader
        procs = [p for gpu in gpus for p in gpu["processes"]]
        assert procs, reader  # every recording above lists processes
        for proc in procs:
            assert set(proc) == PROCESS_KEYS, reader
