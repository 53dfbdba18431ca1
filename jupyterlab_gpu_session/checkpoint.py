"""Checkpoints that survive the end of a session (jupyterlab-gpu-session).

    keeper = CheckpointKeeper('checkpoints', persistent_dir='~/drive/ckpt')
    state, path = keeper.load_latest()          # (None, None) on the first run
    for step in range(start, steps):
        ...                                     # one training step
        keeper.maybe_save(lambda: {'model': model.state_dict(), 'step': step}, step)
        if keeper.should_stop:                  # only with exit_on_sigterm=False
            break

`maybe_save` saves every `every_minutes`, and also at the next step after
someone asks for a checkpoint:

* the extension (or anyone) writes a request file beside the checkpoints,
  `<directory>/.gpu-session-checkpoint-request`, JSON
  {"id", "requested_at", "reason", "save_by"}; with `save_by` (Unix time)
  the keeper saves once at once, when it has never saved yet, and again at
  the last step that still leaves time for a save before `save_by`;
* SIGUSR1 (e.g. Slurm's `#SBATCH --signal=B:USR1@300`): save, keep training;
* SIGTERM (Slurm at the time limit, Kubernetes, docker stop, a cloud
  shutting the VM down): save, then stop: `maybe_save` raises
  SystemExit(143) after the save (or, with exit_on_sigterm=False, sets
  `keeper.should_stop`). A second SIGTERM before that save does what SIGTERM
  did before the keeper was created.

What the keeper does is written to `<directory>/.gpu-session-checkpoint-status.json`
(the last request, the last save, whether its copy to persistent storage
was verified, and a heartbeat at most every 30 s), which the extension reads
to tell "it will save at its next step" from "no training loop is running".

Saves are atomic (a temporary file, fsync, rename), so a save cut short
never replaces a good checkpoint. Standard library only; this whole file can
also be pasted into a notebook cell. The formats are described in the
project's docs/checkpoints.md.
"""

import atexit
import json
import os
import pickle
import shutil
import signal
import socket
import tempfile
import threading
import time
import uuid
import warnings

REQUEST_NAME = '.gpu-session-checkpoint-request'
STATUS_NAME = '.gpu-session-checkpoint-status.json'
STATUS_VERSION = 1
#: Most seconds between two heartbeats while maybe_save is called.
HEARTBEAT_SECONDS = 30.0
#: Most seconds between two looks for a request file. A stat of a missing
#: file costs ~4 us locally and far more on network folders; looking at most
#: this often keeps a step's overhead well under a microsecond.
CHECK_SECONDS = 0.2
#: How fast the longest recent step fades, per step: a 60 s first step is
#: down to a 10 s step's length after about 35 steps.
STEP_FADE = 0.95
#: How many of the last saves count for the longest save.
RECENT_SAVES = 3
#: The exit status after a save on SIGTERM, as if the signal had killed it.
SIGTERM_EXIT_STATUS = 128 + signal.SIGTERM


def _save_default(state, path):
    try:
        import torch
    except ImportError:
        with open(path, 'wb') as file:
            pickle.dump(state, file)
    else:
        torch.save(state, path)


def _load_default(path):
    try:
        import torch
    except ImportError:
        with open(path, 'rb') as file:
            return pickle.load(file)
    return torch.load(path, map_location='cpu', weights_only=False)


def _write_json_atomically(path, record):
    """Readers see the old record or the new one, never half of one."""
    fd, partial = tempfile.mkstemp(prefix=os.path.basename(path) + '.', suffix='.partial',
                                   dir=os.path.dirname(path) or '.')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as file:
            json.dump(record, file, indent=1, sort_keys=True)
        os.replace(partial, path)
    except BaseException:
        _remove_quietly(partial)
        raise


def _remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _or_default(value, default):
    return default if value is None else value


