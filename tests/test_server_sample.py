"""POST {base_url}/gpu-session/sample on a real jupyter_server (pytest-jupyter).

The probe runs in the server process here, as it does for the front end's
server transport; the GPU is the fake nvidia-smi replaying a recording.
"""

import asyncio
import json
import os

import pytest
from tornado.httpclient import HTTPClientError

from conftest import FAKE_SMI, OWN_FIXTURES

pytest_plugins = ["pytest_jupyter.jupyter_server"]

ROUTE = ("gpu-session", "sample")


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyterlab_gpu_session": True}}}


@pytest.fixture(autouse=True)
def _replay_t4(monkeypatch):
    monkeypatch.setenv("FAKE_NVIDIA_SMI_REPLAY", str(OWN_FIXTURES / "tesla-t4-query-gpu.csv"))
    monkeypatch.setenv("FAKE_NVIDIA_SMI_APPS",
                       str(OWN_FIXTURES / "tesla-t4-query-compute-apps.csv"))


async def post_sample(jp_fetch, body):
    response = await jp_fetch(*ROUTE, method="POST", body=json.dumps(body))
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body.decode("utf-8"))


async def test_a_sample_of_the_servers_machine_read_in_the_server(jp_fetch):
    sample = await post_sample(jp_fetch, {"gpu_source": "nvidia-smi",
                                          "nvidia_smi": str(FAKE_SMI)})
    assert sample["schema_version"] == 1
    assert sample["error"] is None
    # no kernel: the probe ran in this (the server's) process
    assert sample["probe_pid"] == os.getpid()
    assert [g["name"] for g in sample["gpus"]] == ["Tesla T4"]
    assert sample["gpus"][0]["memory_used_bytes"] == 5254 * 1024 * 1024
    assert sample["host"]["cpu_count"] == os.cpu_count()
    assert sample["kernels"] == {}


async def test_a_kernel_of_the_server_is_found_by_its_id(jp_fetch, jp_serverapp):
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({}))
    kernel_id = json.loads(response.body)["id"]
    try:
        pid = jp_serverapp.kernel_manager.get_kernel(kernel_id).provisioner.pid
        sample = await post_sample(jp_fetch, {"kernel_ids": [kernel_id],
                                              "gpu_source": "nvidia-smi",
                                              "nvidia_smi": str(FAKE_SMI)})
        assert sample["kernels"][kernel_id]["pid"] == pid
        assert pid in sample["kernels"][kernel_id]["pids"]
    finally:
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")


async def test_sampling_is_not_activity(jp_fetch, jp_serverapp):
    settings = jp_serverapp.web_app.settings
    settings.pop("api_last_activity", None)
    await post_sample(jp_fetch, {})
    assert "api_last_activity" not in settings
    # an API request that counts does set it: the check above can fail
    await jp_fetch("api", "contents")
    assert "api_last_activity" in settings


async def test_the_event_loop_is_not_held_while_nvidia_smi_hangs(jp_fetch, monkeypatch):
    monkeypatch.setenv("FAKE_NVIDIA_SMI_SLEEP", "1.5")
    done = []

    async def sample():
        await post_sample(jp_fetch, {"gpu_source": "nvidia-smi", "nvidia_smi": str(FAKE_SMI)})
        done.append("sample")

    async def status():
        await asyncio.sleep(0.2)
        await jp_fetch("api", "status")
        done.append("status")

    await asyncio.gather(sample(), status())
    assert done == ["status", "sample"]


@pytest.mark.parametrize("body, words", [
    ("not json", "not JSON"),
    ("[1, 2]", "JSON object"),
    (b"\xff\xfe", "not JSON"),
    ("{" + " " * (64 * 1024) + "}", "larger than"),
])
async def test_a_bad_request_is_refused_with_the_reason(jp_fetch, body, words):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(*ROUTE, method="POST", body=body)
    assert err.value.code == 400
    assert words in json.loads(err.value.response.body)["message"]
    # and the next sample is taken as usual
    assert (await post_sample(jp_fetch, {}))["schema_version"] == 1


async def test_unknown_and_null_arguments_are_left_out(jp_fetch):
    # root and self_kernel_id are the server's to decide; null is the default
    sample = await post_sample(jp_fetch, {"root": "/nonexistent", "self_kernel_id": "x",
                                          "disks": None, "extra": 1})
    assert sample["error"] is None
    assert sample["host"]["cpu_count"] == os.cpu_count()
