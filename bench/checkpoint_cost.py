"""What the checkpoint channel costs a training loop, and what it saves.

    python3 bench/checkpoint_cost.py [--steps N] [--trials N] [--out FILE.json]

1. Cost per step: `CheckpointKeeper.maybe_save()` called N times back to back
   with no request pending and the interval not due (what every training step
   pays), median of 5 rounds, in microseconds of wall and CPU time; beside it
   the same with `check_seconds=0` (a stat of the request file on every step)
   and an empty Python function call (the floor).
2. Work lost at a foreseen end: the real CheckpointKeeper on a simulated
   clock (its module's `time` replaced), a loop of 10 s steps that
   checkpoints every 30 minutes, each save taking 20 s (copy included). The
   end comes at a random time between 1 h and 20 h; lost = end minus the
   moment the state of the last *completed* save was taken. Without the
   channel; with a request written N minutes before the end carrying
   `save_by` = the end (the extension knows the end: Slurm, presets, the idle
   cut-off, a spot notice); and with a request without `save_by` 5 minutes
   before, to show why `save_by` matters. Budget (DESIGN.md 6): one step plus
   one save = 30 s.
"""
import argparse
import importlib.util
import json
import os
import random
import statistics
import sys
import tempfile
import time
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER = os.path.join(HERE, "..", "jupyterlab_gpu_session", "checkpoint.py")
STEP_S, SAVE_S, EVERY_MIN = 10.0, 20.0, 30


def load_helper(name):
    """A fresh copy of checkpoint.py, so that its `time` can be replaced."""
    spec = importlib.util.spec_from_file_location(name, HELPER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def per_step_cost(steps):
    helper = load_helper("checkpoint_cost_helper")
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, check in (("default", helper.CHECK_SECONDS), ("stat_every_step", 0.0)):
            keeper = helper.CheckpointKeeper(os.path.join(folder, label), handle_signals=False,
                                             check_seconds=check)
            state = {"step": 0}
            rounds_wall, rounds_cpu = [], []
            for _ in range(5):
                cpu0, wall0 = time.process_time(), time.perf_counter()
                for step in range(steps):
                    keeper.maybe_save(state, step)
                rounds_wall.append((time.perf_counter() - wall0) / steps * 1e6)
                rounds_cpu.append((time.process_time() - cpu0) / steps * 1e6)
            keeper.close()
            out[label] = {"wall_us": round(statistics.median(rounds_wall), 3),
                          "cpu_us": round(statistics.median(rounds_cpu), 3),
                          "check_seconds": check}

    def nothing(state, step):
        return None
    floor = [timeit.timeit(lambda: nothing(None, 1), number=steps) / steps * 1e6
             for _ in range(5)]
    out["empty_call"] = {"wall_us": round(statistics.median(floor), 3)}
    return out


class SimTime:
    """Stands in for the `time` module inside the helper."""

    def __init__(self):
        self.now = 0.0

    def time(self):
        return 1.8e9 + self.now

    def monotonic(self):
        return self.now

    perf_counter = monotonic

    def strftime(self, fmt):
        return time.strftime(fmt, time.gmtime(self.time()))


def simulate(helper, folder, end_s, request_before_s=None, save_by=True):
    """Seconds of training lost when the runtime ends at end_s."""
    sim = SimTime()
    helper.time = sim
    done = {"capture": 0.0}  # a fresh start loses everything since t=0

    def save(state, path):
        captured = sim.now
        sim.now += SAVE_S
        with open(path, "wb") as file:
            file.write(b"x")
        if sim.now <= end_s:
            done["capture"] = captured

    keeper = helper.CheckpointKeeper(folder, every_minutes=EVERY_MIN, keep_last=1, save=save,
                                     load=lambda path: None, clock=sim.monotonic,
                                     handle_signals=False)
    asked = request_before_s is None
    step = 0
    while True:
        sim.now += STEP_S
        if sim.now > end_s:
            break
        step += 1
        if not asked and sim.now >= end_s - request_before_s:
            asked = True
            with open(os.path.join(folder, helper.REQUEST_NAME), "w") as file:
                json.dump({"id": "bench", "requested_at": sim.time(), "reason": "bench",
                           "save_by": 1.8e9 + end_s if save_by else None}, file)
        keeper.maybe_save({"step": step}, step)
        if sim.now > end_s:
            break
    keeper.close()
    return end_s - done["capture"]


def work_lost(trials, seed=13):
    helper = load_helper("checkpoint_sim_helper")
    # the heartbeat (every 30 s) would write the status record every third
    # simulated step; it never changes when a save happens, so it is left out
    helper.HEARTBEAT_SECONDS = 1e12
    rng = random.Random(seed)
    ends = [rng.uniform(3600, 20 * 3600) for _ in range(trials)]
    scenarios = {
        "no_channel": dict(request_before_s=None),
        "request_5min_save_by": dict(request_before_s=300),
        "request_2min_save_by": dict(request_before_s=120),
        "request_30s_save_by": dict(request_before_s=30),
        "request_5min_no_save_by": dict(request_before_s=300, save_by=False),
    }
    out = {}
    with tempfile.TemporaryDirectory() as base:
        for name, kwargs in scenarios.items():
            lost = []
            for i, end in enumerate(ends):
                folder = os.path.join(base, "%s-%d" % (name, i))
                lost.append(simulate(helper, folder, end, **kwargs))
            lost.sort()
            out[name] = {"median_s": round(statistics.median(lost), 1),
                         "p95_s": round(lost[int(0.95 * (len(lost) - 1))], 1),
                         "max_s": round(lost[-1], 1), "trials": trials}
    out["model"] = {"step_s": STEP_S, "save_s": SAVE_S, "every_minutes": EVERY_MIN,
                    "end_between_h": [1, 20], "budget_s": STEP_S + SAVE_S}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200000)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    result = {"per_step": per_step_cost(args.steps), "work_lost": work_lost(args.trials),
              "python": sys.version.split()[0]}
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w") as file:
            file.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
