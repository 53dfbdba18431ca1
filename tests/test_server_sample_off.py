"""c.GpuSessionServer.sample_in_server = False: no sampling route at all."""

import pytest
from tornado.httpclient import HTTPClientError

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_gpu_session": True}},
        "GpuSessionServer": {"sample_in_server": False},
    }


async def test_sampling_turned_off_answers_404_and_limits_still_work(jp_fetch):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("gpu-session", "sample", method="POST", body="{}")
    assert err.value.code == 404
    response = await jp_fetch("gpu-session", "limits")
    assert response.code == 200
