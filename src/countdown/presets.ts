/**
 * Session-lifetime presets: the limits each platform imposes, with where
 * the numbers come from. docs/platforms.md gives the sources and dates;
 * every number can be overridden in the settings.
 */

/** One platform's limits. */
export interface IPreset {
  id: string;
  name: string;
  /** Hard lifetime of a runtime, seconds; null when there is none. */
  lifetimeS: number | null;
  /** Idle time after which the runtime is stopped, seconds; null if none. */
  idleTimeoutS: number | null;
  /** Where the numbers come from, in words. */
  source: string;
}

const HOUR = 3600;
const MINUTE = 60;

/** The built-in presets, by id. */
export const PRESETS: readonly IPreset[] = [
  {
    id: 'colab-free',
    name: 'Colab (free)',
    lifetimeS: 12 * HOUR,
    idleTimeoutS: 90 * MINUTE,
    source:
      'Colab FAQ: runtimes last at most 12 hours; idle ones stop after about 90 minutes'
  },
  {
    id: 'colab-pro',
    name: 'Colab Pro / Pro+',
    lifetimeS: 24 * HOUR,
    idleTimeoutS: 90 * MINUTE,
    source: 'Colab FAQ: paid runtimes last up to 24 hours'
  },
  {
    id: 'colab-enterprise',
    name: 'Colab Enterprise',
    lifetimeS: null,
    idleTimeoutS: 180 * MINUTE,
    source: 'Colab Enterprise docs: idle shutdown after 180 minutes by default'
  },
  {
    id: 'kaggle',
    name: 'Kaggle',
    lifetimeS: 12 * HOUR,
    idleTimeoutS: null,
    source: 'Kaggle docs: notebook sessions last at most 12 hours'
  },
  {
    id: 'sagemaker-studio-lab-gpu',
    name: 'SageMaker Studio Lab (GPU)',
    lifetimeS: 4 * HOUR,
    idleTimeoutS: null,
    source: 'Studio Lab docs: GPU sessions last 4 hours'
  },
  {
    id: 'sagemaker-studio-lab-cpu',
    name: 'SageMaker Studio Lab (CPU)',
    lifetimeS: 12 * HOUR,
    idleTimeoutS: null,
    source: 'Studio Lab docs: CPU sessions last 12 hours'
  },
  {
    id: 'paperspace-free',
    name: 'Paperspace Gradient (free)',
    lifetimeS: 6 * HOUR,
    idleTimeoutS: null,
    source: 'Paperspace docs: free notebooks shut down after 6 hours'
  },
  {
    id: 'slurm',
    name: 'Slurm job',
    lifetimeS: null,
    idleTimeoutS: null,
    source: 'the job’s end time from the scheduler'
  },
  {
    id: 'jupyterhub',
    name: 'JupyterHub',
    lifetimeS: null,
    idleTimeoutS: null,
    source: 'the server’s culling settings'
  },
  {
    id: 'none',
    name: 'No limits',
    lifetimeS: null,
    idleTimeoutS: null,
    source: 'no limits assumed'
  }
];

/** Which preset a detected platform id maps to. */
export const PRESET_FOR_PLATFORM: Record<string, string> = {
  colab: 'colab-free',
  kaggle: 'kaggle',
  'sagemaker-studio-lab': 'sagemaker-studio-lab-gpu',
  paperspace: 'paperspace-free',
  slurm: 'slurm',
  jupyterhub: 'jupyterhub',
  generic: 'none'
};

/** The preset with `id`, or undefined. */
export function findPreset(id: string): IPreset | undefined {
  return PRESETS.find(preset => preset.id === id);
}
