"""The server part's sampler: ``POST {base_url}/gpu-session/sample``.

Where no notebook kernel with subshells can take a sample (no notebook
open, or a kernel without subshells), the front end would otherwise start a
whole monitor kernel (about 60 MB) and send every sample through ZMQ and
the kernel websocket, where the kernel publishes a busy and an idle status
around each one. On a shared node that relaying is most of what monitoring
costs a user. The server already runs on the kernels' machine, so it can
run the same probe itself: one HTTP request a sample, no kernel.

The probe runs in one worker thread, so the server's event loop never
waits on it (an nvidia-smi call may take seconds) and two samples never
share the probe's cached state at once. The probe module is imported on
the first request, not at server start.

Not where kernels run behind a gateway: there the server's machine is not
the kernels' (409, and the front end uses the notebook kernel's subshell or
a monitor kernel on the gateway). Admins turn it off with
``c.GpuSessionServer.sample_in_server = False`` (404, as if absent).

Sampling never counts as activity (``_track_activity = False``): an open
sidebar must not keep an idle server from being culled.
"""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from jupyter_server.base.handlers import APIHandler
from tornado import web

from .remote import kernels_remote

try:  # jupyter_server >= 2.0
    from jupyter_server.auth.decorator import authorized
except ImportError:  # pragma: no cover - older servers: authentication only
    def authorized(method):
        return method

# The probe's arguments a page may set. ``root`` stays "/" and
# ``self_kernel_id`` has no meaning here: the server is no kernel.
ALLOWED_ARGS = ("kernel_ids", "disks", "gpu_source", "nvidia_smi",
                "checkpoint_globs", "checkpoint_request")

# A request body is a few hundred bytes; anything far larger is not ours.
MAX_BODY_BYTES = 64 * 1024


class Sampler:
    """Runs the probe in one worker thread of the server process."""

    def __init__(self):
        self._executor = None
        self._probe = None

    def _sample_json(self, args):
        if self._probe is None:
            from . import probe
            self._probe = probe
        # sample_json never raises: a failed section is in the sample's
        # "error", a failed sample is a sample that says why.
        return self._probe.sample_json(**args)

    async def sample(self, args):
        """One sample as the probe's JSON text."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="gpu-session-probe")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._sample_json, args)


def read_args(body):
    """The probe's keyword arguments from a request body, or ValueError."""
    if len(body) > MAX_BODY_BYTES:
        raise ValueError("the request body is larger than %d bytes" % MAX_BODY_BYTES)
    try:
        value = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError("the request body is not JSON: %s" % e)
    if not isinstance(value, dict):
        raise ValueError("the request body must be a JSON object")
    return {k: v for k, v in value.items() if k in ALLOWED_ARGS and v is not None}


class SampleHandler(APIHandler):
    """One probe sample of this server's machine."""

    # The probe runs the nvidia-smi the page names and writes checkpoint
    # requests: what someone allowed to run code in kernels may do anyway,
    # so it takes the same permission as starting a kernel.
    auth_resource = "kernels"
    # APIHandler.finish() records "api_last_activity" unless this is False.
    _track_activity = False

    def initialize(self, sampler):
        self.sampler = sampler

    @web.authenticated
    @authorized
    async def post(self):
        km = self.settings.get("kernel_manager")
        if kernels_remote(km) is not None:
            self.set_status(409)
            self.finish(json.dumps({"message": (
                "Kernels run behind a gateway, on another machine: this "
                "server's own numbers would not be theirs.")}))
            return
        try:
            args = read_args(self.request.body or b"")
        except ValueError as e:
            self.set_status(400)
            self.finish(json.dumps({"message": str(e)}))
            return
        text = await self.sampler.sample(args)
        self.set_header("Content-Type", "application/json")
        self.finish(text)
