/**
 * The monitor's settings, read from the settings registry and made safe.
 */

/** Where the probe runs: see schema/monitor.json `transport`. */
export type TransportSetting = 'auto' | 'subshell' | 'monitor-kernel';

/** Which GPU path the probe takes. */
export type GpuSource = 'auto' | 'nvml' | 'nvidia-smi';

/** Monitor settings with units in the names, already validated. */
export interface IMonitorSettings {
  /** Time between samples. */
  intervalMs: number;
  /** How long to wait for one sample before the data is marked stale. */
  timeoutMs: number;
  gpuSource: GpuSource;
  /** The nvidia-smi command used by the fallback path. */
  nvidiaSmiPath: string;
  /** Paths whose disks are shown; empty means the kernel's folder and home. */
  diskPaths: string[];
  /**
   * After this long with no user input and no busy kernel, monitoring
   * pauses and the monitor kernel is shut down; 0 never pauses.
   */
  idlePauseMs: number;
  /**
   * While the tab is hidden, samples are taken only when a kernel of the
   * page is busy, and no more often than this.
   */
  hiddenBusyIntervalMs: number;
  /** Where the probe runs. */
  transport: TransportSetting;
  /** Whether a monitor kernel may be started while no notebook is open. */
  monitorKernelWithoutNotebook: boolean;
}

/** The smallest interval accepted: NVML averages utilization over ~1 s. */
export const MIN_INTERVAL_MS = 500;

/** The defaults, the same as in schema/monitor.json. */
export const DEFAULT_MONITOR_SETTINGS: IMonitorSettings = {
  intervalMs: 2000,
  timeoutMs: 10000,
  gpuSource: 'auto',
  nvidiaSmiPath: 'nvidia-smi',
  diskPaths: [],
  idlePauseMs: 10 * 60 * 1000,
  hiddenBusyIntervalMs: 30 * 1000,
  transport: 'auto',
  monitorKernelWithoutNotebook: true
};

/**
 * Read the composite settings object; each bad value falls back to its
 * default and is reported, so one typo never stops the monitor.
 */
export function readMonitorSettings(composite: { [key: string]: unknown }): {
  settings: IMonitorSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const d = DEFAULT_MONITOR_SETTINGS;
  const seconds = (key: string, fallbackMs: number, minMs: number): number => {
    const value = composite[key];
    if (value === undefined) {
      return fallbackMs;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${key} must be a number of seconds`);
      return fallbackMs;
    }
    if (value * 1000 < minMs) {
      problems.push(`${key} must be at least ${minMs / 1000} s`);
      return minMs;
    }
    return value * 1000;
  };
  const source = composite.gpuSource ?? d.gpuSource;
  const gpuSource: GpuSource =
    source === 'auto' || source === 'nvml' || source === 'nvidia-smi'
      ? source
      : (problems.push('gpuSource must be auto, nvml or nvidia-smi'),
        d.gpuSource);
  const smi = composite.nvidiaSmiPath ?? d.nvidiaSmiPath;
  const nvidiaSmiPath =
    typeof smi === 'string' && smi.trim() !== ''
      ? smi
      : (problems.push('nvidiaSmiPath must be a command name or path'),
        d.nvidiaSmiPath);
  const disks = composite.diskPaths ?? d.diskPaths;
  const diskPaths =
    Array.isArray(disks) && disks.every(p => typeof p === 'string')
      ? (disks as string[]).filter(p => p.trim() !== '')
      : (problems.push('diskPaths must be a list of paths'), d.diskPaths);
  const where = composite.transport ?? d.transport;
  const transport: TransportSetting =
    where === 'auto' || where === 'subshell' || where === 'monitor-kernel'
      ? where
      : (problems.push('transport must be auto, subshell or monitor-kernel'),
        d.transport);
  const without =
    composite.monitorKernelWithoutNotebook ?? d.monitorKernelWithoutNotebook;
  const monitorKernelWithoutNotebook =
    typeof without === 'boolean'
      ? without
      : (problems.push('monitorKernelWithoutNotebook must be true or false'),
        d.monitorKernelWithoutNotebook);
  const idle = composite.idlePauseMinutes;
  let idlePauseMs = d.idlePauseMs;
  if (idle !== undefined) {
    if (typeof idle !== 'number' || !Number.isFinite(idle) || idle < 0) {
      problems.push('idlePauseMinutes must be a number of minutes, 0 or more');
    } else {
      idlePauseMs = idle * 60 * 1000;
    }
  }
  return {
    settings: {
      intervalMs: seconds('pollIntervalSeconds', d.intervalMs, MIN_INTERVAL_MS),
      timeoutMs: seconds('requestTimeoutSeconds', d.timeoutMs, 1000),
      gpuSource,
      nvidiaSmiPath,
      diskPaths,
      idlePauseMs,
      hiddenBusyIntervalMs: seconds(
        'hiddenBusyIntervalSeconds',
        d.hiddenBusyIntervalMs,
        1000
      ),
      transport,
      monitorKernelWithoutNotebook
    },
    problems
  };
}
