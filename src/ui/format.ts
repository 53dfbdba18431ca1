/**
 * Formatting helpers: numbers with units a person reads at a glance.
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1536` → `"1.5 KiB"`; null → `"–"`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) {
    return '–';
  }
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** `42.4` → `"42%"`; null → `"–"`. */
export function formatPercent(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) {
    return '–';
  }
  return `${Math.round(percent)}%`;
}

/** A number with a unit, or `"–"` when unknown. */
export function formatNumber(
  value: number | null,
  unit: string,
  digits = 0
): string {
  if (value === null || !Number.isFinite(value)) {
    return '–';
  }
  return `${value.toFixed(digits)}${unit}`;
}

/** Seconds as `"2h 05m"`, `"4m 10s"` or `"12s"`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) {
    return `${h}h ${String(m).padStart(2, '0')}m`;
  }
  if (m > 0) {
    return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  }
  return `${s}s`;
}

/** Share of `used` in `total` in percent, or null when either is unknown. */
export function percentOf(
  used: number | null,
  total: number | null
): number | null {
  if (used === null || total === null || total <= 0) {
    return null;
  }
  return (100 * used) / total;
}

/** A clock time `hh:mm:ss` in the browser's time zone. */
export function formatClock(timeMs: number): string {
  return new Date(timeMs).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit'
  });
}
