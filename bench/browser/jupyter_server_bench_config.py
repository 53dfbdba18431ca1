"""Jupyter server configuration of the benchmarks (browser and round-trip profile).

The browser tests' configuration (ui-tests/jupyter_server_test_config.py:
galata's settings, no authentication, GALATA_PORT, the root folder from
JUPYTERLAB_GALATA_ROOT_DIR). The extension's server part sets TCP_NODELAY on
kernel websockets (jupyterlab_gpu_session/nodelay.py); BENCH_SERVER_NODELAY=0
turns that off to measure a stock jupyter_server, =1 forces it on even where
the server part is not enabled. Never use it for anything else: it turns off
authentication.
"""
import os
from pathlib import Path

_bench = Path(__file__).resolve().parents[1]
load_subconfig(str(_bench.parent / "ui-tests" / "jupyter_server_test_config.py"))  # noqa: F821

_nodelay = os.environ.get("BENCH_SERVER_NODELAY")
if _nodelay == "0":
    c.GpuSessionServer.kernel_websocket_nodelay = False  # noqa: F821
elif _nodelay == "1":
    from jupyterlab_gpu_session.nodelay import enable_kernel_websocket_nodelay

    enable_kernel_websocket_nodelay()
