"""The subshell transport against a real ipykernel 7 kernel.

The front end (src/monitor/subshell.ts) creates one subshell in the
notebook's kernel and sends it silent execute requests whose user
expressions load the probe and call it. These tests send the very same
requests (the expressions are built by ``expressions.py``, pinned to the
TypeScript builders by tests/fixtures/frontend-expressions.json) through
jupyter_client and check what the user of the notebook could notice.
"""

import json
import time

import pytest

from expressions import (SAMPLE_REPLY, SAMPLE_REQUEST, SERVED_EXPRESSION, call_expression,
                         decode_sample, loader_expression)
from conftest import FAKES, OWN_FIXTURES, PROBE, base_env

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

TIMEOUT = 60


class Kernel:
    """One real kernel and a blocking client that sorts replies by parent."""

    def __init__(self):
        env = base_env(
            PATH=f"{FAKES}:{base_env()['PATH']}",
            FAKE_NVIDIA_SMI_REPLAY=OWN_FIXTURES / "tesla-t4-query-gpu.csv",
            FAKE_NVIDIA_SMI_APPS=OWN_FIXTURES / "tesla-t4-query-compute-apps.csv",
        )
        self.km = jupyter_client.KernelManager(kernel_name="python3")
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
        msg_id = self.silent({"load": loader_expression(PROBE.read_text()),
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


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.close()


# What a user can see of the kernel's state, printed by a normal cell that
# leaves `_` and `Out` alone (it prints rather than returns). The cell
# itself adds one execution, one In entry and one history entry.
STATE = """\
import json as _gs_json
_gs_ip = get_ipython()
print(_gs_json.dumps({
    "names": sorted(k for k in _gs_ip.user_ns if not k.startswith('_')),
    "who_ls": _gs_ip.run_line_magic('who_ls', ''),
    "underscores": [repr(_), repr(__), repr(___)],
    "out": sorted(Out),
    "in_len": len(In),
    "history": len(_gs_ip.history_manager.input_hist_raw),
    "last": getattr(getattr(_gs_ip.last_execution_result, 'info', None), 'raw_cell', None),
    "modules": sorted(k for k in __import__('sys').modules if 'gpu_session' in k),
}))
del _gs_json, _gs_ip"""


def snapshot(kernel):
    reply, messages = kernel.run(STATE)
    assert reply["content"]["status"] == "ok", reply["content"]
    text = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    return reply["content"]["execution_count"], json.loads(text)


def test_probe_in_a_subshell_leaves_the_user_nothing_to_see(kernel):
    kernel.run("a = 1")
    kernel.run("a + 1")
    kernel.run("'second'")
    kernel.run("a + 2")
    subshell = kernel.create_subshell()
    ours = [kernel.load_probe(subshell)]
    kernel.drain_iopub(until_idle_of=ours)
    count_before, before = snapshot(kernel)
    assert before["underscores"] == ["3", "'second'", "2"]
    assert before["who_ls"] == ["a"]

    samples = []
    for _ in range(5):
        msg_id, reply, sample = kernel.sample(subshell, self_kernel_id=kernel.km.kernel_id)
        samples.append(msg_id)
        assert isinstance(sample.get("gpus"), list), sample
        assert sample["probe_pid"] == kernel.km.provisioner.pid
    # Only the samples: the loader's idle was drained above, and waiting for
    # it again would sit out the whole timeout.
    kernel.drain_iopub(until_idle_of=samples)
    ours += samples

    count_after, after = snapshot(kernel)
    # Only the second snapshot cell ran in between.
    assert count_after == count_before + 1
    assert after["in_len"] == before["in_len"] + 1
    assert after["history"] == before["history"] + 1
    # IPython's last execution result is the snapshot cell, not a sample.
    assert after["last"] == STATE
    for key in ("names", "who_ls", "underscores", "out", "modules"):
        assert after[key] == before[key], key
    # The module is loaded under sys.modules and nowhere else.
    assert after["modules"] == ["_jupyterlab_gpu_session_probe"]

    # Nothing on IOPub for our requests but busy/idle.
    own = [m for m in kernel.iopub if m["parent_header"].get("msg_id") in ours]
    assert own, "ipykernel publishes busy/idle for subshell requests"
    assert {m["msg_type"] for m in own} == {"status"}, [m["msg_type"] for m in own]

    # No entry in the history the front end can ask for.
    hist = kernel.kc.history(hist_access_type="tail", n=1000, output=False, raw=True, reply=True, timeout=TIMEOUT)
    sources = [entry[2] for entry in hist["content"]["history"]]
    assert sources and not any("b64decode" in s for s in sources), sources


def test_debugger_variables_do_not_list_the_probe(kernel):
    subshell = kernel.create_subshell()
    kernel.load_probe(subshell)
    kernel.sample(subshell, self_kernel_id=kernel.km.kernel_id)
    reply = kernel.control("debug_request", {
        "type": "request", "seq": 1, "command": "inspectVariables", "arguments": {},
    })
    content = reply["content"]
    assert content.get("success") is True, content
    names = {v["name"] for v in content["body"]["variables"]}
    assert "a" in names  # the user's variable from the test above
    leaked = {n for n in names if "gpu_session" in n or n in ("module", "code", "base64", "types")}
    assert not leaked, leaked


def test_post_execute_hooks_of_the_user_do_not_run_for_samples(kernel):
    """matplotlib's inline backend flushes figures on post_execute: a
    sample must not run the user's hooks (from another thread, mid-cell)."""
    kernel.run(
        "_gs_hooks = []\n"
        "get_ipython().events.register('post_execute', lambda: _gs_hooks.append('post'))\n"
        "get_ipython().events.register('pre_execute', lambda: _gs_hooks.append('pre'))"
    )
    _, before = kernel.result_of("len(_gs_hooks)")
    subshell = kernel.create_subshell()
    kernel.load_probe(subshell)
    _, loaded = kernel.result_of("len(_gs_hooks)")
    # Each reading cell runs pre and post itself; loading (a silent
    # execute) runs post once (the cost documented in docs/lifecycle.md).
    assert int(loaded) == int(before) + 2 + 1
    for _ in range(3):
        kernel.sample(subshell)
    _, after = kernel.result_of("len(_gs_hooks)")
    assert int(after) == int(loaded) + 2


# The main shell's cell runs until the test says stop (a flag file), so
# that "answered while the cell runs" is an order, never a race with a
# fixed sleep on a loaded machine.
BUSY_CELLS = {
    "sleeping": "import os, time\nwhile not os.path.exists({flag!r}):\n    time.sleep(0.5)",
    "pure-python loop": "import os\nwhile not os.path.exists({flag!r}):\n    sum(range(100000))",
}


@pytest.mark.parametrize("busy", sorted(BUSY_CELLS))
def test_subshell_answers_while_the_main_shell_runs_a_cell(kernel, busy, tmp_path, record_property):
    flag = tmp_path / "stop"
    subshell = kernel.create_subshell()
    kernel.load_probe(subshell)
    main = kernel.send_shell("execute_request", {
        "code": BUSY_CELLS[busy].format(flag=str(flag)), "silent": False, "store_history": True,
        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
    })
    times = []
    for _ in range(5):
        start = time.monotonic()
        _, reply, sample = kernel.sample(subshell, self_kernel_id=kernel.km.kernel_id)
        times.append(round((reply["received"] - start) * 1000, 1))
        assert sample.get("gpus") is not None
    flag.write_text("")
    main_reply = kernel.shell_reply(main)
    assert main_reply["content"]["status"] == "ok"
    # The cell could not end before the flag: all five samples were
    # answered while it ran.
    record_property("subshell_reply_ms_while_busy", times)
    print(f"subshell replies while the main shell is {busy}: {times} ms")


def test_the_execute_path_also_leaves_the_count_alone(kernel):
    """Kernels without ipykernel's shell handlers get silent executes."""
    subshell = kernel.create_subshell()
    kernel.load_probe(subshell)
    reply, _ = kernel.run("1")
    count = reply["content"]["execution_count"]
    _, reply, sample = kernel.sample_by_execute(subshell, self_kernel_id=kernel.km.kernel_id)
    assert reply["content"]["execution_count"] == count
    assert isinstance(sample["gpus"], list)
    reply, _ = kernel.run("2")
    assert reply["content"]["execution_count"] == count + 1


def test_a_monitor_kernel_is_sampled_by_handler_on_its_main_shell(kernel):
    """The monitor kernel (transport.ts) loads the probe the same way and
    sends SAMPLE_REQUEST without a subshell: no cell runs there either."""
    kernel.load_probe(None)
    reply, _ = kernel.run("1")
    count = reply["content"]["execution_count"]
    msg_id, reply, sample = kernel.sample(None)
    assert isinstance(sample["gpus"], list) and sample["host"]["memory_total_bytes"] > 0
    kernel.drain_iopub(until_idle_of=[msg_id])
    own = [m for m in kernel.iopub if m["parent_header"].get("msg_id") == msg_id]
    # Busy and idle, under our own parent type, which the server does not
    # track (handlers.py): the kernel's execution_state is left alone.
    assert [m["content"]["execution_state"] for m in own] == ["busy", "idle"]
    assert {m["parent_header"]["msg_type"] for m in own} == {SAMPLE_REQUEST}
    reply, _ = kernel.run("2")
    assert reply["content"]["execution_count"] == count + 1
