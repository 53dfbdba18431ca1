/**
 * The countdown's settings. schema/countdown.json is their only source of
 * defaults and ranges; this reads what the settings registry validated.
 */
import { countdown as schema } from '../settings/schemaDefaults';
import { Composite, IReadResult, settingsReader } from '../settings/reader';

const reader = settingsReader(schema);

/** Countdown settings with units in the names. */
export interface ICountdownSettingsValues {
  /** `auto`, `custom`, `none` or a preset id of presets.ts. */
  preset: string;
  /** The user's own hard lifetime; null for none. */
  lifetimeMinutes: number | null;
  /** The user's own idle cut-off; null for none. */
  idleTimeoutMinutes: number | null;
  /** One warning this many minutes before the end, for each number. */
  warningMinutes: number[];
  /** Also warn through the browser's desktop notifications. */
  desktopNotifications: boolean;
  /** Paths or globs of the user's checkpoints, none blank. */
  checkpointGlobs: string[];
}

/**
 * Read the composite settings; a value of the wrong type falls back to the
 * schema's default for that key and is reported.
 */
export function readCountdownSettings(
  composite: Composite
): IReadResult<ICountdownSettingsValues> {
  const r = reader(composite);
  const settings: ICountdownSettingsValues = {
    preset: r.enumOf('preset', schema.properties.preset.enum),
    lifetimeMinutes: r.numOrNull('lifetimeMinutes'),
    idleTimeoutMinutes: r.numOrNull('idleTimeoutMinutes'),
    warningMinutes: r.numList('warningMinutes'),
    desktopNotifications: r.bool('desktopNotifications'),
    // The schema forbids empty paths; a blank one would match nothing.
    checkpointGlobs: r.strList('checkpointGlobs').filter(g => g.trim() !== '')
  };
  return { settings, problems: r.problems };
}

/** The settings with no user values: the schema's defaults. */
export const DEFAULT_COUNTDOWN_SETTINGS: ICountdownSettingsValues =
  readCountdownSettings({}).settings;
