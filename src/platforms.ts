/**
 * The one table of the platforms a session can run on: the ids the probe
 * detects, their names, their lifetime presets and the storage variant the
 * templates pick there. Every other list (the presets, the templates'
 * platform ids, the mapping from a detected platform to its preset) is
 * derived from it; a test checks that probe.py and the settings schemas
 * agree with it.
 *
 * docs/platforms.md gives the sources and dates of the numbers. This module
 * imports nothing.
 */

/** One lifetime preset: the limits a platform imposes, with their source. */
export interface IPresetEntry {
  /** The preset id, as in the countdown's `preset` setting. */
  readonly id: string;
  readonly name: string;
  /** Hard lifetime of a runtime, seconds; null when there is none. */
  readonly lifetimeS: number | null;
  /** Idle time after which the runtime is stopped, seconds; null if none. */
  readonly idleTimeoutS: number | null;
  /** Where the numbers come from, in words. */
  readonly source: string;
}

/** One platform. */
export interface IPlatform {
  /** The id the probe reports in `platform.id`. */
  readonly id: string;
  readonly name: string;
  /** Its presets; the first is the one a detected platform gets. */
  readonly presets: readonly IPresetEntry[];
  /** The drive-mount template's storage variant on this platform. */
  readonly storageVariant: string;
}

const HOUR = 3600;
const MINUTE = 60;

/** The platforms, in the order the probe tests for them. */
export const PLATFORM_TABLE: readonly IPlatform[] = [
  {
    id: 'colab',
    name: 'Google Colab',
    storageVariant: 'colab',
    presets: [
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
        source:
          'Colab Enterprise docs: idle shutdown after 180 minutes by default'
      }
    ]
  },
  {
    id: 'kaggle',
    name: 'Kaggle',
    storageVariant: 'kaggle',
    presets: [
      {
        id: 'kaggle',
        name: 'Kaggle',
        lifetimeS: 12 * HOUR,
        idleTimeoutS: null,
        source: 'Kaggle docs: notebook sessions last at most 12 hours'
      }
    ]
  },
  {
    id: 'sagemaker-studio-lab',
    name: 'SageMaker Studio Lab',
    storageVariant: 'sagemaker-studio-lab',
    presets: [
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
      }
    ]
  },
  {
    id: 'paperspace',
    name: 'Paperspace Gradient',
    storageVariant: 'generic',
    presets: [
      {
        id: 'paperspace-free',
        name: 'Paperspace Gradient (free)',
        lifetimeS: 6 * HOUR,
        idleTimeoutS: null,
        source: 'Paperspace docs: free notebooks shut down after 6 hours'
      }
    ]
  },
  {
    id: 'slurm',
    name: 'Slurm job',
    storageVariant: 'generic',
    presets: [
      {
        id: 'slurm',
        name: 'Slurm job',
        lifetimeS: null,
        idleTimeoutS: null,
        source: 'the job’s end time from the scheduler'
      }
    ]
  },
  {
    id: 'jupyterhub',
    name: 'JupyterHub',
    storageVariant: 'generic',
    presets: [
      {
        id: 'jupyterhub',
        name: 'JupyterHub',
        lifetimeS: null,
        idleTimeoutS: null,
        source: 'the server’s culling settings'
      }
    ]
  },
  {
    id: 'generic',
    name: 'This machine',
    storageVariant: 'generic',
    presets: [
      {
        id: 'none',
        name: 'No limits',
        lifetimeS: null,
        idleTimeoutS: null,
        source: 'no limits assumed'
      }
    ]
  }
];

/** The platform ids, in table order. */
export const PLATFORM_IDS: readonly string[] = PLATFORM_TABLE.map(p => p.id);

/** The platform with `id`, or undefined. */
export function findPlatform(id: string): IPlatform | undefined {
  return PLATFORM_TABLE.find(platform => platform.id === id);
}
