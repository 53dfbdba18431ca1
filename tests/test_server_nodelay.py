"""TCP_NODELAY on kernel websockets, on a real jupyter_server (pytest-jupyter).

The effect (a round trip of ~5 ms instead of ~47 ms) is measured in
bench/; here: the server-side socket of a kernel websocket has the option.
"""
import gc
import json
import socket

import pytest

from jupyterlab_gpu_session.nodelay import enable_kernel_websocket_nodelay

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyterlab_gpu_session": True}}}


def _server_side_sockets():
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    handlers = [o for o in gc.get_objects() if isinstance(o, KernelWebsocketHandler)]
    return [
        h.ws_connection.stream.socket
        for h in handlers
        if h.ws_connection is not None and h.ws_connection.stream.socket is not None
    ]


async def test_kernel_websockets_get_tcp_nodelay(jp_fetch, jp_ws_fetch, jp_serverapp):
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"}))
    kernel_id = json.loads(response.body.decode())["id"]
    ws = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    try:
        sockets = _server_side_sockets()
        assert sockets, "no open kernel websocket found on the server side"
        for sock in sockets:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        ws.close()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")


def test_enabling_twice_wraps_once():
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    assert enable_kernel_websocket_nodelay()
    wrapped = KernelWebsocketHandler.open
    assert enable_kernel_websocket_nodelay()
    assert KernelWebsocketHandler.open is wrapped
