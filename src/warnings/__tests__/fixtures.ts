/**
 * Synthetic samples and histories for the warning tests.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { SampleHistory } from '../../monitor/history';
import { SeriesKeys } from '../../monitor/monitor';
import { IGpuSample, IProbeSample } from '../../monitor/protocol';
import { DEFAULT_WARNINGS_SETTINGS, IWarningsSettings } from '../settings';
import { IRuleInput } from '../types';

export const GIB = 1024 ** 3;
export const MINUTE = 60_000;
/** A fixed "now" for the tests. */
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A GPU with the given utilization and memory use. */
export function gpu(
  index: number,
  utilization: number | null,
  memoryPercent: number | null,
  totalGiB = 16
): IGpuSample {
  return {
    index,
    uuid: `GPU-${index}`,
    name: 'Tesla T4',
    memory_total_bytes: totalGiB * GIB,
    memory_used_bytes:
      memoryPercent === null ? null : (memoryPercent / 100) * totalGiB * GIB,
    utilization_gpu_percent: utilization,
    utilization_memory_percent: null,
    temperature_c: 40,
    power_draw_w: null,
    power_limit_w: null,
    mig_enabled: false,
    processes: []
  };
}

/** A sample with `gpus`, RAM `ramUsedGiB` of `ramTotalGiB`. */
export function sample(
  options: {
    gpus?: IGpuSample[];
    ramUsedGiB?: number | null;
    ramTotalGiB?: number;
    ramLimitGiB?: number | null;
    disks?: IProbeSample['host']['disks'];
    kernels?: IProbeSample['kernels'];
  } = {}
): IProbeSample {
  const used = options.ramUsedGiB === undefined ? 8 : options.ramUsedGiB;
  return {
    schema_version: 1,
    timestamp: NOW / 1000,
    probe_duration_ms: 1,
    probe_pid: 1,
    gpu_source: options.gpus?.length ? 'nvml' : null,
    gpu_error: options.gpus?.length ? null : 'no GPU',
    gpus: options.gpus ?? [],
    host: {
      hostname: 'test',
      cpu_count: 8,
      load_avg_1m: 0,
      memory_total_bytes: (options.ramTotalGiB ?? 64) * GIB,
      memory_available_bytes: null,
      memory_used_bytes: used === null ? null : used * GIB,
      memory_limit_bytes:
        options.ramLimitGiB === undefined || options.ramLimitGiB === null
          ? null
          : options.ramLimitGiB * GIB,
      swap_total_bytes: 0,
      swap_used_bytes: 0,
      boot_time: 0,
      disks: options.disks ?? []
    },
    kernels: options.kernels ?? {},
    platform: null,
    checkpoint: null
  };
}

/**
 * A history of `minutes` minutes up to NOW, one point every `stepMs`;
 * `values(t)` gives each point's series (t: ms before NOW).
 */
export function history(
  minutes: number,
  values: (msBeforeNow: number) => Record<string, number | null>,
  stepMs = 10_000
): SampleHistory {
  const count = Math.floor((minutes * MINUTE) / stepMs) + 1;
  const h = new SampleHistory(count + 1);
  for (let i = count - 1; i >= 0; i--) {
    h.push(NOW - i * stepMs, values(i * stepMs));
  }
  return h;
}

/** Series values for GPU `index`. */
export function gpuValues(
  index: number,
  utilization: number | null,
  memory: number | null
): Record<string, number | null> {
  return {
    [SeriesKeys.gpuUtilization(index)]: utilization,
    [SeriesKeys.gpuMemory(index)]: memory
  };
}

/** Settings with some groups changed. */
export function settings(
  changes: Partial<IWarningsSettings> = {}
): IWarningsSettings {
  return { ...DEFAULT_WARNINGS_SETTINGS, ...changes };
}

/** A rule input with defaults. */
export function input(changes: Partial<IRuleInput> = {}): IRuleInput {
  return {
    now: NOW,
    history: new SampleHistory(1),
    sample: null,
    maxGapMs: MINUTE,
    kernels: [],
    deaths: [],
    settings: settings(),
    active: new Set(),
    trans: nullTranslator.load('jupyterlab_gpu_session'),
    ...changes
  };
}
