/**
 * The built-in `drive-mount` template: mount Google Drive on Colab, or use
 * the platform's persistent storage (Kaggle, SageMaker Studio Lab, an rclone
 * remote, a folder of your choice), and check that the folder is there. Its
 * id, label and description are in ../builtinIndex.ts (they are needed at
 * start); this file, loaded on first use, holds the rest as data.
 */
import { IBuiltinBody } from './body';

/** Version, variables and cells of `drive-mount`. */
export const driveMount: IBuiltinBody = {
  version: 1,
  variables: [
    {
      name: 'variant',
      label: 'Platform',
      kind: 'choice',
      choices: ['colab', 'kaggle', 'sagemaker-studio-lab', 'rclone', 'generic'],
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
};
