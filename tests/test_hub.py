"""The JupyterHub part of GET {base_url}/gpu-session/limits (hub.py)."""

import json

import pytest

from jupyterlab_gpu_session.hub import hub_limits

pytest_plugins = ["pytest_jupyter.jupyter_server"]

ROUTE = ("gpu-session", "limits")
HUB_ENV = {"JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api",
           "JUPYTERHUB_USER": "alice"}


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_gpu_session": True}},
        "GpuSessionHub": {"max_age_seconds": 28800},
    }


async def get_json(jp_fetch):
    response = await jp_fetch(*ROUTE)
    assert response.code == 200
    return json.loads(response.body.decode("utf-8"))


async def test_config_and_environment_reach_the_answer(jp_fetch, monkeypatch):
    for name, value in HUB_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GPU_SESSION_HUB_IDLE_TIMEOUT", "3600")
    monkeypatch.setenv("GPU_SESSION_HUB_MAX_AGE", "60")  # config wins
    monkeypatch.setenv("JUPYTERHUB_ACTIVITY_INTERVAL", "120")
    body = await get_json(jp_fetch)
    assert body["jupyterhub"] == {
        "user": "alice",
        "server_name": "",
        "idle_timeout_s": {"value": 3600, "source": "environment",
                           "detail": "GPU_SESSION_HUB_IDLE_TIMEOUT"},
        "max_age_s": {"value": 28800, "source": "config",
                      "detail": "c.GpuSessionHub.max_age_seconds"},
        "activity_interval_s": 120,
    }


async def test_off_a_hub_with_nothing_said_it_is_null(jp_fetch, monkeypatch):
    for name in list(HUB_ENV) + ["JUPYTERHUB_SERVICE_PREFIX"]:
        monkeypatch.delenv(name, raising=False)
    assert hub_limits(None, environ={}) is None


def test_under_a_hub_with_nothing_said_the_numbers_are_unknown():
    answer = hub_limits(None, environ=dict(HUB_ENV))
    assert answer["user"] == "alice"
    assert answer["idle_timeout_s"] is None
    assert answer["max_age_s"] is None
    assert answer["activity_interval_s"] == 300


@pytest.mark.parametrize("raw", ["0", "-5", "", "  ", "nan", "inf"])
def test_off_or_empty_values_are_not_set(raw):
    env = dict(HUB_ENV, GPU_SESSION_HUB_IDLE_TIMEOUT=raw)
    assert hub_limits(None, environ=env)["idle_timeout_s"] is None


def test_a_malformed_variable_is_reported_not_guessed():
    env = dict(HUB_ENV, GPU_SESSION_HUB_MAX_AGE="8h")
    assert hub_limits(None, environ=env)["max_age_s"] == {
        "value": None, "source": "environment",
        "detail": "GPU_SESSION_HUB_MAX_AGE is not a number: '8h'"}


def test_fractions_are_kept():
    env = dict(HUB_ENV, GPU_SESSION_HUB_IDLE_TIMEOUT="90.5")
    assert hub_limits(None, environ=env)["idle_timeout_s"]["value"] == 90.5
