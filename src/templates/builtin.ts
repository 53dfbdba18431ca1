/**
 * The built-in templates, as data: the same shape a user writes in the
 * settings (see docs/templates.md), checked by the catalog like any other.
 *
 * Placeholders: {{py:name}} a Python string literal, {{sh:name}} one shell
 * word, {{md:name}} markdown text, {{int:name}} a whole number.
 */
export const BUILTIN_TEMPLATES: ReadonlyArray<unknown> = [
  {
    id: 'drive-mount',
    label: 'Mount Persistent Storage',
    description:
      "Mount Google Drive on Colab, or use the platform's persistent storage, and check the folder is there.",
    version: 1,
    variables: [
      {
        name: 'variant',
        label: 'Platform',
        kind: 'choice',
        choices: [
          'colab',
          'kaggle',
          'sagemaker-studio-lab',
          'rclone',
          'generic'
        ],
        default: 'generic',
        platformDefault: true,
        description:
          'colab: Google Drive; kaggle: /kaggle/working; sagemaker-studio-lab: the home folder; rclone: a cloud remote mounted with rclone; generic: a folder you choose.'
      },
      {
        name: 'folder',
        label: 'Folder inside the storage',
        kind: 'path',
        default: 'gpu-session'
      },
      {
        name: 'mount_point',
        label: 'Mount point (colab, rclone)',
        kind: 'path',
        default: '/content/drive'
      },
      {
        name: 'storage_dir',
        label: 'Persistent folder (generic)',
        kind: 'path',
        default: '~'
      },
      {
        name: 'rclone_remote',
        label: 'rclone remote (rclone)',
        kind: 'text',
        default: 'gdrive:'
      },
      {
        name: 'timeout_seconds',
        label: 'Mount timeout (seconds)',
        kind: 'integer',
        default: '120',
        minimum: 5,
        maximum: 3600
      }
    ],
    cells: [
      {
        type: 'markdown',
        source: [
          '### Persistent storage: Google Drive (Colab)',
          "The Colab machine's disk is wiped when the session ends. This mounts your Google Drive at {{md:mount_point}} (waiting at most {{int:timeout_seconds}} s for the sign-in), then checks that `MyDrive/`{{md:folder}} is there and sets `PERSISTENT_DIR` to it."
        ],
        when: {
          variant: ['colab']
        }
      },
      {
        type: 'code',
        source: [
          'import os',
          'from google.colab import drive',
          '',
          'MOUNT_POINT = {{py:mount_point}}',
          'drive.mount(MOUNT_POINT, timeout_ms={{int:timeout_seconds}} * 1000)',
          "if not os.path.isdir(os.path.join(MOUNT_POINT, 'MyDrive')):",
          "    raise FileNotFoundError(f'Google Drive is not mounted at {MOUNT_POINT!r}')",
          "PERSISTENT_DIR = os.path.join(MOUNT_POINT, 'MyDrive', {{py:folder}})",
          'os.makedirs(PERSISTENT_DIR, exist_ok=True)',
          'if not os.path.isdir(PERSISTENT_DIR):',
          "    raise FileNotFoundError(f'The folder {PERSISTENT_DIR!r} is not there')",
          "print('Persistent storage:', PERSISTENT_DIR)"
        ],
        when: {
          variant: ['colab']
        }
      },
      {
        type: 'markdown',
        source: [
          '### Persistent storage: /kaggle/working (Kaggle)',
          "On Kaggle, files written to `/kaggle/working` are kept as the notebook's output when you save a version (up to 20 GB); everything else is lost with the session. This sets `PERSISTENT_DIR` to the folder {{md:folder}} there."
        ],
        when: {
          variant: ['kaggle']
        }
      },
      {
        type: 'code',
        source: [
          'import os',
          '',
          "PERSISTENT_DIR = os.path.join('/kaggle/working', {{py:folder}})",
          'os.makedirs(PERSISTENT_DIR, exist_ok=True)',
          'if not os.path.isdir(PERSISTENT_DIR):',
          "    raise FileNotFoundError(f'The folder {PERSISTENT_DIR!r} is not there')",
          "print('Persistent storage:', PERSISTENT_DIR)"
        ],
        when: {
          variant: ['kaggle']
        }
      },
      {
        type: 'markdown',
        source: [
          '### Persistent storage: the home folder (SageMaker Studio Lab)',
          'On Studio Lab the home folder is kept between sessions; the rest of the machine is not. This sets `PERSISTENT_DIR` to the folder {{md:folder}} in your home folder.'
        ],
        when: {
          variant: ['sagemaker-studio-lab']
        }
      },
      {
        type: 'code',
        source: [
          'import os',
          '',
          "PERSISTENT_DIR = os.path.join(os.path.expanduser('~'), {{py:folder}})",
          'os.makedirs(PERSISTENT_DIR, exist_ok=True)',
          'if not os.path.isdir(PERSISTENT_DIR):',
          "    raise FileNotFoundError(f'The folder {PERSISTENT_DIR!r} is not there')",
          "print('Persistent storage:', PERSISTENT_DIR)"
        ],
        when: {
          variant: ['sagemaker-studio-lab']
        }
      },
      {
        type: 'markdown',
        source: [
          '### Persistent storage: a cloud remote mounted with rclone',
          'This mounts the rclone remote {{md:rclone_remote}} at {{md:mount_point}} in the background (configure the remote first with `rclone config`), waits at most {{int:timeout_seconds}} s for the mount, and sets `PERSISTENT_DIR` to the folder {{md:folder}} in it. Writes are cached locally and uploaded shortly after: check a copy before you rely on it.'
        ],
        when: {
          variant: ['rclone']
        }
      },
      {
        type: 'code',
        source: [
          'import os',
          'import shutil',
          'import subprocess',
          'import time',
          '',
          'REMOTE = {{py:rclone_remote}}',
          'MOUNT_POINT = os.path.expanduser({{py:mount_point}})',
          'TIMEOUT_SECONDS = {{int:timeout_seconds}}',
          "rclone = shutil.which('rclone')",
          'if rclone is None:',
          "    raise RuntimeError('rclone is not installed in this environment: pick another platform, or install rclone')",
          'os.makedirs(MOUNT_POINT, exist_ok=True)',
          'if not os.path.ismount(MOUNT_POINT):',
          "    subprocess.run([rclone, 'mount', REMOTE, MOUNT_POINT, '--daemon', '--vfs-cache-mode', 'writes'],",
          '                   check=True, timeout=TIMEOUT_SECONDS)',
          '    deadline = time.monotonic() + TIMEOUT_SECONDS',
          '    while not os.path.ismount(MOUNT_POINT):',
          '        if time.monotonic() > deadline:',
          "            raise TimeoutError(f'{REMOTE!r} was not mounted at {MOUNT_POINT!r} within {TIMEOUT_SECONDS} s')",
          '        time.sleep(0.5)',
          'PERSISTENT_DIR = os.path.join(MOUNT_POINT, {{py:folder}})',
          'os.makedirs(PERSISTENT_DIR, exist_ok=True)',
          'if not os.path.isdir(PERSISTENT_DIR):',
          "    raise FileNotFoundError(f'The folder {PERSISTENT_DIR!r} is not there')",
          "print('Persistent storage:', PERSISTENT_DIR)"
        ],
        when: {
          variant: ['rclone']
        }
      },
      {
        type: 'markdown',
        source: [
          '### Persistent storage: a folder that outlives the session',
          'On JupyterHub, a cluster or a cloud VM, the home folder or a network file system usually outlives the session, while scratch and `/tmp` may not: check with your platform. This sets `PERSISTENT_DIR` to the folder {{md:folder}} in {{md:storage_dir}}, creating it when needed. When `rclone` is installed, the rclone variant mounts cloud storage instead.'
        ],
        when: {
          variant: ['generic']
        }
      },
      {
        type: 'code',
        source: [
          'import os',
          'import shutil',
          '',
          'PERSISTENT_DIR = os.path.join(os.path.expanduser({{py:storage_dir}}), {{py:folder}})',
          'os.makedirs(PERSISTENT_DIR, exist_ok=True)',
          'if not os.path.isdir(PERSISTENT_DIR):',
          "    raise FileNotFoundError(f'The folder {PERSISTENT_DIR!r} is not there')",
          "print('Persistent storage:', PERSISTENT_DIR)",
          "if shutil.which('rclone'):",
          "    print('rclone is installed: the rclone variant of this template can mount cloud storage.')"
        ],
        when: {
          variant: ['generic']
        }
      }
    ]
  },
  {
    id: 'install-deps',
    label: 'Install Pinned Dependencies',
    description:
      "pip install pinned packages or a requirements file into the kernel's environment, quietly, then print the installed versions.",
    version: 1,
    variables: [
      {
        name: 'packages',
        label: 'Packages (name==version, separated by spaces)',
        kind: 'text',
        default: '',
        optional: true,
        description:
          'Each one pinned, e.g. numpy==1.26.4 or name @ URL written without spaces.'
      },
      {
        name: 'requirements',
        label: 'Requirements file',
        kind: 'path',
        default: '',
        optional: true
      }
    ],
    cells: [
      {
        type: 'markdown',
        source: [
          '### Install pinned dependencies',
          "Installs {{md:packages}} into this kernel's environment with `pip install --quiet` (the command `%pip install` runs, without IPython expanding `$` and `{}` in the values), plus the requirements file {{md:requirements}} when one is given. Every package must be pinned (`name==version`) so the run can be reproduced. The next cell prints the installed versions and says when the kernel must be restarted."
        ]
      },
      {
        type: 'code',
        source: [
          'import importlib.metadata',
          'import re',
          'import shlex',
          'import subprocess',
          'import sys',
          '',
          'PACKAGES = {{py:packages}}.split()',
          'REQUIREMENTS = {{py:requirements}}',
          '',
          'def _requirement_name(spec):',
          "    return re.split(r'[\\s<>=!~;@\\[]', spec.strip(), maxsplit=1)[0]",
          '',
          "_unpinned = [p for p in PACKAGES if '==' not in p and '@' not in p]",
          'if _unpinned:',
          "    raise ValueError('Pin a version (name==1.2.3) for: ' + ', '.join(_unpinned))",
          'if not PACKAGES and not REQUIREMENTS:',
          "    raise ValueError('Nothing to install: give packages or a requirements file')",
          'GPU_SESSION_INSTALLED = [_requirement_name(p) for p in PACKAGES]',
          'if REQUIREMENTS:',
          "    with open(REQUIREMENTS, encoding='utf-8') as _file:",
          '        for _line in _file:',
          "            _line = _line.split(' #', 1)[0].strip()",
          "            if _line and not _line.startswith(('#', '-')):",
          '                GPU_SESSION_INSTALLED.append(_requirement_name(_line))',
          '',
          'def _version(name):',
          '    try:',
          '        return importlib.metadata.version(name)',
          '    except importlib.metadata.PackageNotFoundError:',
          '        return None',
          '',
          'GPU_SESSION_VERSIONS_BEFORE = {name: _version(name) for name in GPU_SESSION_INSTALLED}',
          "_command = [sys.executable, '-m', 'pip', 'install', '--quiet', *PACKAGES]",
          'if REQUIREMENTS:',
          "    _command += ['-r', REQUIREMENTS]",
          "print('$', shlex.join(_command))",
          '_result = subprocess.run(_command, capture_output=True, text=True)',
          "print(_result.stdout, end='')",
          "print(_result.stderr, end='', file=sys.stderr)",
          'if _result.returncode != 0:',
          "    raise RuntimeError(f'pip install failed with exit status {_result.returncode}')"
        ]
      },
      {
        type: 'code',
        source: [
          'import importlib',
          'import importlib.metadata',
          'import re',
          'import sys',
          '',
          'def _normal(name):',
          "    return re.sub(r'[-_.]+', '-', name).lower()",
          '',
          'importlib.invalidate_caches()',
          '_modules = importlib.metadata.packages_distributions()',
          '_restart = []',
          'for _name in GPU_SESSION_INSTALLED:',
          '    try:',
          '        _now = importlib.metadata.version(_name)',
          '    except importlib.metadata.PackageNotFoundError:',
          '        _now = None',
          '    _before = GPU_SESSION_VERSIONS_BEFORE.get(_name)',
          '    _changed = _before is not None and _before != _now',
          "    print(f'{_name}: {_now or \"not installed\"}' + (f' (was {_before})' if _changed else ''))",
          '    if _changed and any(',
          '        module in sys.modules',
          '        for module, dists in _modules.items()',
          '        if _normal(_name) in {_normal(d) for d in dists}',
          '    ):',
          '        _restart.append(_name)',
          'if _restart:',
          "    print('Restart the kernel (Kernel > Restart Kernel) before using ' + ', '.join(_restart)",
          "          + ': the version imported earlier is still loaded.')"
        ]
      }
    ]
  },
  {
    id: 'checkpoint-train',
    label: 'Checkpoint-Safe Training',
    description:
      'Run a training script that resumes from the newest checkpoint and logs to persistent storage; a helper for time-based, atomic, verified checkpoints.',
    version: 1,
    variables: [
      {
        name: 'script',
        label: 'Training script',
        kind: 'path',
        default: 'train.py'
      },
      {
        name: 'python',
        label: 'Python command',
        kind: 'text',
        default: 'python3',
        description:
          'The Python that runs the script: python3 on PATH, or a full path.'
      },
      {
        name: 'checkpoint_dir',
        label: 'Checkpoint folder (local, fast)',
        kind: 'path',
        default: 'checkpoints'
      },
      {
        name: 'resume_flag',
        label: 'Resume option of the script',
        kind: 'text',
        default: '--resume',
        description: "Given with the newest checkpoint's path: --resume PATH."
      },
      {
        name: 'log_file',
        label: 'Log file (persistent storage)',
        kind: 'path',
        default: '~/gpu-session/train.log'
      },
      {
        name: 'persistent_dir',
        label: 'Checkpoint copies (persistent storage)',
        kind: 'path',
        default: '~/gpu-session/checkpoints',
        optional: true
      },
      {
        name: 'every_minutes',
        label: 'Checkpoint every N minutes',
        kind: 'integer',
        default: '30',
        minimum: 1,
        maximum: 1440
      },
      {
        name: 'keep_last',
        label: 'Checkpoints kept',
        kind: 'integer',
        default: '3',
        minimum: 1,
        maximum: 1000
      }
    ],
    cells: [
      {
        type: 'markdown',
        source: [
          '### Checkpoint-safe training',
          "The first cell runs {{md:script}} with {{md:python}}; when {{md:checkpoint_dir}} holds checkpoints (`*.pt`), it adds {{md:resume_flag}} and the newest one. Everything the script prints is appended to {{md:log_file}}, and the cell fails with the script's exit status. The second cell defines `CheckpointKeeper` for training loops: a checkpoint every {{int:every_minutes}} minutes (not every N steps), written to a temporary file and renamed (a save cut short never replaces a good checkpoint), the last {{int:keep_last}} kept, and each one copied to {{md:persistent_dir}} and checked (size, and that the copy loads), because synced folders such as Drive write late."
        ]
      },
      {
        type: 'code',
        source: [
          '%%bash',
          '# Resume from the newest checkpoint, append the log, keep the exit status.',
          'set -uo pipefail',
          'python_cmd={{sh:python}}',
          'script={{sh:script}}',
          'checkpoint_dir={{sh:checkpoint_dir}}',
          'resume_flag={{sh:resume_flag}}',
          'log_file={{sh:log_file}}',
          "case $checkpoint_dir in '~/'*) checkpoint_dir=$HOME/${checkpoint_dir#'~/'} ;; esac",
          "case $log_file in '~/'*) log_file=$HOME/${log_file#'~/'} ;; esac",
          'mkdir -p -- "$checkpoint_dir" || exit 1',
          'log_dir=${log_file%/*}',
          'if [ "$log_dir" != "$log_file" ] && [ -n "$log_dir" ]; then',
          '  mkdir -p -- "$log_dir" || exit 1',
          'fi',
          'latest=',
          'for candidate in "$checkpoint_dir"/*.pt; do',
          '  [ -f "$candidate" ] || continue',
          '  if [ -z "$latest" ] || ! [ "$latest" -nt "$candidate" ]; then',
          '    latest=$candidate',
          '  fi',
          'done',
          'args=()',
          'if [ -n "$latest" ]; then',
          '  args=("$resume_flag" "$latest")',
          '  printf \'Resuming from %s\\n\' "$latest"',
          'else',
          '  printf \'No checkpoint in %s yet: starting from the beginning\\n\' "$checkpoint_dir"',
          'fi',
          'printf \'=== %s: %s %s\\n\' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$script" "${args[*]-}" >>"$log_file"',
          '"$python_cmd" -u -- "$script" ${args[@]+"${args[@]}"} 2>&1 | tee -a -- "$log_file"',
          'status=$?',
          'printf \'Exit status %s; log: %s\\n\' "$status" "$log_file"',
          'exit "$status"'
        ]
      },
      {
        type: 'code',
        source: [
          'import os',
          'import pickle',
          'import shutil',
          'import tempfile',
          'import time',
          'import warnings',
          '',
          'CHECKPOINT_DIR = os.path.expanduser({{py:checkpoint_dir}})',
          'PERSISTENT_CHECKPOINT_DIR = os.path.expanduser({{py:persistent_dir}})',
          'CHECKPOINT_EVERY_MINUTES = {{int:every_minutes}}',
          'CHECKPOINTS_KEPT = {{int:keep_last}}',
          '',
          '',
          'def _save_default(state, path):',
          '    try:',
          '        import torch',
          '    except ImportError:',
          "        with open(path, 'wb') as file:",
          '            pickle.dump(state, file)',
          '    else:',
          '        torch.save(state, path)',
          '',
          '',
          'def _load_default(path):',
          '    try:',
          '        import torch',
          '    except ImportError:',
          "        with open(path, 'rb') as file:",
          '            return pickle.load(file)',
          "    return torch.load(path, map_location='cpu', weights_only=False)",
          '',
          '',
          'class CheckpointKeeper:',
          '    """Time-based, atomic checkpoints with verified copies in persistent storage.',
          '',
          '    keeper = CheckpointKeeper()',
          '    state, path = keeper.load_latest()        # (None, None) on the first run',
          '    for step in ...:',
          '        ...',
          "        keeper.maybe_save(lambda: {'model': model.state_dict(), 'step': step}, step)",
          '    """',
          '',
          '    def __init__(self, directory=CHECKPOINT_DIR, persistent_dir=PERSISTENT_CHECKPOINT_DIR,',
          '                 every_minutes=CHECKPOINT_EVERY_MINUTES, keep_last=CHECKPOINTS_KEPT,',
          '                 save=_save_default, load=_load_default, clock=time.monotonic):',
          '        self.directory = directory',
          '        self.persistent_dir = persistent_dir',
          '        self.every_seconds = every_minutes * 60',
          '        self.keep_last = keep_last',
          '        self._save, self._load, self._clock = save, load, clock',
          '        self._last_save = clock()',
          '        os.makedirs(directory, exist_ok=True)',
          '',
          '    def checkpoints(self, directory=None):',
          '        """The complete checkpoints, oldest first (temporary files are not listed)."""',
          '        directory = directory or self.directory',
          '        found = []',
          '        for entry in os.scandir(directory):',
          "            if entry.name.endswith('.pt') and not entry.name.startswith('.') and entry.is_file():",
          '                found.append((entry.stat().st_mtime_ns, entry.name, entry.path))',
          '        return [path for _, _, path in sorted(found)]',
          '',
          '    def latest(self):',
          '        """The newest checkpoint\'s path, or None."""',
          '        paths = self.checkpoints()',
          '        return paths[-1] if paths else None',
          '',
          '    def load_latest(self):',
          '        """(state, path) of the newest checkpoint, or (None, None)."""',
          '        path = self.latest()',
          '        return (self._load(path), path) if path else (None, None)',
          '',
          '    def due(self):',
          '        return self._clock() - self._last_save >= self.every_seconds',
          '',
          '    def maybe_save(self, state, step):',
          '        """Save when the interval has passed; `state` may be a function that returns it."""',
          '        if not self.due():',
          '            return None',
          '        return self.save(state() if callable(state) else state, step)',
          '',
          '    def save(self, state, step):',
          '        """Write atomically, keep the last N, copy to persistent storage; returns the path."""',
          '        name = f"ckpt-{time.strftime(\'%Y%m%d-%H%M%S\')}-step{int(step):09d}.pt"',
          '        path = os.path.join(self.directory, name)',
          "        fd, partial = tempfile.mkstemp(prefix=f'.{name}.', suffix='.partial', dir=self.directory)",
          '        os.close(fd)',
          '        try:',
          '            self._save(state, partial)',
          "            with open(partial, 'rb') as file:",
          '                os.fsync(file.fileno())',
          '            os.replace(partial, path)',
          '        except BaseException:',
          '            if os.path.exists(partial):',
          '                os.remove(partial)',
          '            raise',
          '        self._last_save = self._clock()',
          '        self._prune(self.directory)',
          '        if self.persistent_dir:',
          '            self.copy_to_persistent(path)',
          '        return path',
          '',
          '    def copy_to_persistent(self, path):',
          '        """Copy, then check size and that the copy loads; warns (training goes on) when not."""',
          '        try:',
          '            os.makedirs(self.persistent_dir, exist_ok=True)',
          '            target = os.path.join(self.persistent_dir, os.path.basename(path))',
          "            partial = os.path.join(self.persistent_dir, '.' + os.path.basename(path) + '.partial')",
          '            shutil.copyfile(path, partial)',
          '            os.replace(partial, target)',
          '            if os.path.getsize(target) != os.path.getsize(path):',
          "                raise OSError(f'the copy has {os.path.getsize(target)} bytes, not {os.path.getsize(path)}')",
          '            self._load(target)',
          '        except Exception as error:',
          "            warnings.warn(f'Checkpoint copy to {self.persistent_dir!r} failed: {error}; '",
          "                          f'the local checkpoint {path!r} is kept')",
          '            return None',
          '        self._prune(self.persistent_dir)',
          '        return target',
          '',
          '    def _prune(self, directory):',
          '        for old in self.checkpoints(directory)[:-self.keep_last]:',
          '            os.remove(old)',
          '',
          '',
          "print(f'CheckpointKeeper: {CHECKPOINT_DIR!r}, every {CHECKPOINT_EVERY_MINUTES} min, '",
          "      f'last {CHECKPOINTS_KEPT} kept, copies in {PERSISTENT_CHECKPOINT_DIR!r}')"
        ]
      }
    ]
  },
  {
    id: 'env-snapshot',
    label: 'Environment Snapshot',
    description:
      "Save pip freeze, Python, CUDA, driver, GPU and platform details in a timestamped folder beside the notebook, and record it in the notebook's metadata.",
    version: 1,
    variables: [
      {
        name: 'snapshot_dir',
        label: 'Snapshot folder (relative: beside the notebook)',
        kind: 'path',
        default: 'env-snapshots'
      }
    ],
    cells: [
      {
        type: 'markdown',
        source: [
          '### Environment snapshot',
          "Writes `pip freeze`, the Python version, CUDA, driver and GPU details, the platform and this notebook's name into a new timestamped folder in {{md:snapshot_dir}}, so the run can be reproduced. When the cell has run, the snapshot's path and the GPU type are recorded in the notebook's metadata (`gpu_session.env_snapshot`)."
        ]
      },
      {
        type: 'code',
        source: [
          'import datetime',
          'import importlib.util',
          'import json',
          'import os',
          'import platform',
          'import shutil',
          'import subprocess',
          'import sys',
          '',
          'from IPython.display import display',
          '',
          'SNAPSHOT_ROOT = os.path.expanduser({{py:snapshot_dir}})',
          'NOTEBOOK = {{py:notebook_path}}',
          '',
          '',
          'def _run(command, timeout=120):',
          '    try:',
          '        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)',
          '    except (OSError, subprocess.TimeoutExpired) as error:',
          '        return None, str(error)',
          '    return (result.stdout if result.returncode == 0 else None), result.stderr.strip()',
          '',
          '',
          'def _env_snapshot():',
          "    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')",
          '    folder, n = os.path.join(SNAPSHOT_ROOT, stamp), 1',
          '    while os.path.exists(folder):',
          "        folder, n = os.path.join(SNAPSHOT_ROOT, f'{stamp}-{n}'), n + 1",
          '    os.makedirs(folder)',
          "    freeze, freeze_error = _run([sys.executable, '-m', 'pip', 'freeze', '--all'])",
          "    with open(os.path.join(folder, 'requirements-freeze.txt'), 'w', encoding='utf-8') as file:",
          "        file.write(freeze if freeze is not None else f'# pip freeze failed: {freeze_error}\\n')",
          '    gpus, gpu_error = [], None',
          "    smi = shutil.which('nvidia-smi')",
          '    if smi:',
          "        fields = ['index', 'name', 'uuid', 'driver_version', 'memory.total', 'compute_cap']",
          "        out, gpu_error = _run([smi, '--query-gpu=' + ','.join(fields), '--format=csv,noheader,nounits'], 30)",
          "        for line in (out or '').splitlines():",
          "            gpus.append(dict(zip(fields, (part.strip() for part in line.split(',')))))",
          '        cuda_line, _ = _run([smi], 30)',
          "        cuda_driver = next((part.split(':')[1].strip().split()[0] for part in (cuda_line or '').split('|')",
          "                            if 'CUDA Version' in part), None)",
          '    else:',
          "        gpu_error, cuda_driver = 'nvidia-smi not found', None",
          '    frameworks = {}',
          "    if importlib.util.find_spec('torch'):",
          '        import torch',
          "        frameworks['torch'] = {'version': torch.__version__, 'cuda': torch.version.cuda,",
          "                               'cudnn': torch.backends.cudnn.version(),",
          "                               'cuda_available': torch.cuda.is_available()}",
          "    nvcc = shutil.which('nvcc')",
          '    info = {',
          "        'notebook': NOTEBOOK,",
          "        'created': datetime.datetime.now(datetime.timezone.utc).isoformat(),",
          "        'python': sys.version,",
          "        'python_executable': sys.executable,",
          "        'platform': platform.platform(),",
          "        'machine': platform.machine(),",
          "        'hostname': platform.node(),",
          "        'session_platform': {{py:platform}},",
          "        'environment_markers': {name: os.environ[name] for name in",
          "                                ('COLAB_RELEASE_TAG', 'KAGGLE_KERNEL_RUN_TYPE', 'SLURM_JOB_ID',",
          "                                 'JUPYTERHUB_USER', 'CUDA_VISIBLE_DEVICES') if name in os.environ},",
          "        'cuda_driver_version': cuda_driver,",
          "        'nvcc': ((_run([nvcc, '--version'], 30)[0] or '').strip() or None) if nvcc else None,",
          "        'gpus': gpus,",
          "        'gpu_error': gpu_error,",
          "        'frameworks': frameworks,",
          '    }',
          "    with open(os.path.join(folder, 'environment.json'), 'w', encoding='utf-8') as file:",
          '        json.dump(info, file, indent=2)',
          "    gpu = gpus[0].get('name') if gpus else None",
          '    display({',
          "        'application/vnd.jupyterlab-gpu-session.snapshot+json': {",
          "            'path': folder, 'absolute_path': os.path.abspath(folder), 'gpu': gpu, 'notebook': NOTEBOOK},",
          "        'text/plain': f'Environment snapshot saved in {folder} (GPU: {gpu or \"none\"})',",
          '    }, raw=True)',
          '    return folder',
          '',
          '',
          'ENV_SNAPSHOT_DIR = _env_snapshot()'
        ]
      }
    ]
  },
  {
    id: 'gpu-check',
    label: 'GPU Check',
    description:
      'What GPU the kernel sees, whether the installed frameworks see CUDA, and a short matrix-multiply throughput figure.',
    version: 1,
    variables: [
      {
        name: 'matrix_size',
        label: 'Matrix size for the GPU timing',
        kind: 'integer',
        default: '4096',
        minimum: 16,
        maximum: 32768,
        description:
          'On the CPU (numpy) at most 1024 is used; the pure-Python fallback uses 64.'
      }
    ],
    cells: [
      {
        type: 'markdown',
        source: [
          '### GPU check',
          'Shows the GPUs this kernel sees (`nvidia-smi`), whether the frameworks that are installed (torch, tensorflow, jax; nothing is installed) see CUDA, and a matrix-multiply throughput figure: torch on the GPU when it can, else numpy on the CPU, else a small pure-Python product.'
        ]
      },
      {
        type: 'code',
        source: [
          'import importlib.util',
          'import os',
          'import shutil',
          'import subprocess',
          'import sys',
          'import time',
          '',
          'MATRIX_SIZE = {{int:matrix_size}}',
          '',
          '',
          'def _gpu_check():',
          '    print(f\'Python {sys.version.split()[0]}; CUDA_VISIBLE_DEVICES={os.environ.get("CUDA_VISIBLE_DEVICES", "(not set)")}\')',
          "    smi = shutil.which('nvidia-smi')",
          '    if smi is None:',
          "        print('nvidia-smi: not found (no NVIDIA driver visible to this kernel)')",
          '    else:',
          '        try:',
          "            out = subprocess.run([smi, '--query-gpu=index,name,driver_version,memory.total',",
          "                                  '--format=csv,noheader'], capture_output=True, text=True, timeout=30)",
          "            print('nvidia-smi:', out.stdout.strip() or out.stderr.strip() or f'exit status {out.returncode}')",
          '        except (OSError, subprocess.TimeoutExpired) as error:',
          "            print('nvidia-smi: failed:', error)",
          '    torch = None',
          "    if importlib.util.find_spec('torch'):",
          '        import torch',
          '        if torch.cuda.is_available():',
          "            names = ', '.join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))",
          "            print(f'torch {torch.__version__}: CUDA {torch.version.cuda}, sees {names}')",
          '        else:',
          "            print(f'torch {torch.__version__}: no CUDA device')",
          '    else:',
          "        print('torch: not installed')",
          "    if importlib.util.find_spec('tensorflow'):",
          '        import tensorflow as tf',
          "        gpus = tf.config.list_physical_devices('GPU')",
          "        print(f'tensorflow {tf.__version__}: ' + (f'sees {len(gpus)} GPU(s)' if gpus else 'no GPU'))",
          '    else:',
          "        print('tensorflow: not installed')",
          "    if importlib.util.find_spec('jax'):",
          '        import jax',
          "        devices = [d for d in jax.devices() if d.platform == 'gpu']",
          "        print(f'jax {jax.__version__}: ' + (f'sees {len(devices)} GPU(s)' if devices else 'no GPU'))",
          '    else:',
          "        print('jax: not installed')",
          '',
          '    if torch is not None and torch.cuda.is_available():',
          "        n, how = MATRIX_SIZE, 'torch float32 on ' + torch.cuda.get_device_name(0)",
          "        a = torch.randn(n, n, device='cuda')",
          "        b = torch.randn(n, n, device='cuda')",
          '        a @ b',
          '        torch.cuda.synchronize()',
          '        start, repeats = time.perf_counter(), 10',
          '        for _ in range(repeats):',
          '            a @ b',
          '        torch.cuda.synchronize()',
          "    elif importlib.util.find_spec('numpy'):",
          '        import numpy as np',
          "        n, how = min(MATRIX_SIZE, 1024), 'numpy float32 on the CPU'",
          '        a = np.random.rand(n, n).astype(np.float32)',
          '        b = np.random.rand(n, n).astype(np.float32)',
          '        a @ b',
          '        start, repeats = time.perf_counter(), 3',
          '        for _ in range(repeats):',
          '            a @ b',
          '    else:',
          "        n, how = min(MATRIX_SIZE, 64), 'pure Python on the CPU'",
          '        a = [[(i * n + j) % 7 / 7 for j in range(n)] for i in range(n)]',
          '        columns = list(zip(*a))',
          '        start, repeats = time.perf_counter(), 1',
          '        [[sum(x * y for x, y in zip(row, col)) for col in columns] for row in a]',
          '    seconds = time.perf_counter() - start',
          "    print(f'matmul {n}x{n}, {how}: {2 * n ** 3 * repeats / seconds / 1e9:.3g} GFLOP/s')",
          '',
          '',
          '_gpu_check()'
        ]
      }
    ]
  }
];
