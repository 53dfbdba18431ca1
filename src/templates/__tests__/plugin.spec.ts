/**
 * The templates plugin activated with a real command registry, setting
 * registry (our schema) and notebook: the menus start from the index, user
 * templates are checked when the settings load, and the insert command
 * loads the rest of the code and inserts the rendered cells.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import {
  INotebookTracker,
  Notebook,
  NotebookModel
} from '@jupyterlab/notebook';
import { NBTestUtils } from '@jupyterlab/notebook/lib/testutils';
import { ISettingRegistry, SettingRegistry } from '@jupyterlab/settingregistry';
import { IDataConnector } from '@jupyterlab/statedb';
import { CommandRegistry } from '@lumino/commands';
import { ContextMenu, Widget } from '@lumino/widgets';
import { CommandIDs } from '../../commands';
import { IGpuSessionSidebar, PluginIDs } from '../../tokens';
import { BUILTIN_IDS } from '../builtinIndex';
import { buildCatalog } from '../catalog';
import { templatesPlugin } from '../plugin';
import { renderTemplate } from '../render';
import schema from '../../../schema/templates.json';
import { BUILTIN_TEMPLATES } from '../builtin/sourceLanguage';

/** Keeps one plugin's raw settings in memory, as the server would. */
class MemoryConnector implements IDataConnector<
  ISettingRegistry.IPlugin,
  string,
  string
> {
  constructor(private _raw: string) {}
  async fetch(id: string): Promise<ISettingRegistry.IPlugin> {
    return {
      id,
      raw: this._raw,
      schema: schema as unknown as ISettingRegistry.ISchema,
      version: 'test',
      data: { composite: {}, user: {} }
    };
  }
  async list(): Promise<{ ids: string[]; values: ISettingRegistry.IPlugin[] }> {
    return { ids: [], values: [] };
  }
  async save(_id: string, raw: string): Promise<void> {
    this._raw = raw;
  }
  async remove(): Promise<void> {
    // nothing to remove
  }
}

/** Wait, a macrotask at a time, until `done()` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (done()) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

interface IActivated {
  commands: CommandRegistry;
  section: () => Widget;
  notebook: Notebook;
}

function activate(registry: ISettingRegistry | null): IActivated {
  const commands = new CommandRegistry();
  const app = {
    commands,
    contextMenu: new ContextMenu({ commands })
  } as unknown as JupyterFrontEnd;
  const notebook = NBTestUtils.createNotebook();
  const model = new NotebookModel();
  model.sharedModel.insertCells(0, [
    { cell_type: 'code', source: 'first' },
    { cell_type: 'code', source: 'last' }
  ]);
  notebook.model = model;
  notebook.activeCellIndex = 0;
  const tracker = {
    currentWidget: { content: notebook, context: { path: 'work/a.ipynb' } }
  } as unknown as INotebookTracker;
  let section: Widget | null = null;
  const sidebar: IGpuSessionSidebar = {
    widget: new Widget(),
    addSection: source => {
      section = source instanceof Widget ? source : null;
    }
  };
  templatesPlugin.activate(
    app,
    tracker,
    registry,
    null,
    null,
    sidebar,
    null,
    null
  );
  return { commands, section: () => section!, notebook };
}

const buttons = (section: Widget) =>
  [...section.node.querySelectorAll('button')].map(b =>
    b.getAttribute('data-template')
  );

const mine = {
  id: 'mine',
  label: 'My Template',
  description: 'Prints a folder.',
  variables: [{ name: 'folder', label: 'Folder', kind: 'path', default: 'x' }],
  cells: [{ type: 'code', source: 'print({{py:folder}})' }]
};

describe('the templates plugin', () => {
  beforeEach(() => {
    Notification.dismiss();
  });

  it('shows the built-in templates at start, from the index', () => {
    const { commands, section } = activate(null);
    expect(buttons(section())).toEqual([...BUILTIN_IDS]);
    expect(commands.label(CommandIDs.insertTemplate, { id: 'gpu-check' })).toBe(
      'GPU Check'
    );
    expect(
      commands.label(CommandIDs.insertTemplate, {
        id: 'gpu-check',
        isPalette: true
      })
    ).toBe('Insert Template: GPU Check');
  });

  it('checks user templates when the settings load and reports the bad ones by name', async () => {
    const bad = { id: 'bad', label: 'Bad', cells: [] };
    const taken = { ...mine, id: 'gpu-check' };
    const connector = new MemoryConnector(
      JSON.stringify({ templates: [mine, bad, taken] })
    );
    const registry = new SettingRegistry({ connector });
    const { commands, section } = activate(registry);
    await until(() => buttons(section()).includes('mine'), 'mine is shown');
    expect(buttons(section())).toEqual([...BUILTIN_IDS, 'mine']);
    expect(commands.label(CommandIDs.insertTemplate, { id: 'mine' })).toBe(
      'My Template'
    );
    const messages = Notification.manager.notifications.map(n => n.message);
    const report = messages.find(m => m.includes('"templates" setting'));
    expect(report).toContain('2 templates');
    expect(report).toContain('"bad": "cells" must be a list');
    expect(report).toContain(
      '"gpu-check": the id "gpu-check" is already taken'
    );
  });

  it('keeps the built-in templates when the settings are refused', async () => {
    const connector = new MemoryConnector(JSON.stringify({ platform: 'mars' }));
    const registry = new SettingRegistry({ connector });
    // The schema refuses the value before the plugin sees it; the settings
    // still load and the built-in templates stay.
    const { section } = activate(registry);
    await registry.load(PluginIDs.templates).catch(() => undefined);
    expect(buttons(section())).toEqual([...BUILTIN_IDS]);
  });

  it('inserts the rendered cells of a template when given values', async () => {
    const { commands, notebook } = activate(null);
    const before = notebook.model!.cells.length;
    const index = await commands.execute(CommandIDs.insertTemplate, {
      id: 'gpu-check',
      values: {}
    });
    const expected = renderTemplate(
      buildCatalog([], BUILTIN_TEMPLATES).templates.find(
        t => t.id === 'gpu-check'
      )!,
      {},
      {
        notebook_path: 'work/a.ipynb',
        notebook_name: 'a.ipynb',
        platform: 'generic'
      }
    );
    const cells = notebook.model!.sharedModel.cells.map(c => c.toJSON());
    expect(index).toBe(1); // below the active cell
    expect(cells).toHaveLength(before + expected.length);
    expect(cells[cells.length - 1].source).toBe('last');
    const inserted = cells.slice(index, index + expected.length);
    expect(inserted.map(c => [c.cell_type, c.source, c.metadata])).toEqual(
      expected.map(c => [c.cell_type, c.source, c.metadata])
    );
  });

  it('refuses an unknown template id with a message', async () => {
    const { commands } = activate(null);
    await expect(
      commands.execute(CommandIDs.insertTemplate, { id: 'nope', values: {} })
    ).rejects.toThrow('There is no template "nope".');
  });
});
