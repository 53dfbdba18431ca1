"""A jupyter_client client for one real kernel that sends what the front end sends.

Used by tests/test_subshell.py and by bench/subshell_roundtrip.py and
bench/real_gpu.py, so it needs jupyter_client but not pytest. The sample
request is built the way src/monitor/subshell.ts (a subshell of the
notebook's kernel, SAMPLE_REQUEST) and src/monitor/probeCall.ts (a silent
execute, the monitor kernel's way) build theirs.
"""

import os
import time
import uuid
from pathlib import Path

import jupyter_client
from jupyter_core.paths import jupyter_runtime_dir

from expressions import (SAMPLE_REPLY, SAMPLE_REQUEST, SERVED_EXPRESSION, call_expression,
                         decode_sample, loader_expression)

PROBE = Path(__file__).resolve().parents[1] / "jupyterlab_gpu_session" / "probe.py"
TIMEOUT = 60


class Kernel:
    """One real kernel and a blocking client that sorts replies by parent."""

    def __init__(self, env, probe_source=None):
        """Start a python3 kernel with environment `env`; `probe_source`
        (default: probe.py's text) is what load_probe loads."""
        self.probe_source = probe_source if probe_source is not None else PROBE.read_text()
        # The connection file is named as jupyter_server names it, so the
        # kernel's command line holds its id (the probe finds kernels by it).
        kernel_id = str(uuid.uuid4())
        runtime = jupyter_runtime_dir()
        os.makedirs(runtime, exist_ok=True)
        self.km = jupyter_client.KernelManager(
            kernel_name="python3", kernel_id=kernel_id,
            connection_file=os.path.join(runtime, "kernel-%s.json" % kernel_id))
        self.km.start_kernel(env=env)
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)
        self.iopub = []
        self._shell_replies = {}
        self._control_replies = {}

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    # -- sending ---------------------------------------------------------
    def send_shell(self, msg_type, content, subshell_id=None):
        msg = self.kc.session.msg(msg_type, content)
        if subshell_id is not None:
            msg["header"]["subshell_id"] = subshell_id
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def control(self, msg_type, content):
        msg = self.kc.session.msg(msg_type, content)
        self.kc.control_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        while msg_id not in self._control_replies:
            reply = self.kc.control_channel.get_msg(timeout=TIMEOUT)
            self._control_replies[reply["parent_header"].get("msg_id")] = reply
        return self._control_replies.pop(msg_id)

    def shell_reply(self, msg_id):
        while msg_id not in self._shell_replies:
            reply = self.kc.shell_channel.get_msg(timeout=TIMEOUT)
            reply["received"] = time.monotonic()
            self._shell_replies[reply["parent_header"].get("msg_id")] = reply
        return self._shell_replies.pop(msg_id)

    def drain_iopub(self, until_idle_of=()):
        """Collect IOPub messages until every id in `until_idle_of` is idle."""
        waiting = set(until_idle_of)
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                msg = self.kc.iopub_channel.get_msg(timeout=0.2 if not waiting else 5)
            except Exception:
                if not waiting:
                    return
                # A request that never goes idle is a failure, not a wait.
                assert time.monotonic() < deadline, f"never idle: {sorted(waiting)}"
                continue
            self.iopub.append(msg)
            parent = msg["parent_header"].get("msg_id")
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                waiting.discard(parent)

    # -- what the front end does -----------------------------------------
    def create_subshell(self):
        reply = self.control("create_subshell_request", {})
        assert reply["content"]["status"] == "ok", reply["content"]
        return reply["content"]["subshell_id"]

    def silent(self, user_expressions, subshell_id=None):
        """The front end's silent execute: empty code, user expressions."""
        content = {
            "code": "",
            "silent": True,
            "store_history": False,
            "allow_stdin": False,
            "stop_on_error": False,
            "user_expressions": user_expressions,
        }
        return self.send_shell("execute_request", content, subshell_id)

    def load_probe(self, subshell_id):
        msg_id = self.silent({"load": loader_expression(self.probe_source),
                              "served": SERVED_EXPRESSION}, subshell_id)
        reply = self.shell_reply(msg_id)
        assert reply["content"]["status"] == "ok", reply["content"]
        expressions = reply["content"]["user_expressions"]
        assert expressions["load"]["status"] == "ok", reply["content"]
        # ipykernel 7 gets our shell handler (kernelCode.ts SAMPLE_REQUEST)
        assert expressions["served"]["data"]["text/plain"] == "True", expressions
        return msg_id

    def sample(self, subshell_id, **request):
        """A sample the way subshell.ts takes it from ipykernel 7."""
        args = {k: v for k, v in sample_request(self.km, **request).items() if v is not None}
        msg_id = self.send_shell(SAMPLE_REQUEST, {"args": args}, subshell_id)
        reply = self.shell_reply(msg_id)
        assert reply["msg_type"] == SAMPLE_REPLY, reply
        assert reply["content"]["status"] == "ok", reply["content"]
        return msg_id, reply, decode_sample(repr(reply["content"]["sample"]))

    def sample_by_execute(self, subshell_id, **request):
        """The fallback for kernels without our handler: a silent execute."""
        msg_id = self.silent({"sample": call_expression(sample_request(self.km, **request))}, subshell_id)
        reply = self.shell_reply(msg_id)
        assert reply["content"]["status"] == "ok", reply["content"]
        result = reply["content"]["user_expressions"]["sample"]
        assert result["status"] == "ok", result
        return msg_id, reply, decode_sample(result["data"]["text/plain"])

    # -- what a user does --------------------------------------------------
    def run(self, code):
        """A normal cell: returns its reply and its IOPub messages."""
        msg_id = self.send_shell("execute_request", {
            "code": code, "silent": False, "store_history": True,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
        })
        reply = self.shell_reply(msg_id)
        self.drain_iopub(until_idle_of=[msg_id])
        return reply, [m for m in self.iopub if m["parent_header"].get("msg_id") == msg_id]

    def result_of(self, code):
        """The text/plain result of a normal cell."""
        reply, messages = self.run(code)
        assert reply["content"]["status"] == "ok", reply["content"]
        results = [m for m in messages if m["msg_type"] == "execute_result"]
        return reply, results[-1]["content"]["data"]["text/plain"] if results else None


def sample_request(km, **extra):
    """The request the front end sends, in its key order (protocol.ts)."""
    request = {
        "kernel_ids": [],
        "disks": None,
        "gpu_source": "auto",
        "nvidia_smi": "nvidia-smi",
        "checkpoint_globs": None,
    }
    request.update(extra)
    return request