def _number_or_none(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _parse_request(text):
    """The request record, or one that says why it could not be read.

    An unreadable request is still honoured (a save now): whoever wrote it
    wanted a checkpoint.
    """
    try:
        record = json.loads(text)
        if not isinstance(record, dict):
            raise ValueError('not a JSON object')
    except ValueError as error:
        return {'id': None, 'reason': 'unreadable request (%s)' % error,
                'requested_at': None, 'save_by': None}
    request_id = record.get('id')
    reason = record.get('reason')
    return {'id': request_id if isinstance(request_id, str) else None,
            'reason': reason if isinstance(reason, str) else None,
            'requested_at': _number_or_none(record.get('requested_at')),
            'save_by': _number_or_none(record.get('save_by'))}


class CheckpointKeeper:
    """Time-based, atomic checkpoints with verified copies, saved on request.

    Arguments left as None take the class defaults below (a template sets
    them once); `persistent_dir=''` turns copies off. `save(state, path)` and
    `load(path)` default to torch.save/torch.load when torch is installed,
    pickle otherwise. `clock` (monotonic seconds) only times the interval.
    `handle_signals` installs the SIGUSR1/SIGTERM handlers (main thread
    only). Use it as a context manager, or call `close()`, to put the
    previous signal handlers back when the loop ends inside a long-lived
    process such as a notebook kernel.
    """

    default_directory = 'checkpoints'
    default_persistent_dir = ''
    default_every_minutes = 30
    default_keep_last = 3

    def __init__(self, directory=None, persistent_dir=None, every_minutes=None, keep_last=None,
                 save=_save_default, load=_load_default, clock=time.monotonic,
                 handle_signals=True, exit_on_sigterm=True, check_seconds=CHECK_SECONDS):
        pick = _or_default
        self.directory = os.path.abspath(os.path.expanduser(pick(directory, self.default_directory)))
        persistent_dir = pick(persistent_dir, self.default_persistent_dir)
        self.persistent_dir = os.path.expanduser(persistent_dir) if persistent_dir else ''
        self.every_seconds = pick(every_minutes, self.default_every_minutes) * 60
        self.keep_last = pick(keep_last, self.default_keep_last)
        self._save, self._load, self._clock = save, load, clock
        self.exit_on_sigterm = exit_on_sigterm
        self.check_seconds = check_seconds
        #: True once a SIGTERM save is done: the loop should end.
        self.should_stop = False
        self._last_save = clock()
        os.makedirs(self.directory, exist_ok=True)
        self._request_path = os.path.join(self.directory, REQUEST_NAME)
        self._status_path = os.path.join(self.directory, STATUS_NAME)
        self._signal = None        # 'SIGUSR1' / 'SIGTERM', set by the handler only
        self._pending = None       # the request being honoured
        self._next_check = 0.0     # time.monotonic() of the next look for a request
        self._next_beat = 0.0
        self._step = None
        self._step_at = None
        self._step_seconds = None  # smoothed time between two maybe_save calls
        self._longest_step = 0.0   # the longest recent step (a max that fades)
        self._save_seconds = None  # the last save, copy included
        self._recent_saves = []    # the last few saves' seconds
        self._last_copy = None     # what the last copy_to_persistent found
        self._status_warned = False
        self._previous = {}
        self._closed = False
        self._status = {
            'version': STATUS_VERSION, 'directory': self.directory, 'pid': os.getpid(),
            'hostname': socket.gethostname(), 'started_at': time.time(),
            'heartbeat_at': None, 'heartbeat_every_s': HEARTBEAT_SECONDS,
            'step': None, 'step_seconds': None, 'every_s': self.every_seconds,
            'signals': [], 'stopping': None, 'stopped_at': None,
            'request': None, 'last_save': None, 'last_error': None,
        }
        if handle_signals:
            self._install_signal_handlers()
        atexit.register(self.close)
        self._beat(time.monotonic())

    # ------------------------------------------------------------ listing and loading

    def checkpoints(self, directory=None):
        """The complete checkpoints, oldest first (temporary files are not listed)."""
        directory = directory or self.directory
        found = []
        for entry in os.scandir(directory):
            if entry.name.endswith('.pt') and not entry.name.startswith('.') and entry.is_file():
                found.append((entry.stat().st_mtime_ns, entry.name, entry.path))
        return [path for _, _, path in sorted(found)]

    def latest(self):
        """The newest checkpoint's path, or None."""
        paths = self.checkpoints()
        return paths[-1] if paths else None

    def load_latest(self):
        """(state, path) of the newest checkpoint, or (None, None)."""
        path = self.latest()
        return (self._load(path), path) if path else (None, None)

    # ------------------------------------------------------------ the training loop's side

    def due(self):
        """Whether `every_minutes` have passed since the last save."""
        return self._clock() - self._last_save >= self.every_seconds

    def maybe_save(self, state, step):
        """Save when the interval has passed, a request or a signal came; else return None.

        `state` may be a function that returns the state (called only when
        saving). Returns the checkpoint's path when it saved. After a save
        for SIGTERM it raises SystemExit (see the class notes).
        """
        now = time.monotonic()
        if self._step_at is not None:
            elapsed = now - self._step_at
            self._step_seconds = elapsed if self._step_seconds is None else (
                0.8 * self._step_seconds + 0.2 * elapsed)
            # a slow first step (start-up, compilation) fades out over a few
            # dozen steps instead of holding the deadline back for good
            self._longest_step = max(elapsed, self._longest_step * STEP_FADE)
        self._step_at = now
        self._step = step
        if now >= self._next_check:
            self._next_check = now + self.check_seconds
            self._take_request()
            if now >= self._next_beat:
                self._beat(now)
        trigger = self._trigger()
        if trigger is None:
            return None
        for_request = trigger == 'request' or (
            self._pending is not None and self._request_due())
        path = self._write(state() if callable(state) else state, step, trigger, for_request)
        self._step_at = time.monotonic()  # the save is not a training step
        if self._signal == 'SIGTERM':
            self._stop()
        return path

    def save(self, state, step):
        """Write atomically, keep the last N, copy to persistent storage; returns the path."""
        return self._write(state, step, 'manual', False)

    def copy_to_persistent(self, path):
        """Copy, then check size and that the copy loads; warns (training goes on) when not.

        Returns the copy's path, or None when it could not be made or verified.
        """
        started = time.perf_counter()
        target = os.path.join(self.persistent_dir, os.path.basename(path))
        record = {'path': target, 'verified': False, 'error': None, 'seconds': None}
        try:
            os.makedirs(self.persistent_dir, exist_ok=True)
            partial = os.path.join(self.persistent_dir, '.' + os.path.basename(path) + '.partial')
            shutil.copyfile(path, partial)
            try:
                with open(partial, 'rb') as file:
                    os.fsync(file.fileno())
            except OSError:
                pass  # some synced folders (FUSE mounts) cannot fsync; the checks below still run
            os.replace(partial, target)
            if os.path.getsize(target) != os.path.getsize(path):
                raise OSError(f'the copy has {os.path.getsize(target)} bytes, not {os.path.getsize(path)}')
            self._load(target)
        except Exception as error:
            record['error'] = f'{type(error).__name__}: {error}'
            self._last_copy = record
            warnings.warn(f'Checkpoint copy to {self.persistent_dir!r} failed: {error}; '
                          f'the local checkpoint {path!r} is kept')
            return None
        record['verified'] = True
        record['seconds'] = round(time.perf_counter() - started, 6)
        self._last_copy = record
        self._prune(self.persistent_dir)
        return target

    def close(self):
        """Put the previous signal handlers back and record that the loop ended."""
        if self._closed:
            return
        self._closed = True
        for signum, previous in self._previous.items():
            try:
                if signal.getsignal(signum) == self._on_signal:
                    signal.signal(signum, previous)
            except (ValueError, OSError, TypeError):
                pass  # not the main thread any more, or the interpreter is exiting
        self._previous = {}
        atexit.unregister(self.close)
        self._status['stopped_at'] = time.time()
        self._write_status()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    # ------------------------------------------------------------ inside

    def _trigger(self):
        if self._signal is not None:
            return self._signal
        if self._pending is not None and self._request_due():
            return 'request'
        return 'interval' if self.due() else None

    def _request_due(self):
        """Whether the pending request should be saved at this step.

        Without `save_by`: now. With it: now when this keeper has never saved
        (that save is safe and tells how long a save takes), then at the
        first step after which one more step and a save would not fit.
        Steps and saves that vary are covered by taking the longest recent
        ones rather than a fixed margin, so the work lost at `save_by` is
        at most one step plus one save, as long as neither grows past the
        longest seen.
        """
        save_by = self._pending['save_by']
        if save_by is None or not self._recent_saves:
            return True
        needed = self._longest_step + max(self._recent_saves)
        return time.time() + needed >= save_by

    def _take_request(self):
        """Claim a request file: rename first, so that a newer one is never lost."""
        taken = self._request_path + '.taken'
        try:
            os.replace(self._request_path, taken)
        except FileNotFoundError:
            return
        except OSError as error:
            self._record_error('request', f'the request file could not be taken: {error}')
            return
        try:
            with open(taken, 'r', encoding='utf-8', errors='replace') as file:
                text = file.read(65536)
        except OSError as error:
            text = f'"unreadable: {error}"'
        finally:
            _remove_quietly(taken)
        self._receive(_parse_request(text))

    def _receive(self, request):
        request = dict(request, received_at=time.time(), state='waiting', path=None, done_at=None,
                       error=None)
        if request['id'] is None:
            request['id'] = uuid.uuid4().hex
        self._pending = request
        self._status['request'] = request
        self._write_status()

    def _write(self, state, step, trigger, for_request):
        if trigger in ('SIGUSR1', 'SIGTERM') and self._pending is None:
            self._receive({'id': None, 'reason': trigger, 'requested_at': None, 'save_by': None})
            for_request = True
        name = f"ckpt-{time.strftime('%Y%m%d-%H%M%S')}-step{int(step):09d}.pt"
        path = os.path.join(self.directory, name)
        started_at, started = time.time(), time.perf_counter()
        fd, partial = tempfile.mkstemp(prefix=f'.{name}.', suffix='.partial', dir=self.directory)
        os.close(fd)
        try:
            self._save(state, partial)
            with open(partial, 'rb') as file:
                os.fsync(file.fileno())
            os.replace(partial, path)
        except BaseException as error:
            _remove_quietly(partial)
            self._record_error(trigger, f'{type(error).__name__}: {error}', for_request)
            raise
        self._last_save = self._clock()
        self._prune(self.directory)
        self._last_copy = None
        if self.persistent_dir:
            self.copy_to_persistent(path)
        seconds = time.perf_counter() - started
        self._save_seconds = seconds
        self._recent_saves = (self._recent_saves + [seconds])[-RECENT_SAVES:]
        self._status['last_save'] = {
            'path': path, 'step': int(step), 'trigger': trigger,
            'request_id': self._pending['id'] if for_request else None,
            'started_at': started_at, 'saved_at': time.time(), 'bytes': os.path.getsize(path),
            'seconds': round(seconds, 6), 'copy': self._last_copy,
        }
        if for_request:
            self._pending.update(path=path, done_at=time.time())
            if self._pending['save_by'] is not None and not self._request_due():
                self._pending['state'] = 'saved early'  # another save comes before save_by
            else:
                self._pending['state'] = 'saved'
                self._pending = None
        if self._signal == 'SIGUSR1':
            self._signal = None
        self._write_status()
        return path

    def _record_error(self, trigger, message, for_request=False):
        self._status['last_error'] = {'at': time.time(), 'trigger': trigger, 'message': message}
        if for_request and self._pending is not None:
            self._pending.update(state='failed', error=message)
        self._write_status()

    def _beat(self, now):
        self._next_beat = now + HEARTBEAT_SECONDS
        self._status.update(heartbeat_at=time.time(), step=self._step,
                            step_seconds=self._step_seconds)
        self._write_status()

    def _write_status(self):
        # The status is for people watching; failing to write it (disk full,
        # folder removed) must never stop the training, so it only warns, once.
        try:
            _write_json_atomically(self._status_path, self._status)
        except (OSError, TypeError, ValueError) as error:
            if not self._status_warned:
                self._status_warned = True
                warnings.warn(f'CheckpointKeeper could not write {self._status_path!r}: {error}')

    def _prune(self, directory):
        for old in self.checkpoints(directory)[:-self.keep_last]:
            os.remove(old)

    # ------------------------------------------------------------ signals

    def _install_signal_handlers(self):
        if threading.current_thread() is not threading.main_thread():
            return  # Python allows handlers in the main thread only
        for name in ('SIGUSR1', 'SIGTERM'):
            signum = getattr(signal, name, None)
            if signum is None:
                continue  # SIGUSR1 does not exist on Windows
            try:
                self._previous[signum] = signal.signal(signum, self._on_signal)
            except (ValueError, OSError):
                continue
            self._status['signals'].append(name)

    def _on_signal(self, signum, frame):
        # Only flags: saving inside a signal handler could interrupt the
        # training step half way through updating the state.
        previous = self._previous.get(signum)
        if signum == signal.SIGTERM:
            if self._signal == 'SIGTERM':
                self._give_up(signum, frame)  # asked twice: do not wait for the step
                return
            self._signal = 'SIGTERM'
            return
        if self._signal is None:
            self._signal = 'SIGUSR1'
        if callable(previous):
            previous(signum, frame)

    def _give_up(self, signum, frame):
        previous = self._previous.get(signum, signal.SIG_DFL)
        self.close()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL or previous is None:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    def _stop(self):
        self.should_stop = True
        self._status['stopping'] = 'SIGTERM'
        previous = self._previous.get(signal.SIGTERM)
        self.close()
        if callable(previous):
            previous(signal.SIGTERM, None)
        if self.exit_on_sigterm:
            raise SystemExit(SIGTERM_EXIT_STATUS)
