/**
 * Where the dialog's first values come from: the values used last time,
 * the settings, the session's platform, and the template's own defaults.
 */
import { checkValue } from './render';
import { ITemplate, TemplateValues } from './types';

/** What was typed last time, and on which platform. */
export interface IRememberedValues {
  values: TemplateValues;
  platform: string;
}

/** The sources of the first values, strongest first. */
export interface IValueSources {
  /** Values typed last time for this template. */
  remembered?: IRememberedValues | null;
  /** `defaults[<template id>]` from the settings. */
  settings?: { [name: string]: unknown } | null;
  /** The session's platform. */
  platform: string;
}

/**
 * The values the dialog starts with. Each source only counts when its value
 * is valid for the variable. A variable that follows the platform
 * (`platformDefault`) takes a remembered value only when it was typed on the
 * same platform, so moving from Colab to Kaggle switches the variant.
 */
export function initialValues(
  template: ITemplate,
  sources: IValueSources
): TemplateValues {
  const values: TemplateValues = {};
  for (const variable of template.variables) {
    const candidates: unknown[] = [];
    const remembered = sources.remembered;
    if (
      remembered &&
      (!variable.platformDefault || remembered.platform === sources.platform)
    ) {
      candidates.push(remembered.values[variable.name]);
    }
    candidates.push(sources.settings?.[variable.name]);
    if (variable.platformDefault) {
      candidates.push(sources.platform);
    }
    values[variable.name] = variable.default;
    for (const candidate of candidates) {
      if (typeof candidate !== 'string' && typeof candidate !== 'number') {
        continue;
      }
      try {
        values[variable.name] = checkValue(variable, String(candidate));
        break;
      } catch {
        // Not valid here (e.g. a platform that is not a choice): next source.
      }
    }
  }
  return values;
}
