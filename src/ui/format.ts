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

/**
 * The one duration format of the extension: `ms` as `"2h 05m"`, `"4m 10s"`
 * or `"45s"`, a trailing zero unit left out (`"2h"`, `"10m"`); seconds are
 * not shown next to hours.
 *
 * @param resolution - `minute`: whole minutes only (rounded down), and
 * `"<1m"` under one, for a text that stands for long and should change
 * once a minute (a warning's "idle 20m"), not every second.
 */
export function formatDuration(
  ms: number,
  resolution: 'second' | 'minute' = 'second'
): string {
  const safe = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  const seconds =
    resolution === 'minute'
      ? Math.floor(safe / 60_000) * 60
      : Math.round(safe / 1000);
  if (resolution === 'minute' && seconds < 60) {
    return '<1m';
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) {
    return m === 0 ? `${h}h` : `${h}h ${pad(m)}m`;
  }
  if (m > 0) {
    return s === 0 ? `${m}m` : `${m}m ${pad(s)}s`;
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
