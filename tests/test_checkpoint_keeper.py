"""The checkpoint channel end to end: CheckpointKeeper in a real training loop
(a subprocess), requests written by the probe, signals, interrupted saves,
the status record and what the probe reports about it."""

import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FAKES, REPO, Kernel

LOOP = FAKES / "train_loop.py"
HELPER = REPO / "jupyterlab_gpu_session" / "checkpoint.py"
STATUS = ".gpu-session-checkpoint-status.json"
REQUEST = ".gpu-session-checkpoint-request"


class Loop:
    """The training loop in a subprocess, read line by line (no sleeps)."""

    def __init__(self, tmp_path, steps=8, **env):
        self.tmp = tmp_path
        self.dir = tmp_path / "ckpt"
        full_env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore")
        full_env.update({k: str(v) for k, v in env.items()})
        self.proc = subprocess.Popen(
            [sys.executable, str(LOOP), str(self.dir), str(steps)], env=full_env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []

    def wait_for(self, prefix):
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError("the loop ended before %r: %s\n%s" % (
            prefix, self.lines, self.proc.stderr.read()))

    def go(self, step):
        (self.tmp / ("go-%d" % step)).write_text("")

    def finish(self):
        out, err = self.proc.communicate(timeout=120)
        self.lines += [ln.strip() for ln in out.splitlines()]
        return self.proc.returncode, err

    def saved(self):
        return [ln.split(" ", 1)[1] for ln in self.lines if ln.startswith("saved ")]

    def status(self):
        return json.loads((self.dir / STATUS).read_text())


def load(path):
    with open(path, "rb") as f:
        return pickle.load(f)


@pytest.fixture
def loop(tmp_path):
    made = []

    def start(**kwargs):
        made.append(Loop(tmp_path, **kwargs))
        return made[-1]
    yield start
    for one in made:
        if one.proc.poll() is None:
            one.proc.kill()
        one.proc.wait()


def test_a_request_is_saved_at_the_next_step(probe, loop):
    run = loop(TRAIN_PAUSE_AT=5)
    run.wait_for("paused 5")
    loops = probe.checkpoint_loops([str(run.dir / "*.pt")])
    assert [(entry["state"], entry["pending_request"]) for entry in loops] == [("running", None)]
    answer = probe.request_checkpoint([str(run.dir)], "Slurm job 7 ends at 21:42")
    assert answer["directories"] == {str(run.dir): {
        "ok": True, "path": str(run.dir / REQUEST), "error": None}}
    pending = probe.checkpoint_loops([str(run.dir / "*.pt")])[0]["pending_request"]
    assert pending["id"] == answer["id"] and pending["reason"] == "Slurm job 7 ends at 21:42"
    run.go(5)
    assert run.wait_for("saved").startswith("saved " + str(run.dir / "ckpt-"))
    assert run.finish()[0] == 0
    # saved at step 5, the step during which the request came; then no other save
    (path,) = run.saved()
    assert path.endswith("step000000005.pt") and load(path)["step"] == 5
    status = run.status()
    assert status["request"]["id"] == answer["id"] and status["request"]["state"] == "saved"
    assert status["request"]["path"] == path
    save = status["last_save"]
    assert save["path"] == path and save["step"] == 5 and save["trigger"] == "request"
    assert save["request_id"] == answer["id"] and save["bytes"] == os.path.getsize(path)
    assert save["seconds"] >= 0 and save["saved_at"] >= save["started_at"]
    assert save["copy"] is None and status["last_error"] is None
    assert status["pid"] == run.proc.pid and status["stopped_at"] is not None
    assert not (run.dir / REQUEST).exists()
    report = probe.checkpoint_report([str(run.dir / "*.pt")])
    assert report["newest_path"] == path
    (entry,) = report["loops"]
    assert entry["state"] == "stopped" and entry["directory"] == str(run.dir)
    assert entry["last_save"]["path"] == path and entry["pending_request"] is None


def test_sigterm_saves_then_exits(loop):
    run = loop(TRAIN_PAUSE_AT=5)
    run.wait_for("paused 5")
    run.proc.send_signal(signal.SIGTERM)
    run.go(5)
    code, err = run.finish()
    assert code == 143, err
    assert "done" not in " ".join(run.lines)  # maybe_save raised SystemExit after saving
    (path,) = run.dir.glob("*.pt")
    assert load(path)["step"] == 5
    status = run.status()
    assert status["last_save"]["path"] == str(path)
    assert status["stopping"] == "SIGTERM" and status["last_save"]["trigger"] == "SIGTERM"
    assert status["request"]["reason"] == "SIGTERM" and status["request"]["state"] == "saved"


def test_sigusr1_saves_and_training_goes_on(loop):
    run = loop(TRAIN_PAUSE_AT=5)
    run.wait_for("paused 5")
    run.proc.send_signal(signal.SIGUSR1)
    run.go(5)
    assert run.finish()[0] == 0
    assert run.lines[-1] == "done 8"
    (path,) = run.saved()
    assert load(path)["step"] == 5
    assert run.status()["last_save"]["trigger"] == "SIGUSR1"


def test_a_second_sigterm_does_not_wait_for_the_step(tmp_path):
    # signals sent to itself are handled before the next line runs, so the
    # two SIGTERMs cannot be merged into one as two sent from outside could
    script = (
        "import os, signal, sys\n"
        "sys.path.insert(0, %r)\n"
        "from jupyterlab_gpu_session.checkpoint import CheckpointKeeper\n"
        "keeper = CheckpointKeeper(%r)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "print(keeper._signal, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "print('still here', flush=True)\n" % (str(REPO), str(tmp_path / "ckpt")))
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", script],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGTERM and proc.stdout == "SIGTERM\n"
    assert json.loads((tmp_path / "ckpt" / STATUS).read_text())["stopped_at"] is not None


def save_once_then_ask_again(probe, loop, **env):
    """A good checkpoint at step 1, then a request answered at step 3 under `env`."""
    run = loop(TRAIN_PAUSE_AT="1,3", **env)
    run.wait_for("paused 1")
    probe.request_checkpoint(str(run.dir), "first")
    run.go(1)
    first = run.wait_for("saved").split(" ", 1)[1]
    run.wait_for("paused 3")
    answer = probe.request_checkpoint(str(run.dir), "second")
    run.go(3)
    return run, first, answer


def test_a_failed_save_leaves_the_previous_checkpoint(probe, loop):
    run, first, answer = save_once_then_ask_again(probe, loop, TRAIN_FAIL_SAVE_AT=3)
    code, err = run.finish()
    assert code == 1 and "disk full (simulated)" in err
    assert sorted(p.name for p in run.dir.glob("*.pt")) == [Path(first).name]
    assert load(first)["step"] == 1
    assert not [p for p in run.dir.iterdir() if p.name.endswith(".partial")]
    status = run.status()
    assert status["last_save"]["path"] == first
    assert status["last_error"]["message"] == "OSError: disk full (simulated)"
    assert status["request"]["id"] == answer["id"] and status["request"]["state"] == "failed"


def test_a_save_killed_half_way_leaves_the_previous_checkpoint(probe, loop, tmp_path):
    run, first, _ = save_once_then_ask_again(probe, loop, TRAIN_HANG_SAVE_AT=3)
    run.wait_for("half written")
    run.proc.kill()
    run.proc.wait()
    assert [p.name for p in run.dir.glob("*.pt")] == [Path(first).name]
    # the half-written file is hidden (.ckpt-...partial) and never listed
    assert any(p.name.endswith(".partial") for p in run.dir.iterdir())
    # the killed loop's status: it had taken the request; its pid is gone
    entry = probe.checkpoint_loops(str(run.dir / "*.pt"))[0]
    assert entry["state"] == "exited"
    assert entry["request"]["reason"] == "second" and entry["request"]["state"] == "waiting"
    from jupyterlab_gpu_session.checkpoint import CheckpointKeeper
    with CheckpointKeeper(str(run.dir), handle_signals=False, load=load) as keeper:
        state, path = keeper.load_latest()
    assert path == first and state["step"] == 1


def test_a_copy_that_does_not_verify_is_reported_with_why(probe, loop, tmp_path):
    run = loop(TRAIN_PAUSE_AT=2, TRAIN_PERSIST=tmp_path / "drive", TRAIN_BAD_COPY=1)
    run.wait_for("paused 2")
    probe.request_checkpoint(str(run.dir), "copy check")
    run.go(2)
    assert run.finish()[0] == 0
    (path,) = run.saved()
    copy = run.status()["last_save"]["copy"]
    assert copy == {"path": str(tmp_path / "drive" / Path(path).name), "verified": False,
                    "error": "OSError: the copy reads back as garbage (simulated)",
                    "seconds": None}
    assert Path(path).exists()


def test_a_verified_copy(loop, tmp_path):
    run = loop(TRAIN_PAUSE_AT=2, TRAIN_PERSIST=tmp_path / "drive")
    run.wait_for("paused 2")
    run.proc.send_signal(signal.SIGUSR1)
    run.go(2)
    assert run.finish()[0] == 0
    copy = run.status()["last_save"]["copy"]
    assert copy["verified"] is True and copy["error"] is None
    assert load(copy["path"])["step"] == 2


def test_resume_continues_from_the_checkpoint(probe, loop):
    first = loop(TRAIN_PAUSE_AT=4)
    first.wait_for("paused 4")
    first.proc.send_signal(signal.SIGTERM)
    first.go(4)
    assert first.finish()[0] == 143
    second = Loop(first.tmp, steps=6)
    assert second.wait_for("resumed") == "resumed 4"
    assert second.finish()[0] == 0 and second.lines[-1] == "done 6"


# ------------------------------------------------------------------ no loop running


def test_a_request_with_no_loop_is_reported_as_such(probe, tmp_path):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    answer = probe.request_checkpoint([str(folder)], "idle cut-off in 5 min", save_by=123.0)
    assert answer["directories"][str(folder)]["ok"] is True
    (entry,) = probe.checkpoint_loops(str(folder / "*.pt"))
    assert entry["state"] == "none" and entry["pid"] is None
    assert entry["pending_request"] == {"id": answer["id"], "requested_at": answer["requested_at"],
                                        "reason": "idle cut-off in 5 min", "save_by": 123.0}


def test_a_stale_heartbeat_is_reported_as_no_loop_running(probe, tmp_path):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    # a live process (this one) whose loop stopped calling maybe_save an hour ago
    (folder / STATUS).write_text(json.dumps({
        "version": 1, "pid": os.getpid(), "hostname": socket.gethostname(),
        "heartbeat_at": time.time() - 3600, "heartbeat_every_s": 30, "step": 10,
        "step_seconds": 0.5, "stopped_at": None}))
    probe.request_checkpoint(str(folder), "session ends")
    (entry,) = probe.checkpoint_loops(str(folder / "*.pt"))
    assert entry["state"] == "stale" and entry["heartbeat_age_s"] >= 3600
    assert entry["pending_request"]["reason"] == "session ends"


def test_a_loop_whose_process_is_gone_is_reported_exited(probe, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / STATUS).write_text(json.dumps({
        "pid": dead.pid, "hostname": socket.gethostname(), "heartbeat_at": time.time(),
        "stopped_at": None}))
    assert probe.checkpoint_loops(str(folder / "*.pt"))[0]["state"] == "exited"


def test_garbage_status_and_request_files_are_reported(probe, tmp_path):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / STATUS).write_text("{half")
    (folder / REQUEST).write_text("[1, 2]")
    (entry,) = probe.checkpoint_loops(str(folder / "*.pt"))
    assert entry["state"] == "none"
    assert "is not JSON" in entry["error"] and "is not a JSON object" in entry["error"]
    assert entry["pending_request"] == {"id": None, "requested_at": None, "reason": None,
                                        "save_by": None}


def test_loops_are_found_through_double_star_patterns(probe, tmp_path):
    for run in ("a", "b"):
        (tmp_path / "runs" / run).mkdir(parents=True)
        probe.request_checkpoint(str(tmp_path / "runs" / run), "x")
    (tmp_path / "runs" / "c").mkdir()
    loops = probe.checkpoint_loops([str(tmp_path / "runs" / "**" / "*.pt")])
    assert sorted(e["directory"] for e in loops) == [str(tmp_path / "runs" / "a"),
                                                     str(tmp_path / "runs" / "b")]


def test_requests_that_cannot_be_written_say_why(probe, tmp_path):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    answer = probe.request_checkpoint(
        [str(a_file), str(tmp_path / "missing"), "/sys"], "test")["directories"]
    assert answer[str(a_file)] == {"ok": False, "path": None,
                                   "error": "%s is not a folder" % a_file}
    assert answer[str(tmp_path / "missing")]["error"] == (
        "the folder %s does not exist" % (tmp_path / "missing"))
    # sysfs refuses new files even to root: an honest unwritable folder
    assert answer["/sys"]["ok"] is False
    assert answer["/sys"]["error"] in ("no permission to write into /sys",
                                       "/sys is on a read-only file system")


def test_request_b64_never_raises(probe, tmp_path):
    import base64
    decoded = json.loads(base64.b64decode(probe.request_checkpoint_b64(
        [str(tmp_path)], "via b64", save_by=None, request_id="r-1")))
    assert decoded["id"] == "r-1" and decoded["directories"][str(tmp_path)]["ok"] is True
    assert json.loads((tmp_path / REQUEST).read_text())["id"] == "r-1"


# ------------------------------------------------------------------ the helper on its own


class FakeTime:
    """The keeper's interval clock, and time.time/monotonic for save_by."""

    def __init__(self, monkeypatch, module):
        self.now = 1000.0
        monkeypatch.setattr(module.time, "time", lambda: self.now)
        monkeypatch.setattr(module.time, "monotonic", lambda: self.now)


def test_save_by_saves_now_and_again_at_the_last_step_that_fits(tmp_path, monkeypatch):
    import jupyterlab_gpu_session.checkpoint as helper
    clock = FakeTime(monkeypatch, helper)
    keeper = helper.CheckpointKeeper(str(tmp_path), clock=lambda: clock.now, check_seconds=0,
                                     handle_signals=False, save=lambda s, p: pickle.dump(s, open(p, "wb")))
    saved = []
    deadline = clock.now + 100.0
    for step in range(1, 200):
        if step == 3:
            (tmp_path / REQUEST).write_text(json.dumps(
                {"id": "end", "requested_at": clock.now, "reason": "end", "save_by": deadline}))
        clock.now += 1.0  # one step takes a second
        path = keeper.maybe_save({"step": step}, step)
        if path:
            saved.append((step, clock.now))
        if clock.now >= deadline:
            break
    keeper.close()
    # one at once (nothing was saved yet), one at the last step that still fits
    assert [s for s, _ in saved][0] == 3 and len(saved) == 2
    last_at = saved[-1][1]
    assert deadline - 5.0 <= last_at < deadline
    status = json.loads((tmp_path / STATUS).read_text())
    assert status["request"]["state"] == "saved" and status["last_save"]["request_id"] == "end"


def test_save_by_with_uneven_steps_loses_at_most_the_longest_step_and_save(tmp_path, monkeypatch):
    import jupyterlab_gpu_session.checkpoint as helper
    clock = FakeTime(monkeypatch, helper)
    monkeypatch.setattr(helper.time, "perf_counter", lambda: clock.now)
    captured = []

    def save(state, path):
        captured.append(clock.now)  # the state saved is the state of now
        clock.now += 5.0            # and writing it takes 5 s
        pickle.dump(state, open(path, "wb"))

    keeper = helper.CheckpointKeeper(str(tmp_path), clock=lambda: clock.now, check_seconds=0,
                                     handle_signals=False, save=save)
    deadline = clock.now + 900.0
    (tmp_path / REQUEST).write_text(json.dumps(
        {"id": "end", "requested_at": clock.now, "reason": "end", "save_by": deadline}))
    # A 60 s first step (start-up), then steps of 8 and 12 s in turn.
    steps = [60.0] + [8.0, 12.0] * 200
    for step, seconds in enumerate(steps, 1):
        clock.now += seconds
        if clock.now > deadline:
            break
        keeper.maybe_save({"step": step}, step)
    keeper.close()
    done = [at for at in captured if at + 5.0 <= deadline]
    # The last save finished before the end and left at most the longest
    # step (12 s; the start-up step had faded) plus the save (5 s) undone.
    assert done and deadline - done[-1] <= 12.0 + 5.0
    assert len(captured) == 2  # one at once, one at the last step that fit


def test_heartbeat_and_request_checks_are_throttled(tmp_path, monkeypatch):
    import jupyterlab_gpu_session.checkpoint as helper
    clock = FakeTime(monkeypatch, helper)
    calls = []
    real_replace = helper.os.replace
    monkeypatch.setattr(helper.os, "replace",
                        lambda a, b: (calls.append(a), real_replace(a, b))[1])
    keeper = helper.CheckpointKeeper(str(tmp_path), handle_signals=False, check_seconds=0.5)
    first_beat = json.loads((tmp_path / STATUS).read_text())["heartbeat_at"]
    calls.clear()
    for step in range(100):  # 100 steps in 10 simulated seconds
        clock.now += 0.1
        keeper.maybe_save({}, step)
    looks = [c for c in calls if c.endswith(REQUEST)]
    assert 15 <= len(looks) <= 21  # every 0.5 s, not every step
    assert json.loads((tmp_path / STATUS).read_text())["heartbeat_at"] == first_beat
    clock.now += 30.0
    keeper.maybe_save({}, 100)
    assert json.loads((tmp_path / STATUS).read_text())["heartbeat_at"] == clock.now
    keeper.close()


def test_close_puts_the_previous_handlers_back(tmp_path):
    from jupyterlab_gpu_session.checkpoint import CheckpointKeeper
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGUSR1)
    with CheckpointKeeper(str(tmp_path)) as keeper:
        assert signal.getsignal(signal.SIGTERM) == keeper._on_signal
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGUSR1)) == before
    assert json.loads((tmp_path / STATUS).read_text())["stopped_at"] is not None


