/**
 * Formatting for warnings: durations in whole minutes (so a notification
 * changes once a minute, not every sample) and prices.
 */

/** `125_000` ms → `"2 min"`, `5_400_000` → `"1 h 30 min"`, under a minute → `"<1 min"`. */
export function formatMinutes(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) {
    return '<1 min';
  }
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) {
    return `${m} min`;
  }
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

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
