/**
 * The warnings' settings (schema/warnings.json), validated: a bad value
 * falls back to its default and is reported.
 */

/** Settings of the warnings, units in the names. */
export interface IWarningsSettings {
  /** Show notifications when a warning is raised (the list always shows). */
  notifications: boolean;
  snoozeMinutes: number;
  /**
   * How far (percentage points; percent of the threshold for amounts) a
   * value must come back past its threshold before a warning clears.
   */
  hysteresisPercent: number;
  /** Price of the machine per hour; null when unknown. */
  hourlyPrice: number | null;
  currency: string;
  gpuIdle: {
    enabled: boolean;
    utilizationPercent: number;
    memoryPercent: number;
    minutes: number;
  };
  idleKernelGpuMemory: {
    enabled: boolean;
    minutes: number;
    memoryGiB: number;
  };
  gpuMemoryFull: { enabled: boolean; percent: number };
  ramFull: { enabled: boolean; percent: number };
  ramUnused: {
    enabled: boolean;
    minutes: number;
    peakPercent: number;
    minimumLimitGiB: number;
  };
  diskFull: { enabled: boolean; percent: number };
  kernelDiedNearLimit: {
    enabled: boolean;
    percent: number;
    showMinutes: number;
  };
}

/** The defaults, the same as in schema/warnings.json. */
export const DEFAULT_WARNINGS_SETTINGS: IWarningsSettings = {
  notifications: true,
  snoozeMinutes: 60,
  hysteresisPercent: 3,
  hourlyPrice: null,
  currency: '$',
  gpuIdle: {
    enabled: true,
    utilizationPercent: 5,
    memoryPercent: 5,
    minutes: 15
  },
  idleKernelGpuMemory: { enabled: true, minutes: 30, memoryGiB: 1 },
  gpuMemoryFull: { enabled: true, percent: 95 },
  ramFull: { enabled: true, percent: 90 },
  ramUnused: {
    enabled: true,
    minutes: 30,
    peakPercent: 25,
    minimumLimitGiB: 16
  },
  diskFull: { enabled: true, percent: 90 },
  kernelDiedNearLimit: { enabled: true, percent: 80, showMinutes: 60 }
};

type Composite = { [key: string]: unknown };

/** Read the composite settings object. */
export function readWarningsSettings(composite: Composite): {
  settings: IWarningsSettings;
  problems: string[];
} {
  const d = DEFAULT_WARNINGS_SETTINGS;
  const problems: string[] = [];
  const num = (
    where: Composite,
    key: string,
    fallback: number,
    min: number,
    max: number,
    name: string
  ): number => {
    const value = where[key];
    if (value === undefined) {
      return fallback;
    }
    if (
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= min &&
      value <= max
    ) {
      return value;
    }
    problems.push(`${name} must be a number from ${min} to ${max}`);
    return fallback;
  };
  const bool = (where: Composite, key: string, fallback: boolean): boolean =>
    typeof where[key] === 'boolean' ? (where[key] as boolean) : fallback;
  const group = (key: string): Composite => {
    const value = composite[key];
    if (value === undefined) {
      return {};
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return value as Composite;
    }
    problems.push(`${key} must be an object`);
    return {};
  };
  const percent = (where: Composite, key: string, fb: number, name: string) =>
    num(where, key, fb, 0, 100, name);
  const minutes = (where: Composite, key: string, fb: number, name: string) =>
    num(where, key, fb, 1e-6, 100_000, name);

  const gi = group('gpuIdle');
  const ik = group('idleKernelGpuMemory');
  const gm = group('gpuMemoryFull');
  const rf = group('ramFull');
  const ru = group('ramUnused');
  const df = group('diskFull');
  const kd = group('kernelDiedNearLimit');
  const price = composite.hourlyPrice;
  let hourlyPrice: number | null = d.hourlyPrice;
  if (price !== undefined && price !== null) {
    if (typeof price === 'number' && Number.isFinite(price) && price >= 0) {
      hourlyPrice = price;
    } else {
      problems.push('hourlyPrice must be a number of at least 0, or null');
    }
  }
  const currency = composite.currency;
  return {
    settings: {
      notifications: bool(composite, 'notifications', d.notifications),
      snoozeMinutes: minutes(
        composite,
        'snoozeMinutes',
        d.snoozeMinutes,
        'snoozeMinutes'
      ),
      hysteresisPercent: percent(
        composite,
        'hysteresisPercent',
        d.hysteresisPercent,
        'hysteresisPercent'
      ),
      hourlyPrice,
      currency:
        typeof currency === 'string'
          ? currency
          : currency === undefined
            ? d.currency
            : (problems.push('currency must be a string'), d.currency),
      gpuIdle: {
        enabled: bool(gi, 'enabled', d.gpuIdle.enabled),
        utilizationPercent: percent(
          gi,
          'utilizationPercent',
          d.gpuIdle.utilizationPercent,
          'gpuIdle.utilizationPercent'
        ),
        memoryPercent: percent(
          gi,
          'memoryPercent',
          d.gpuIdle.memoryPercent,
          'gpuIdle.memoryPercent'
        ),
        minutes: minutes(gi, 'minutes', d.gpuIdle.minutes, 'gpuIdle.minutes')
      },
      idleKernelGpuMemory: {
        enabled: bool(ik, 'enabled', d.idleKernelGpuMemory.enabled),
        minutes: minutes(
          ik,
          'minutes',
          d.idleKernelGpuMemory.minutes,
          'idleKernelGpuMemory.minutes'
        ),
        memoryGiB: num(
          ik,
          'memoryGiB',
          d.idleKernelGpuMemory.memoryGiB,
          0,
          1e6,
          'idleKernelGpuMemory.memoryGiB'
        )
      },
      gpuMemoryFull: {
        enabled: bool(gm, 'enabled', d.gpuMemoryFull.enabled),
        percent: percent(
          gm,
          'percent',
          d.gpuMemoryFull.percent,
          'gpuMemoryFull.percent'
        )
      },
      ramFull: {
        enabled: bool(rf, 'enabled', d.ramFull.enabled),
        percent: percent(rf, 'percent', d.ramFull.percent, 'ramFull.percent')
      },
      ramUnused: {
        enabled: bool(ru, 'enabled', d.ramUnused.enabled),
        minutes: minutes(
          ru,
          'minutes',
          d.ramUnused.minutes,
          'ramUnused.minutes'
        ),
        peakPercent: percent(
          ru,
          'peakPercent',
          d.ramUnused.peakPercent,
          'ramUnused.peakPercent'
        ),
        minimumLimitGiB: num(
          ru,
          'minimumLimitGiB',
          d.ramUnused.minimumLimitGiB,
          0,
          1e6,
          'ramUnused.minimumLimitGiB'
        )
      },
      diskFull: {
        enabled: bool(df, 'enabled', d.diskFull.enabled),
        percent: percent(df, 'percent', d.diskFull.percent, 'diskFull.percent')
      },
      kernelDiedNearLimit: {
        enabled: bool(kd, 'enabled', d.kernelDiedNearLimit.enabled),
        percent: percent(
          kd,
          'percent',
          d.kernelDiedNearLimit.percent,
          'kernelDiedNearLimit.percent'
        ),
        showMinutes: minutes(
          kd,
          'showMinutes',
          d.kernelDiedNearLimit.showMinutes,
          'kernelDiedNearLimit.showMinutes'
        )
      }
    },
    problems
  };
}

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
