/**
 * What the warning rules share: reading runs and recent values out of a
 * history, names and actions.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandIDs } from '../commands';
import { IGpuSample } from '../monitor/protocol';
import { IHistoryView, IWarningAction } from './types';

/** Bytes in a GiB, for the thresholds given in GiB. */
export const GIB = 1024 ** 3;

/**
 * The trailing run of "quiet" points: walking back from the newest point,
 * the points for which `quiet` is true, with no stretch longer than
 * `maxGapMs` without a valid point (a longer gap ends the run: nothing is
 * known about it). `quiet` returns null for a point with a missing value
 * (a gap). The newest valid point must be recent (within `maxGapMs`).
 */
export function trailingRun(
  history: IHistoryView,
  keys: string[],
  quiet: (values: number[]) => boolean | null,
  now: number,
  maxGapMs: number
): { since: number; peaks: number[] } | null {
  const series = keys.map(key => history.points(key));
  const times = series[0]?.times ?? new Float64Array(0);
  let since: number | null = null;
  let newer = now;
  const peaks = keys.map(() => -Infinity);
  for (let i = times.length - 1; i >= 0; i--) {
    const t = times[i];
    if (t > now) {
      continue;
    }
    const values = series.map(s => s.values[i]);
    const q = values.some(v => !Number.isFinite(v)) ? null : quiet(values);
    if (q === null) {
      continue;
    }
    if (!q || newer - t > maxGapMs) {
      break;
    }
    since = t;
    newer = t;
    values.forEach((v, k) => (peaks[k] = Math.max(peaks[k], v)));
  }
  return since === null ? null : { since, peaks };
}

/** The newest finite value of `key` no older than `maxGapMs`, or null. */
export function lastFinite(
  history: IHistoryView,
  key: string,
  now: number,
  maxGapMs: number
): number | null {
  const { times, values } = history.points(key, now - maxGapMs);
  for (let i = values.length - 1; i >= 0; i--) {
    if (times[i] <= now && Number.isFinite(values[i])) {
      return values[i];
    }
  }
  return null;
}

/** A GPU as messages name it: `GPU 0 (Tesla T4)`. */
export function gpuLabel(gpu: IGpuSample): string {
  return gpu.name ? `GPU ${gpu.index} (${gpu.name})` : `GPU ${gpu.index}`;
}

/** The action that opens the GPU sidebar. */
export function openSidebarAction(trans: TranslationBundle): IWarningAction {
  return { label: trans.__('Open GPU sidebar'), command: CommandIDs.open };
}
