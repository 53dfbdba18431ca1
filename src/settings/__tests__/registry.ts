/**
 * A real JupyterLab settings registry over an in-memory connector, for
 * tests: the registry validates and composes exactly as in JupyterLab.
 */
import { IDataConnector } from '@jupyterlab/statedb';
import { ISettingRegistry, SettingRegistry } from '@jupyterlab/settingregistry';

/** Serves each plugin's schema and raw user settings from memory. */
export class MemoryConnector implements IDataConnector<
  ISettingRegistry.IPlugin,
  string,
  string
> {
  /** The schema of each plugin id. */
  schemas: { [id: string]: ISettingRegistry.ISchema } = {};
  /** The raw (JSON5) user settings of each plugin id. */
  raw: { [id: string]: string } = {};

  async fetch(id: string): Promise<ISettingRegistry.IPlugin | undefined> {
    const schema = this.schemas[id];
    if (!schema) {
      return undefined;
    }
    return {
      id,
      schema: JSON.parse(JSON.stringify(schema)),
      raw: this.raw[id] ?? '{}',
      version: 'test',
      data: { composite: {}, user: {} }
    };
  }

  async list(): Promise<{ ids: string[]; values: ISettingRegistry.IPlugin[] }> {
    return { ids: [], values: [] };
  }

  async save(id: string, raw: string): Promise<void> {
    this.raw[id] = raw;
  }

  async remove(): Promise<void> {
    // Nothing to remove.
  }
}

/** A registry and its connector, with `schema` for `id`. */
export function makeRegistry(
  id: string,
  schema: unknown,
  raw = '{}'
): { registry: SettingRegistry; connector: MemoryConnector } {
  const connector = new MemoryConnector();
  connector.schemas[id] = schema as ISettingRegistry.ISchema;
  connector.raw[id] = raw;
  return { registry: new SettingRegistry({ connector }), connector };
}
