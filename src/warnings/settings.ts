/**
 * The warnings' settings. schema/warnings.json is their only source of
 * defaults and ranges; this reads what the settings registry validated.
 */
import { warnings as schema } from '../settings/schemaDefaults';
import { Composite, IReadResult, settingsReader } from '../settings/reader';

const reader = settingsReader(schema);

/** Settings of the warnings, units in the names (see schema/warnings.json). */
export interface IWarningsSettings {
  /** Show notifications when a warning is raised (the list always shows). */
  notifications: boolean;
  /** How long Snooze hides the warnings of one rule. */
  snoozeMinutes: number;
  /**
   * How far (percentage points; percent of the threshold for amounts) a
   * value must come back past its threshold before a warning clears.
   */
  hysteresisPercent: number;
  /** Price of the machine per hour; null when unknown. */
  hourlyPrice: number | null;
  /** Written before prices. */
  currency: string;
  /** A GPU stays under both shares for `minutes`. */
  gpuIdle: IRuleSettings & {
    utilizationPercent: number;
    memoryPercent: number;
    minutes: number;
  };
  /** An idle kernel holds more than `memoryGiB` for `minutes`. */
  idleKernelGpuMemory: IRuleSettings & { minutes: number; memoryGiB: number };
  /** GPU memory above `percent`. */
  gpuMemoryFull: IRuleSettings & { percent: number };
  /** RAM above `percent` of the limit. */
  ramFull: IRuleSettings & { percent: number };
  /** Peak RAM under `peakPercent` of a limit above `minimumLimitGiB`. */
  ramUnused: IRuleSettings & {
    minutes: number;
    peakPercent: number;
    minimumLimitGiB: number;
  };
  /** A monitored disk above `percent`. */
  diskFull: IRuleSettings & { percent: number };
  /** RAM above `percent` before a kernel died; shown for `showMinutes`. */
  kernelDiedNearLimit: IRuleSettings & {
    percent: number;
    showMinutes: number;
  };
}

/** What every rule's settings hold. */
export interface IRuleSettings {
  /** Whether the rule runs. */
  enabled: boolean;
}

/**
 * Read the composite settings (validated by the settings registry against
 * schema/warnings.json, its defaults filled in); a value of the wrong type
 * falls back to the schema's default for that key and is reported.
 */
export function readWarningsSettings(
  composite: Composite
): IReadResult<IWarningsSettings> {
  const r = reader(composite);
  const gi = r.group('gpuIdle');
  const ik = r.group('idleKernelGpuMemory');
  const gm = r.group('gpuMemoryFull');
  const rf = r.group('ramFull');
  const ru = r.group('ramUnused');
  const df = r.group('diskFull');
  const kd = r.group('kernelDiedNearLimit');
  const settings: IWarningsSettings = {
    notifications: r.bool('notifications'),
    snoozeMinutes: r.num('snoozeMinutes'),
    hysteresisPercent: r.num('hysteresisPercent'),
    hourlyPrice: r.numOrNull('hourlyPrice'),
    currency: r.str('currency'),
    gpuIdle: {
      enabled: gi.bool('enabled'),
      utilizationPercent: gi.num('utilizationPercent'),
      memoryPercent: gi.num('memoryPercent'),
      minutes: gi.num('minutes')
    },
    idleKernelGpuMemory: {
      enabled: ik.bool('enabled'),
      minutes: ik.num('minutes'),
      memoryGiB: ik.num('memoryGiB')
    },
    gpuMemoryFull: { enabled: gm.bool('enabled'), percent: gm.num('percent') },
    ramFull: { enabled: rf.bool('enabled'), percent: rf.num('percent') },
    ramUnused: {
      enabled: ru.bool('enabled'),
      minutes: ru.num('minutes'),
      peakPercent: ru.num('peakPercent'),
      minimumLimitGiB: ru.num('minimumLimitGiB')
    },
    diskFull: { enabled: df.bool('enabled'), percent: df.num('percent') },
    kernelDiedNearLimit: {
      enabled: kd.bool('enabled'),
      percent: kd.num('percent'),
      showMinutes: kd.num('showMinutes')
    }
  };
  return { settings, problems: r.problems };
}

/** The settings with no user values: the schema's defaults. */
export const DEFAULT_WARNINGS_SETTINGS: IWarningsSettings =
  readWarningsSettings({}).settings;

/** The longest look-back any enabled rule needs, ms. */
export function longestWindowMs(settings: IWarningsSettings): number {
  return (
    Math.max(
      settings.gpuIdle.enabled ? settings.gpuIdle.minutes : 0,
      settings.ramUnused.enabled ? settings.ramUnused.minutes : 0,
      1
    ) * 60_000
  );
}

/** The shortest look-back any enabled rule needs, ms. */
export function shortestWindowMs(settings: IWarningsSettings): number {
  const windows = [
    settings.gpuIdle.enabled ? settings.gpuIdle.minutes : Infinity,
    settings.ramUnused.enabled ? settings.ramUnused.minutes : Infinity
  ];
  const shortest = Math.min(...windows);
  return (Number.isFinite(shortest) ? shortest : 1) * 60_000;
}
