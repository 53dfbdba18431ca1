/**
 * The monitor's settings. schema/monitor.json is their only source of
 * defaults and ranges (the settings registry enforces the ranges); this
 * reads what the registry validated, in the units the monitor works in.
 */
import { monitor as schema } from '../settings/schemaDefaults';
import { Composite, IReadResult, settingsReader } from '../settings/reader';

const reader = settingsReader(schema);

/** Where the probe runs: see schema/monitor.json `transport`. */
export type TransportSetting =
  'auto' | 'subshell' | 'monitor-kernel' | 'server';

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
  /** After this long with no user input, a visible page samples slower; 0 never. */
  quietAfterMs: number;
  /** The interval between samples while nobody gives input. */
  quietIntervalMs: number;
  /** Where the probe runs. */
  transport: TransportSetting;
  /** Whether a monitor kernel may be started while no notebook is open. */
  monitorKernelWithoutNotebook: boolean;
}

/**
 * Read the composite settings; a value of the wrong type falls back to the
 * schema's default for that key and is reported, naming the key.
 */
export function readMonitorSettings(
  composite: Composite
): IReadResult<IMonitorSettings> {
  const r = reader(composite);
  const settings: IMonitorSettings = {
    intervalMs: r.num('pollIntervalSeconds') * 1000,
    timeoutMs: r.num('requestTimeoutSeconds') * 1000,
    gpuSource: r.enumOf('gpuSource', ['auto', 'nvml', 'nvidia-smi'] as const),
    nvidiaSmiPath: r.str('nvidiaSmiPath'),
    // A blank path would ask the probe for nothing: the schema forbids
    // none, so they are dropped here.
    diskPaths: r.strList('diskPaths').filter(p => p.trim() !== ''),
    idlePauseMs: r.num('idlePauseMinutes') * 60_000,
    hiddenBusyIntervalMs: r.num('hiddenBusyIntervalSeconds') * 1000,
    quietAfterMs: r.num('quietAfterSeconds') * 1000,
    quietIntervalMs: r.num('quietIntervalSeconds') * 1000,
    transport: r.enumOf('transport', [
      'auto',
      'subshell',
      'monitor-kernel',
      'server'
    ] as const),
    monitorKernelWithoutNotebook: r.bool('monitorKernelWithoutNotebook')
  };
  return { settings, problems: r.problems };
}

/** The settings given no user settings: the schema's defaults. */
export const DEFAULT_MONITOR_SETTINGS: IMonitorSettings = readMonitorSettings(
  {}
).settings;
