/**
 * The built-in `env-snapshot` template: a timestamped snapshot of the
 * environment (pip freeze, Python, CUDA, driver, GPU, platform) beside the
 * notebook, which the plugin records in the notebook's metadata. Its id,
 * label and description are in ../builtinIndex.ts (they are needed at
 * start); this file, loaded on first use, holds the rest as data.
 */
import { IBuiltinBody } from './body';

/** Version, variables and cells of `env-snapshot`. */
export const envSnapshot: IBuiltinBody = {
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
};
