/**
 * The templates' settings (schema/templates.json), read into checked
 * values. Only the shape is checked here, at start; each user template is
 * checked in full by the catalog, which is loaded with the rest of the
 * templates' code (see plugin.ts).
 */

import { templates as schema } from '../settings/schemaDefaults';

/**
 * The platform ids the probe detects: the schema's choices but `auto`.
 * platformTable.spec.ts checks that they are the platform table's ids, in
 * its order; read from the schema so that the table (platforms.ts) is not
 * code loaded at start.
 */
export const PLATFORMS: readonly string[] =
  schema.properties.platform.enum.filter(id => id !== 'auto');

/** Default values per template id and variable name. */
export type TemplateDefaults = {
  [id: string]: { [name: string]: unknown };
};

/** The templates' settings, checked. */
export interface ITemplateSettings {
  /** `auto` or one of `PLATFORMS`. */
  platform: string;
  /** Default values per template id and variable name. */
  defaults: TemplateDefaults;
  /** The user's template definitions, not yet checked one by one. */
  templates: unknown[];
}

/** The defaults, the same as in schema/templates.json. */
export const DEFAULT_TEMPLATE_SETTINGS: ITemplateSettings = {
  platform: 'auto',
  defaults: {},
  templates: []
};

/**
 * Read the composite settings object; a bad value falls back to its
 * default and is reported.
 */
export function readTemplateSettings(composite: { [key: string]: unknown }): {
  settings: ITemplateSettings;
  problems: string[];
} {
  const d = DEFAULT_TEMPLATE_SETTINGS;
  const problems: string[] = [];
  const allowed: string[] = ['auto', ...PLATFORMS];
  const platform = composite.platform ?? d.platform;
  const defaults = composite.defaults ?? d.defaults;
  const templates = composite.templates ?? d.templates;
  const isObject = (value: unknown): value is { [key: string]: unknown } =>
    !!value && typeof value === 'object' && !Array.isArray(value);
  return {
    settings: {
      platform:
        typeof platform === 'string' && allowed.includes(platform)
          ? platform
          : (problems.push(`platform must be one of ${allowed.join(', ')}`),
            d.platform),
      defaults:
        isObject(defaults) && Object.values(defaults).every(isObject)
          ? (defaults as TemplateDefaults)
          : (problems.push(
              'defaults must map template ids to objects of values'
            ),
            d.defaults),
      templates: Array.isArray(templates)
        ? templates
        : (problems.push('templates must be a list of templates'), d.templates)
    },
    problems
  };
}

/**
 * The platform the templates follow: the setting unless it is `auto`, then
 * the detected one, else `generic`.
 */
export function effectivePlatform(
  setting: unknown,
  detected: string | null
): string {
  if (typeof setting === 'string' && setting !== '' && setting !== 'auto') {
    return setting;
  }
  return detected || 'generic';
}
