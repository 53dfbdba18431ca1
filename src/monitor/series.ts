/**
 * The history series a sample feeds, and their names.
 */
import { IProbeSample } from './protocol';

/** How long the history plots look back. */
export const HISTORY_WINDOW_MS = 10 * 60 * 1000;

/** History series names, shared by the model and the plots. */
export namespace SeriesKeys {
  /** The host's RAM in use, percent. */
  export const ram = 'ram-percent';
  /** GPU `index`'s utilization, percent. */
  export function gpuUtilization(index: number): string {
    return `gpu-${index}-utilization-percent`;
  }
  /** GPU `index`'s memory in use, percent. */
  export function gpuMemory(index: number): string {
    return `gpu-${index}-memory-percent`;
  }
}

/** The history values of one sample, by series name. */
export function historyValues(
  sample: IProbeSample
): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const gpu of sample.gpus) {
    values[SeriesKeys.gpuUtilization(gpu.index)] = gpu.utilization_gpu_percent;
    values[SeriesKeys.gpuMemory(gpu.index)] =
      gpu.memory_used_bytes !== null && gpu.memory_total_bytes
        ? (100 * gpu.memory_used_bytes) / gpu.memory_total_bytes
        : null;
  }
  const host = sample.host;
  const ramTotal = host.memory_limit_bytes ?? host.memory_total_bytes;
  values[SeriesKeys.ram] =
    host.memory_used_bytes !== null && ramTotal
      ? (100 * host.memory_used_bytes) / ramTotal
      : null;
  return values;
}
