"""Jupyter server configuration for the browser tests (galata).

Never use it for anything else: it turns off authentication.
"""
import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.port = int(os.environ.get("GALATA_PORT", "8899"))  # noqa: F821
# CI and the development machines run as root.
c.ServerApp.allow_root = True  # noqa: F821
# The tests write notebooks here; it is wiped by the test command.
root = Path(os.environ.get("JUPYTERLAB_GALATA_ROOT_DIR", Path(__file__).parent / ".tmp" / "root"))
root.mkdir(parents=True, exist_ok=True)
c.ServerApp.root_dir = str(root)  # noqa: F821
# A second configuration of the same server under a JupyterHub-like prefix
# (playwright.baseurl.config.js sets it).
base_url = os.environ.get("GALATA_BASE_URL")
if base_url:
    c.ServerApp.base_url = base_url  # noqa: F821
# The same configuration runs the front end without the extension's server
# part (GET gpu-session/limits answers 404).
if os.environ.get("GALATA_GPU_SESSION_SERVER") == "off":
    c.ServerApp.jpserver_extensions.update({"jupyterlab_gpu_session": False})  # noqa: F821
# The fake non-Python kernelspec (tests/fakes/jupyter) must not become the
# default for new notebooks...
c.MappingKernelManager.default_kernel_name = "python3"  # noqa: F821
# ...except on a server that has no Python kernelspec at all
# (playwright.nopython.config.js): there it is the only one.
if os.environ.get("GALATA_NO_PYTHON_KERNEL") == "1":
    c.KernelSpecManager.ensure_native_kernel = False  # noqa: F821
    c.KernelSpecManager.allowed_kernelspecs = {"fakelang"}  # noqa: F821
    c.MappingKernelManager.default_kernel_name = "fakelang"  # noqa: F821
