"""jupyterlab-gpu-session: GPU, memory, disk and session-lifetime view for JupyterLab."""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only before the first build
    import warnings

    warnings.warn("Importing 'jupyterlab_gpu_session' outside a proper installation.")
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-gpu-session"}]
