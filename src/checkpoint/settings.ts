/**
 * The checkpoint requests' settings. schema/checkpoint.json is their only
 * source of defaults and ranges.
 */
import { checkpoint as schema } from '../settings/schemaDefaults';
import { Composite, IReadResult, settingsReader } from '../settings/reader';

const reader = settingsReader(schema);

/** Checkpoint settings with units in the names. */
export interface ICheckpointSettings {
  /** Ask this long before the hard end (plus the last save); 0: never. */
  leadMs: number;
  onIdleWarning: boolean;
  onInterruption: boolean;
  /** How long a loop may take to pick a request up. */
  answerMs: number;
}

/** Read the composite settings; a wrong type falls back to its default. */
export function readCheckpointSettings(
  composite: Composite
): IReadResult<ICheckpointSettings> {
  const r = reader(composite);
  return {
    settings: {
      leadMs: r.num('leadMinutes') * 60_000,
      onIdleWarning: r.bool('onIdleWarning'),
      onInterruption: r.bool('onInterruption'),
      answerMs: r.num('answerMinutes') * 60_000
    },
    problems: r.problems
  };
}

/** The settings given no user settings: the schema's defaults. */
export const DEFAULT_CHECKPOINT_SETTINGS = readCheckpointSettings({}).settings;
