/**
 * Formatting for warnings: prices and the snooze caption (durations:
 * `formatDuration` of ui/format.ts).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { formatDuration } from '../ui/format';

/** What `ms` of a machine costs at `hourlyPrice`: `"$0.68"`; null without a price. */
export function formatCost(
  ms: number,
  hourlyPrice: number | null,
  currency: string
): string | null {
  if (hourlyPrice === null || !(hourlyPrice > 0)) {
    return null;
  }
  const cost = (hourlyPrice * Math.max(0, ms)) / 3_600_000;
  return `${currency}${cost.toFixed(2)}`;
}

/** The tooltip of a Snooze button: `"Hide warnings of this kind for 1h"`. */
export function snoozeCaption(
  minutes: number,
  trans: TranslationBundle
): string {
  return trans.__(
    'Hide warnings of this kind for %1',
    formatDuration(minutes * 60_000)
  );
}
