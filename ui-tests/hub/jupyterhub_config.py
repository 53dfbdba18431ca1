"""A real JupyterHub for the browser tests and the many-users bench.

Never use it for anything else: a shared password, no isolation between
users, everything runs as the hub's own user (root here).

Everything starts on this machine: jupyterhub and jupyterhub-idle-culler
from the worktree's .venv, configurable-http-proxy from ui-tests'
node_modules, single-user servers (jupyterhub-singleuser) from the .venv with
the extension installed and the fake nvidia-smi first on their PATH.

Environment (set by playwright.hub.config.js or bench/hub_users.js):
  GALATA_HUB_PORT        the hub's public port (8920); the hub API, the proxy
                         API and the single-user servers take the next ports
                         up to GALATA_HUB_PORT + GALATA_HUB_PORT_COUNT - 1
  GALATA_HUB_PORT_COUNT  how many ports from GALATA_HUB_PORT on (default 20:
                         3 for the hub and proxy, the rest for users)
  GALATA_HUB_TMP         scratch folder of this run (database, homes, logs,
                         the fake nvidia-smi's replay links)
  GALATA_HUB_USERS       comma-separated user names (alice,...,gina)
  GALATA_HUB_CULL        "off": no idle culler (the bench); else its timeout
                         in seconds (default 120)
  GALATA_HUB_IDLE_PAUSE  the extension's idlePauseMinutes preset for every
                         user through overrides.json (default 1)
  GALATA_HUB_WS_PING_USERS  comma-separated users whose servers keep
                         jupyter_server's kernel-websocket ping (every 30 s);
                         everybody else's is off (ws_ping_interval = 0), the
                         setting an admin needs for background tabs to be
                         culled (docs/jupyterhub.md). Default: "frank".
  GALATA_HUB_NO_EXTENSION_USERS  comma-separated users whose JupyterLab runs
                         without this extension (page_config.json
                         disabledExtensions), the controls of the culler
                         scenarios. Default: "carol,dave,erin,frank".
  GALATA_HUB_USER_OVERRIDES  JSON {user: {plugin id: {setting: value}}}
                         merged into that user's overrides.json. Default:
                         gina's hiddenBusyIntervalSeconds = 600.
  JUPYTERLAB_GPU_SESSION_NVML_LIB, FAKE_NVML_*  passed on to the single-user
                         servers when set (the bench's fake NVML library)
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
USERS = [
    u for u in os.environ.get(
        "GALATA_HUB_USERS", "alice,bob,carol,dave,erin,frank,gina").split(",")
    if u
]
PASSWORD = "gpu-session-test"
CULL = os.environ.get("GALATA_HUB_CULL", "120")
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
# settings folder of our own, so the venv's shared one stays untouched. One
# folder per user, for the scenarios' per-user differences.
PRESETS = {"jupyterlab-gpu-session:monitor": {"idlePauseMinutes": IDLE_PAUSE}}
NO_EXTENSION_USERS = set(
    u for u in os.environ.get(
        "GALATA_HUB_NO_EXTENSION_USERS", "carol,dave,erin,frank").split(",")
    if u
)
USER_OVERRIDES = json.loads(os.environ.get(
    "GALATA_HUB_USER_OVERRIDES",
    '{"gina": {"jupyterlab-gpu-session:monitor": '
    '{"hiddenBusyIntervalSeconds": 600}}}'))


def _settings_dir(user):
    """The user's JupyterLab settings folder: overrides.json, page_config.json."""
    folder = TMP / "lab-settings" / user
    folder.mkdir(parents=True, exist_ok=True)
    presets = json.loads(json.dumps(PRESETS))
    for plugin, values in USER_OVERRIDES.get(user, {}).items():
        presets.setdefault(plugin, {}).update(values)
    (folder / "overrides.json").write_text(json.dumps(presets, indent=2))
    page_config = folder / "page_config.json"
    if user in NO_EXTENSION_USERS:
        # JupyterLab loads none of the extension's plugins (the package name
        # disables them all); its server part stays, unused.
        page_config.write_text(json.dumps(
            {"disabledExtensions": ["jupyterlab-gpu-session"]}))
    elif page_config.exists():
        page_config.unlink()
    return folder


#: Users whose servers keep jupyter_server's default kernel-websocket ping.
WS_PING_USERS = set(
    u for u in os.environ.get("GALATA_HUB_WS_PING_USERS", "frank").split(",") if u
)
c.Spawner.args = [
    "--allow-root",
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
for _name, _value in os.environ.items():
    if _name == "JUPYTERLAB_GPU_SESSION_NVML_LIB" or _name.startswith("FAKE_NVML_"):
        c.Spawner.environment[_name] = _value
if CULL != "off":
    # What the admin tells the extension about the culler (docs/jupyterhub.md).
    c.Spawner.environment["GPU_SESSION_HUB_IDLE_TIMEOUT"] = CULL
# The hub pulls the proxy's per-route activity every last_activity_interval
# (300 s by default); see docs/jupyterhub.md for why the tests shorten it.
c.JupyterHub.last_activity_interval = ACTIVITY_INTERVAL

# Single-user servers on ports of this run's range, never a random one.
PORT_COUNT = int(os.environ.get("GALATA_HUB_PORT_COUNT", "20"))
FIRST_USER_PORT, LAST_USER_PORT = PORT + 3, PORT + PORT_COUNT - 1


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


#: jupyter_server pings every kernel websocket every 30 s (ws_ping_interval,
#: jupyter_server/base/websocket.py) and the browser answers each ping with a
#: pong frame; configurable-http-proxy moves a route's last_activity on every
#: chunk the browser sends on a websocket (configproxy.js, handleProxy), so a
#: notebook open in any tab, hidden or not, keeps its server "active" for the
#: hub forever. Turning the ping off is what lets the culler see idleness.
NO_WS_PING = '--ServerApp.tornado_settings={"ws_ping_interval": 0}'


def _pre_spawn(spawner):
    spawner.port = _free_port()
    user = spawner.user.name
    args = list(c.Spawner.args) + [
        f"--LabApp.app_settings_dir={_settings_dir(user)}"]
    if user not in WS_PING_USERS:
        args.append(NO_WS_PING)
    spawner.args = args


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
    # access:servers: the tests ask each single-user server directly (not
    # through the proxy, which would count the request as activity) for its
    # own last_activity (/api/status) and its kernels' (/api/kernels).
    "scopes": ["list:users", "read:users", "read:users:activity", "read:servers",
               "access:servers"],
    "services": ["gpu-session-tests"],
}]
# The proxy's REST API (GET /api/routes: each route's last_activity as the
# proxy sees it), with a token the tests know (test-only, never a secret).
c.ConfigurableHTTPProxy.auth_token = os.environ.get(
    "GALATA_HUB_PROXY_TOKEN", "gpu-session-proxy-not-a-secret")

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
