"""GET /gpu-session/limits on a server whose kernels run behind a gateway."""

import json

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

GATEWAY = "http://127.0.0.1:1"


@pytest.fixture(autouse=True)
def _forget_the_gateway():
    # GatewayClient is a process-wide singleton: a server of an earlier test
    # left one without a URL (this server would reuse it), and later servers
    # would otherwise send their kernels to this gateway
    from jupyter_server.gateway.gateway_client import GatewayClient
    GatewayClient.clear_instance()
    yield
    GatewayClient.clear_instance()


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_gpu_session": True}},
        "GatewayClient": {"url": GATEWAY},
    }


async def test_limits_say_kernels_are_remote_without_the_url(jp_fetch, jp_serverapp):
    from jupyter_server.gateway.managers import GatewayMappingKernelManager

    assert isinstance(jp_serverapp.kernel_manager, GatewayMappingKernelManager)
    response = await jp_fetch("gpu-session", "limits")
    body = json.loads(response.body)
    assert body["kernels_remote"] == {
        "gateway": True,
        "note": "kernels run behind a gateway; kernel culling is the gateway's"}
    assert "127.0.0.1:1" not in response.body.decode("utf-8")


async def test_no_sample_from_a_server_whose_kernels_are_elsewhere(jp_fetch):
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("gpu-session", "sample", method="POST", body="{}")
    assert err.value.code == 409
    assert "gateway" in json.loads(err.value.response.body)["message"]
