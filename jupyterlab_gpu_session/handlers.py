"""The server part: ``GET {base_url}/gpu-session/limits``.

What the Jupyter server itself will do to an idle session: kernel culling
and the server's own shutdown when nothing happens. The session-lifetime
countdown in the front end combines this with the platform the probe
detected (docs/platforms.md).

Reading it must never count as activity: the front end polls it, and a poll
that kept an idle server alive would defeat the culling it reports.
"""

import json
import time

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .hub import hub_limits
from .remote import kernels_remote
from .sampling import Sampler, SampleHandler

try:  # jupyter_server >= 2.0
    from jupyter_server.auth.decorator import authorized
except ImportError:  # pragma: no cover - older servers: authentication only
    def authorized(method):
        return method

LIMITS_SCHEMA_VERSION = 1


def _timestamp(value):
    """A datetime (jupyter_server keeps UTC-aware ones) as unix seconds."""
    if value is None:
        return None
    try:
        return round(value.timestamp(), 3)
    except (AttributeError, OverflowError, ValueError, OSError):
        return None


def _seconds(value):
    """A timeout in seconds; 0 (disabled) for anything not positive."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return value if value > 0 else 0


def _cull_interval(km):
    # the kernel manager replaces a non-positive interval by its default
    # when it starts the culler (MappingKernelManager.initialize_culler)
    value = _seconds(getattr(km, "cull_interval", 0))
    return value or _seconds(getattr(km, "cull_interval_default", 300))


class LimitsHandler(APIHandler):
    """Kernel culling and idle-shutdown settings of this server, read-only."""

    # The same kind of information as /api/status (start, last activity)
    # plus configuration; an authorizer that lets a user read the server's
    # status lets them read this too.
    auth_resource = "api"
    # APIHandler.finish() records "api_last_activity" unless this is False;
    # /api/status does the same.
    _track_activity = False

    @web.authenticated
    @authorized
    def get(self):
        self.finish(json.dumps(limits(self.settings, self.application)))


def limits(settings, application=None):
    """The response body as a dict (see docs/platforms.md)."""
    km = settings.get("kernel_manager")
    serverapp = settings.get("serverapp")
    last = None
    if application is not None and hasattr(application, "last_activity"):
        try:
            last = application.last_activity()
        except Exception:  # a source missing in an embedded server
            last = None
    if last is None:
        times = list((settings.get("last_activity_times") or {}).values())
        last = max(times) if times else None
    body = {
        "schema_version": LIMITS_SCHEMA_VERSION,
        "now": round(time.time(), 3),
        "server_started_at": _timestamp(settings.get("started")),
        "last_activity": _timestamp(last),
        "kernel_culling": {
            "cull_idle_timeout_s": _seconds(getattr(km, "cull_idle_timeout", 0)),
            "cull_interval_s": _cull_interval(km),
            "cull_busy": bool(getattr(km, "cull_busy", False)),
            "cull_connected": bool(getattr(km, "cull_connected", False)),
        },
        "shutdown_no_activity_timeout_s": _seconds(
            getattr(serverapp, "shutdown_no_activity_timeout", 0)),
        # the hub's culling as its admin describes it (hub.py); null off a hub
        "jupyterhub": hub_limits(serverapp),
    }
    # only where kernels are remote, so older readers see the same answer
    remote = kernels_remote(km)
    if remote is not None:
        body["kernels_remote"] = remote
    return body


# Requests of the front end's subshell transport (src/monitor/kernelCode.ts
# SAMPLE_REQUEST) and the subshell control requests: their busy/idle must
# not set a kernel's execution_state or last_activity (a sample answered
# while a cell runs would make a busy kernel look idle to the culler).
UNTRACKED = ("jupyterlab_gpu_session_sample_request", "create_subshell_request",
             "delete_subshell_request", "list_subshell_request")


def setup_handlers(web_app):
    km = web_app.settings.get("kernel_manager")
    if km is not None and hasattr(km, "untracked_message_types"):
        km.untracked_message_types = list(km.untracked_message_types) + [
            t for t in UNTRACKED if t not in km.untracked_message_types]
    base_url = web_app.settings.get("base_url", "/")
    route = url_path_join(base_url, "gpu-session", "limits")
    web_app.add_handlers(".*$", [(route, LimitsHandler)])


def setup_sampling(web_app):
    """Register ``POST {base_url}/gpu-session/sample`` (sampling.py)."""
    base_url = web_app.settings.get("base_url", "/")
    route = url_path_join(base_url, "gpu-session", "sample")
    web_app.add_handlers(".*$", [(route, SampleHandler, {"sampler": Sampler()})])
