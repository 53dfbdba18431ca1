"""What the JupyterHub admin tells the extension about the hub's culling.

The single-user server cannot ask the hub how jupyterhub-idle-culler is
configured (the culler is a separate service; its ``--timeout`` and
``--max-age`` are its own command-line options). The admin says it, in one
of two ways, and ``GET /gpu-session/limits`` passes it on with its source:

- server config: ``c.GpuSessionHub.idle_timeout_seconds`` and
  ``c.GpuSessionHub.max_age_seconds`` (a jupyter_server_config file of the
  user image, or ``c.Spawner.args``);
- environment variables the spawner sets: ``GPU_SESSION_HUB_IDLE_TIMEOUT``
  and ``GPU_SESSION_HUB_MAX_AGE`` (``c.Spawner.environment``).

Config wins over the environment when both are set. See docs/jupyterhub.md.
"""
import os

from traitlets import Float
from traitlets.config import Configurable

IDLE_ENV = "GPU_SESSION_HUB_IDLE_TIMEOUT"
MAX_AGE_ENV = "GPU_SESSION_HUB_MAX_AGE"
#: Variables JupyterHub sets for every single-user server it spawns.
_HUB_MARKERS = ("JUPYTERHUB_API_URL", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER")


class GpuSessionHub(Configurable):
    """The hub's culling, as its admin describes it to the extension."""

    idle_timeout_seconds = Float(
        None,
        allow_none=True,
        config=True,
        help=(
            "jupyterhub-idle-culler's --timeout: the hub stops this server after "
            "this many seconds without activity. None: not said here (the "
            f"{IDLE_ENV} environment variable is used when set)."
        ),
    )
    max_age_seconds = Float(
        None,
        allow_none=True,
        config=True,
        help=(
            "jupyterhub-idle-culler's --max-age: the hub stops this server this "
            "many seconds after it started, active or not. None: not said here "
            f"(the {MAX_AGE_ENV} environment variable is used when set)."
        ),
    )


def _sourced(configured, trait, environ, variable):
    """``{value, source, detail}`` for one number, or None when unknown.

    A value that is not a positive number is treated as not set (0 means
    "off" for the culler too); a malformed variable is reported, not guessed.
    """
    if configured is not None:
        if configured > 0:
            return {"value": configured, "source": "config",
                    "detail": "c.GpuSessionHub.%s" % trait}
        return None
    raw = environ.get(variable)
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        return {"value": None, "source": "environment",
                "detail": "%s is not a number: %r" % (variable, raw[:40])}
    if value != value or value <= 0 or value == float("inf"):
        return None
    return {"value": int(value) if value == int(value) else value,
            "source": "environment", "detail": variable}


def hub_limits(parent=None, environ=None):
    """The ``jupyterhub`` part of the limits answer, or None off a hub.

    ``parent`` is the server app (for its config); ``environ`` defaults to
    ``os.environ``.
    """
    environ = os.environ if environ is None else environ
    settings = GpuSessionHub(parent=parent)
    idle = _sourced(settings.idle_timeout_seconds, "idle_timeout_seconds",
                    environ, IDLE_ENV)
    max_age = _sourced(settings.max_age_seconds, "max_age_seconds",
                       environ, MAX_AGE_ENV)
    under_hub = any(environ.get(name) for name in _HUB_MARKERS)
    if not under_hub and idle is None and max_age is None:
        return None
    interval = environ.get("JUPYTERHUB_ACTIVITY_INTERVAL", "")
    return {
        "user": environ.get("JUPYTERHUB_USER") or None,
        "server_name": environ.get("JUPYTERHUB_SERVER_NAME") or "",
        "idle_timeout_s": idle,
        "max_age_s": max_age,
        # How often this server tells the hub its last activity
        # (jupyterhub.singleuser; 300 s unless the spawner says otherwise).
        "activity_interval_s": int(interval) if interval.isdigit() else 300,
    }
