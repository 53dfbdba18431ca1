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

from conftest import FAKES, OWN_FIXTURES, base_env

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

from kernel_client import TIMEOUT, Kernel  # noqa: E402  (needs jupyter_client)
from expressions import SAMPLE_REQUEST  # noqa: E402


def fake_smi_env():
    """The kernel's environment: the fake nvidia-smi replaying a T4."""
    return base_env(
        PATH=f"{FAKES}:{base_env()['PATH']}",
        FAKE_NVIDIA_SMI_REPLAY=OWN_FIXTURES / "tesla-t4-query-gpu.csv",
        FAKE_NVIDIA_SMI_APPS=OWN_FIXTURES / "tesla-t4-query-compute-apps.csv",
    )


@pytest.fixture(scope="module")
def kernel():
    k = Kernel(fake_smi_env())
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
