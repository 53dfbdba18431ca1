"""A real JupyterHub for the browser tests and the many-users bench.

Never use it for anything else: a shared password, no isolation between
users, everything runs as the hub's own user (root here).

Everything starts on this machine: jupyterhub and jupyterhub-idle-culler
from the worktree's .venv, configurable-http-proxy from ui-tests'
node_modules, single-user servers (jupyterhub-singleuser) from the .venv with
the extension installed and the fake nvidia-smi first on their PATH.

Environment (set by playwright.hub.config.js or bench/hub_users.py):
  GALATA_HUB_PORT        the hub's public port (8920); the hub API, the proxy
                         API and the single-user servers take the next ports
                         up to GALATA_HUB_PORT + 19
  GALATA_HUB_TMP         scratch folder of this run (database, homes, logs,
                         the fake nvidia-smi's replay links)
  GALATA_HUB_USERS       comma-separated user names (alice,bob)
  GALATA_HUB_CULL        "off": no idle culler (the bench); else its timeout
                         in seconds (default 150)
  GALATA_HUB_IDLE_PAUSE  the extension's idlePauseMinutes preset for every
                         user through overrides.json (default 1)
"""
import json
import os
import socket
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VENV_BIN = Path(sys.executable).parent
FAKES = ROOT / "tests" / "fakes"
PROXY = HERE.parent / "node_modules" / ".bin" / "configurable-http-proxy"

PORT = int(os.environ.get("GALATA_HUB_PORT", "8920"))
TMP = Path(os.environ.get("GALATA_HUB_TMP", HERE.parent / ".tmp" / "hub"))
TMP.mkdir(parents=True, exist_ok=True)
USERS = [u for u in os.environ.get("GALATA_HUB_USERS", "alice,bob").split(",") if u]
PASSWORD = "gpu-session-test"
CULL = os.environ.get("GALATA_HUB_CULL", "150")
IDLE_PAUSE = float(os.environ.get("GALATA_HUB_IDLE_PAUSE", "1"))
#: How often a single-user server tells the hub its last activity. The
#: default is 300 s (JUPYTERHUB_ACTIVITY_INTERVAL); shorter here so that the
#: culler proof fits in a few minutes.
ACTIVITY_INTERVAL = int(os.environ.get("GALATA_HUB_ACTIVITY_INTERVAL", "15"))

c = get_config()  # noqa: F821

c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{PORT + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = f"sqlite:///{TMP / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(TMP / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(TMP / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = PASSWORD
c.Authenticator.allowed_users = set(USERS)

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(TMP / "home" / "{username}")
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Admin presets for every user (docs/jupyterhub.md): an overrides.json in a
# settings folder of our own, so the venv's shared one stays untouched.
SETTINGS = TMP / "lab-settings"
SETTINGS.mkdir(parents=True, exist_ok=True)
(SETTINGS / "overrides.json").write_text(json.dumps({
    "jupyterlab-gpu-session:monitor": {"idlePauseMinutes": IDLE_PAUSE},
}, indent=2))
c.Spawner.args = [
    "--allow-root",
    f"--LabApp.app_settings_dir={SETTINGS}",
    # window.jupyterapp, for the tests to open notebooks and run cells
    "--LabApp.expose_app_in_browser=True",
    # Kernel culling stays off (its default): the hub's culler is the one
    # under test.
]
c.Spawner.environment = {
    "PATH": os.pathsep.join([str(FAKES), str(VENV_BIN), os.environ.get("PATH", "")]),
    "FAKE_NVIDIA_SMI_REPLAY": str(TMP / "nvidia-smi-replay"),
    "FAKE_NVIDIA_SMI_APPS": str(TMP / "nvidia-smi-replay-apps"),
    "JUPYTERHUB_ACTIVITY_INTERVAL": str(ACTIVITY_INTERVAL),
}
if CULL != "off":
    # What the admin tells the extension about the culler (docs/jupyterhub.md).
    c.Spawner.environment["GPU_SESSION_HUB_IDLE_TIMEOUT"] = CULL
# The hub pulls the proxy's per-route activity every last_activity_interval
# (300 s by default); see docs/jupyterhub.md for why the tests shorten it.
c.JupyterHub.last_activity_interval = ACTIVITY_INTERVAL

# Single-user servers on ports of this run's range, never a random one.
FIRST_USER_PORT, LAST_USER_PORT = PORT + 3, PORT + 19


# Ports handed to a spawner and not yet given back: two spawns that start
# together must not both find the same port still free.
_GIVEN = set()


def _free_port():
    for port in range(FIRST_USER_PORT, LAST_USER_PORT + 1):
        if port in _GIVEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            _GIVEN.add(port)
            return port
    raise RuntimeError(f"no free port in {FIRST_USER_PORT}-{LAST_USER_PORT}")


def _pre_spawn(spawner):
    spawner.port = _free_port()


def _post_stop(spawner):
    _GIVEN.discard(spawner.port)


c.Spawner.pre_spawn_hook = _pre_spawn
c.Spawner.post_stop_hook = _post_stop

# The tests and the bench read users and servers through the hub's REST API
# with this service's token (test-only, never a secret).
TEST_TOKEN = os.environ.get("GALATA_HUB_TOKEN", "gpu-session-tests-not-a-secret")
c.JupyterHub.services = [{"name": "gpu-session-tests", "api_token": TEST_TOKEN}]
c.JupyterHub.load_roles = [{
    "name": "gpu-session-tests",
    "scopes": ["list:users", "read:users", "read:users:activity", "read:servers"],
    "services": ["gpu-session-tests"],
}]

if CULL != "off":
    c.JupyterHub.services += [{
        "name": "idle-culler",
        "command": [
            sys.executable, "-m", "jupyterhub_idle_culler",
            f"--timeout={CULL}",
            "--cull-every=30",
        ],
    }]
    # The scopes jupyterhub-idle-culler needs on JupyterHub >= 2 (its README).
    c.JupyterHub.load_roles += [{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers",
                   "delete:servers"],
        "services": ["idle-culler"],
    }]
