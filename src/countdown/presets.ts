/**
 * Session-lifetime presets: the limits each platform imposes, with where
 * the numbers come from. docs/platforms.md gives the sources and dates;
 * every number can be overridden in the settings.
 */
import { IPresetEntry, PLATFORM_TABLE } from '../platforms';

/** One platform's limits. */
export type IPreset = IPresetEntry;

/** The built-in presets, from the platform table. */
export const PRESETS: readonly IPreset[] = PLATFORM_TABLE.flatMap(
  platform => platform.presets
);

/** Which preset a detected platform id maps to: its first. */
export const PRESET_FOR_PLATFORM: Record<string, string> = Object.fromEntries(
  PLATFORM_TABLE.map(platform => [platform.id, platform.presets[0].id])
);

/** The preset with `id`, or undefined. */
export function findPreset(id: string): IPreset | undefined {
  return PRESETS.find(preset => preset.id === id);
}
