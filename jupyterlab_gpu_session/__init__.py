"""jupyterlab-gpu-session: GPU, memory, disk and session-lifetime view for JupyterLab."""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only before the first build
    import warnings

    warnings.warn("Importing 'jupyterlab_gpu_session' outside a proper installation.")
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-gpu-session"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_gpu_session"}]


def _load_jupyter_server_extension(server_app):
    """Register ``GET {base_url}/gpu-session/limits`` (see handlers.py) and,
    unless configured off, ``POST {base_url}/gpu-session/sample`` (see
    sampling.py) and TCP_NODELAY on kernel websockets (see nodelay.py)."""
    from .config import GpuSessionServer
    from .handlers import setup_handlers, setup_sampling
    from .nodelay import enable_kernel_websocket_nodelay

    setup_handlers(server_app.web_app)
    server_app.log.info("jupyterlab_gpu_session: registered /gpu-session/limits")
    settings = GpuSessionServer(parent=server_app)
    if settings.sample_in_server:
        setup_sampling(server_app.web_app)
        server_app.log.info("jupyterlab_gpu_session: registered /gpu-session/sample")
    if settings.kernel_websocket_nodelay and enable_kernel_websocket_nodelay():
        server_app.log.info("jupyterlab_gpu_session: TCP_NODELAY on kernel websockets")
