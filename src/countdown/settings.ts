/**
 * The countdown's settings, validated; a bad value falls back to its
 * default and is reported.
 */
import { PRESETS } from './presets';

/** Countdown settings with units in the names. */
export interface ICountdownSettingsValues {
  preset: string;
  lifetimeMinutes: number | null;
  idleTimeoutMinutes: number | null;
  warningMinutes: number[];
  desktopNotifications: boolean;
  checkpointGlobs: string[];
}

/** The defaults, the same as in schema/countdown.json. */
export const DEFAULT_COUNTDOWN_SETTINGS: ICountdownSettingsValues = {
  preset: 'auto',
  lifetimeMinutes: null,
  idleTimeoutMinutes: null,
  warningMinutes: [60, 15, 5],
  desktopNotifications: false,
  checkpointGlobs: []
};

/** Read the composite settings object. */
export function readCountdownSettings(composite: { [key: string]: unknown }): {
  settings: ICountdownSettingsValues;
  problems: string[];
} {
  const d = DEFAULT_COUNTDOWN_SETTINGS;
  const problems: string[] = [];
  const presetIds = ['auto', 'custom', ...PRESETS.map(p => p.id)];
  const preset = composite.preset ?? d.preset;
  const minutes = (key: string): number | null => {
    const value = composite[key];
    if (value === undefined || value === null) {
      return null;
    }
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
      return value;
    }
    problems.push(`${key} must be a positive number of minutes or null`);
    return null;
  };
  const warnings = composite.warningMinutes ?? d.warningMinutes;
  const globs = composite.checkpointGlobs ?? d.checkpointGlobs;
  return {
    settings: {
      preset:
        typeof preset === 'string' && presetIds.includes(preset)
          ? preset
          : (problems.push(`preset must be one of ${presetIds.join(', ')}`),
            d.preset),
      lifetimeMinutes: minutes('lifetimeMinutes'),
      idleTimeoutMinutes: minutes('idleTimeoutMinutes'),
      warningMinutes:
        Array.isArray(warnings) &&
        warnings.every(w => typeof w === 'number' && w > 0)
          ? (warnings as number[])
          : (problems.push('warningMinutes must be a list of positive minutes'),
            d.warningMinutes),
      desktopNotifications: composite.desktopNotifications === true,
      checkpointGlobs:
        Array.isArray(globs) && globs.every(g => typeof g === 'string')
          ? (globs as string[]).filter(g => g.trim() !== '')
          : (problems.push('checkpointGlobs must be a list of paths or globs'),
            d.checkpointGlobs)
    },
    problems
  };
}
