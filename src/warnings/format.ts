/**
 * Formatting for warnings: prices (durations: `formatDuration` of
 * ui/format.ts).
 */

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