def test_no_handlers_outside_the_main_thread(tmp_path):
    import threading
    from jupyterlab_gpu_session.checkpoint import CheckpointKeeper
    made = []
    thread = threading.Thread(target=lambda: made.append(CheckpointKeeper(str(tmp_path))))
    thread.start()
    thread.join()
    assert made[0]._status["signals"] == []
    made[0].close()


# ------------------------------------------------------------------ inlined in a notebook cell


def test_the_helper_works_pasted_into_a_cell(probe, tmp_path):
    kernel = Kernel(tmp_path)
    try:
        out, _ = kernel.ok(HELPER.read_text(encoding="utf-8") + "\nprint('defined', CheckpointKeeper.__name__)")
        assert "defined CheckpointKeeper" in out
        kernel.ok("CheckpointKeeper.default_directory = %r\n"
                  "keeper = CheckpointKeeper(check_seconds=0)\n"
                  "print(keeper.maybe_save({'step': 1}, 1))" % str(tmp_path / "cell ckpt"))
        probe.request_checkpoint(str(tmp_path / "cell ckpt"), "from the extension")
        out, _ = kernel.ok("print(keeper.maybe_save(lambda: {'step': 2}, 2))\nkeeper.close()")
        path = out.strip()
        assert path.endswith("step000000002.pt") and load(path) == {"step": 2}
        (entry,) = probe.checkpoint_loops(str(tmp_path / "cell ckpt" / "*.pt"))
        assert entry["state"] == "stopped" and entry["request"]["reason"] == "from the extension"
        # the kernel's own SIGTERM handling is back after close()
        out, _ = kernel.ok("import signal; print(signal.getsignal(signal.SIGTERM))")
        assert "_on_signal" not in out
    finally:
        kernel.close()
