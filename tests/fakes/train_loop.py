"""A real (tiny) training loop with CheckpointKeeper, for tests/test_checkpoint_keeper.py.

    python train_loop.py DIRECTORY STEPS

Fits y = 3x + 1 by gradient descent in pure Python, one mini-batch a step,
resuming from the newest checkpoint. It prints one line per event, flushed:
"resumed STEP", "step N", "saved PATH", "done N". Controlled by environment
variables so that the tests need no sleeps:

TRAIN_PAUSE_AT=N,.. before step N's maybe_save, print "paused N" and wait
                     until the file DIRECTORY/../go-N exists
TRAIN_FAIL_SAVE_AT=N the save function writes half a file and raises at step N
TRAIN_HANG_SAVE_AT=N the save function writes half a file, prints "half
                     written" and waits forever (to be SIGKILLed)
TRAIN_PERSIST=DIR    persistent_dir
TRAIN_BAD_COPY=1     loading a copy from TRAIN_PERSIST fails
TRAIN_EVERY_MIN=M    every_minutes (default 1000: only requests and signals save)
"""
import os
import pickle
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from jupyterlab_gpu_session.checkpoint import CheckpointKeeper  # noqa: E402

directory, steps = sys.argv[1], int(sys.argv[2])
env = os.environ.get
pause_at = [int(n) for n in env('TRAIN_PAUSE_AT', '-1').split(',')]
fail_at = int(env('TRAIN_FAIL_SAVE_AT', '-1'))
hang_at = int(env('TRAIN_HANG_SAVE_AT', '-1'))
current = {'step': 0}


def say(*words):
    print(*words, flush=True)


def save(state, path):
    with open(path, 'wb') as file:
        if current['step'] in (fail_at, hang_at):
            file.write(b'half a checkpoint')
            file.flush()
            if current['step'] == fail_at:
                raise OSError('disk full (simulated)')
            say('half written')
            while True:
                time.sleep(1)
        pickle.dump(state, file)


def load(path):
    if env('TRAIN_BAD_COPY') and path.startswith(env('TRAIN_PERSIST', '?')):
        raise OSError('the copy reads back as garbage (simulated)')
    with open(path, 'rb') as file:
        return pickle.load(file)


keeper = CheckpointKeeper(directory, persistent_dir=env('TRAIN_PERSIST', ''),
                          every_minutes=float(env('TRAIN_EVERY_MIN', '1000')),
                          keep_last=5, save=save, load=load, check_seconds=0)
state, _ = keeper.load_latest()
if state is None:
    state = {'w': 0.0, 'b': 0.0, 'step': 0}
else:
    say('resumed', state['step'])
rng = random.Random(state['step'])
for step in range(state['step'] + 1, steps + 1):
    current['step'] = step
    batch = [rng.uniform(-1, 1) for _ in range(32)]
    grad_w = sum(2 * (state['w'] * x + state['b'] - (3 * x + 1)) * x for x in batch) / len(batch)
    grad_b = sum(2 * (state['w'] * x + state['b'] - (3 * x + 1)) for x in batch) / len(batch)
    state = {'w': state['w'] - 0.1 * grad_w, 'b': state['b'] - 0.1 * grad_b, 'step': step}
    if step in pause_at:
        say('paused', step)
        go = os.path.join(os.path.dirname(os.path.abspath(directory)), 'go-%d' % step)
        while not os.path.exists(go):
            time.sleep(0.01)
    say('step', step)
    path = keeper.maybe_save(lambda: dict(state), step)
    if path:
        say('saved', path)
keeper.close()
say('done', steps)
