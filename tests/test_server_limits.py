"""GET {base_url}/gpu-session/limits on a real jupyter_server (pytest-jupyter)."""

import json
import time
from datetime import datetime, timezone

import pytest
from tornado.httpclient import HTTPClientError

import jupyterlab_gpu_session
from jupyterlab_gpu_session.handlers import limits

pytest_plugins = ["pytest_jupyter.jupyter_server"]

ROUTE = ("gpu-session", "limits")


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_gpu_session": True},
            "shutdown_no_activity_timeout": 7200,
        },
        "MappingKernelManager": {
            "cull_idle_timeout": 3600,
            "cull_interval": 120,
            "cull_busy": False,
            "cull_connected": True,
        },
    }


async def get_json(jp_fetch, *parts, **kwargs):
    response = await jp_fetch(*parts, **kwargs)
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body.decode("utf-8"))


async def test_limits_report_the_servers_settings(jp_fetch, jp_serverapp):
    before = time.time()
    body = await get_json(jp_fetch, *ROUTE)
    assert set(body) == {"schema_version", "now", "server_started_at", "last_activity",
                         "kernel_culling", "shutdown_no_activity_timeout_s", "jupyterhub"}
    assert body["schema_version"] == 1
    assert before - 1 <= body["now"] <= time.time() + 1
    assert body["kernel_culling"] == {"cull_idle_timeout_s": 3600, "cull_interval_s": 120,
                                      "cull_busy": False, "cull_connected": True}
    assert body["shutdown_no_activity_timeout_s"] == 7200
    started = jp_serverapp.web_app.settings["started"].timestamp()
    assert body["server_started_at"] == pytest.approx(started, abs=0.01)
    assert body["server_started_at"] <= body["last_activity"] <= body["now"]


async def test_base_url_is_respected(jp_fetch, jp_base_url):
    # jp_fetch prefixes jp_base_url ("/a%40b/"); the route must live under it
    assert jp_base_url != "/"
    body = await get_json(jp_fetch, *ROUTE)
    assert body["schema_version"] == 1


async def test_unauthenticated_request_is_refused(jp_fetch):
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(*ROUTE, headers={"Authorization": ""})
    assert e.value.code in (401, 403)
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(*ROUTE, headers={"Authorization": "token wrong-token"})
    assert e.value.code in (401, 403)


async def test_reading_limits_is_not_activity(jp_fetch, jp_serverapp):
    settings = jp_serverapp.web_app.settings
    # some API activity first, so that the comparison means something
    await jp_fetch("api", "contents")
    status = json.loads((await jp_fetch("api", "status")).body)
    recorded = settings.get("api_last_activity")
    assert recorded is not None
    for _ in range(3):
        await get_json(jp_fetch, *ROUTE)
    assert settings.get("api_last_activity") == recorded
    assert json.loads((await jp_fetch("api", "status")).body)["last_activity"] == \
        status["last_activity"]
    # the handler reports the same last activity /api/status does
    body = await get_json(jp_fetch, *ROUTE)
    reported = datetime.fromisoformat(status["last_activity"].replace("Z", "+00:00"))
    assert body["last_activity"] == pytest.approx(reported.timestamp(), abs=0.01)


async def test_post_is_not_allowed(jp_fetch):
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(*ROUTE, method="POST", body="{}")
    assert e.value.code == 405


def test_extension_points():
    assert jupyterlab_gpu_session._jupyter_server_extension_points() == [
        {"module": "jupyterlab_gpu_session"}]


def test_server_config_enables_the_extension():
    from pathlib import Path
    path = (Path(jupyterlab_gpu_session.__file__).resolve().parents[1]
            / "jupyter-config" / "server-config" / "jupyterlab_gpu_session.json")
    assert json.loads(path.read_text()) == {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_gpu_session": True}}}


class _Km(object):
    cull_idle_timeout = -5
    cull_interval = 0
    cull_interval_default = 300
    cull_busy = True
    cull_connected = False


def test_disabled_and_invalid_values():
    started = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)
    body = limits({"kernel_manager": _Km(), "started": started,
                   "last_activity_times": {}})
    assert body["kernel_culling"] == {"cull_idle_timeout_s": 0, "cull_interval_s": 300,
                                      "cull_busy": True, "cull_connected": False}
    assert body["shutdown_no_activity_timeout_s"] == 0
    assert body["server_started_at"] == started.timestamp()
    assert body["last_activity"] is None
