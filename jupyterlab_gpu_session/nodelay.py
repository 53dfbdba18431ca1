"""Send kernel messages to the browser without Nagle's delay.

For one execute request the server writes several small websocket frames
back to back (iopub ``status: busy``, the ``execute_reply``, iopub
``status: idle``). With Nagle's algorithm on, each frame after the first
waits until the previous one is acknowledged, and a Linux receiver that has
nothing to send delays that acknowledgement by up to 40 ms. jupyter_server
does not call tornado's ``set_nodelay(True)`` on its kernel websockets, so
every small reply (a monitor sample, a completion, a widget message) pays
that delay: about 47 ms a round trip here, 5 ms without it
(docs/benchmarks.md, bench/roundtrip_profile.py).

The server part turns it on for every kernel websocket of the server. It
changes no message, only when the operating system sends them; turn it off
with ``c.GpuSessionServer.kernel_websocket_nodelay = False``.
"""
import inspect

_MARK = "_jupyterlab_gpu_session_nodelay"


def enable_kernel_websocket_nodelay():
    """Wrap ``KernelWebsocketHandler.open`` to set TCP_NODELAY; idempotent.

    Returns False when this jupyter_server has no such handler.
    """
    try:
        from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    except ImportError:  # pragma: no cover - jupyter_server < 2
        return False
    if getattr(KernelWebsocketHandler, _MARK, False):
        return True
    original = KernelWebsocketHandler.open

    async def open(self, *args, **kwargs):
        self.set_nodelay(True)
        result = original(self, *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    open.__doc__ = original.__doc__
    KernelWebsocketHandler.open = open
    setattr(KernelWebsocketHandler, _MARK, True)
    return True
