/**
 * The built-in `gpu-check` template: what GPU the kernel sees, whether the
 * frameworks see CUDA, and a short matrix-multiply throughput figure. Its
 * id, label and description are in ../builtinIndex.ts (they are needed at
 * start); this file, loaded on first use, holds the rest as data.
 */
import { IBuiltinBody } from './body';

/** Version, variables and cells of `gpu-check`. */
export const gpuCheck: IBuiltinBody = {
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
};
