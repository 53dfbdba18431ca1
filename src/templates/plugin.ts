/**
 * Template cells: the insert command, its main-menu submenu (declared in
 * schema/templates.json), palette items, the notebook context menu, the
 * Templates section of the GPU sidebar, and the recording of environment
 * snapshots in the notebook's metadata.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  Notification
} from '@jupyterlab/apputils';
import {
  INotebookTracker,
  Notebook,
  NotebookActions
} from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { MenuSvg } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { DisposableSet } from '@lumino/disposable';
import { buildCatalog, ICatalog } from './catalog';
import { askTemplateValues } from './dialog';
import { insertIntoNotebook } from './insert';
import { renderTemplate, TemplateValueError } from './render';
import { TemplatesSection } from './section';
import { findSnapshotReport, withSnapshot } from './snapshot';
import { ITemplate, TemplateValues } from './types';
import { effectivePlatform, initialValues, IRememberedValues } from './values';
import {
  CHECKPOINT_TEMPLATE_ID,
  checkpointGlobFor,
  withGlob
} from './checkpointGlobs';
import { IGpuSessionSidebar, IResourceMonitor, PluginIDs } from '../tokens';
import { CommandIDs } from '../commands';

/** Where the last values typed for each template are kept. */
const STATE_KEY = `${PluginIDs.templates}:values`;

/** Adds the template cells. */
export const templatesPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.templates,
  description:
    'Template cells: Drive mounting, pinned installs, checkpoint-safe training, environment snapshots, GPU check.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [
    ISettingRegistry,
    IStateDB,
    ICommandPalette,
    IGpuSessionSidebar,
    IResourceMonitor,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    settingRegistry: ISettingRegistry | null,
    state: IStateDB | null,
    palette: ICommandPalette | null,
    sidebar: IGpuSessionSidebar | null,
    monitor: IResourceMonitor | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab');
    let catalog: ICatalog = buildCatalog([]);
    let settings: ISettingRegistry.ISettings | null = null;
    let detectedPlatform: string | null = null;
    const platform = () =>
      effectivePlatform(settings?.composite.platform, detectedPlatform);
    const find = (id: unknown): ITemplate | undefined =>
      catalog.templates.find(t => t.id === id);

    const remembered = async (
      id: string
    ): Promise<IRememberedValues | null> => {
      const all = (await state?.fetch(STATE_KEY)) as
        { [id: string]: IRememberedValues } | undefined;
      const entry = all?.[id];
      return entry && typeof entry === 'object' && entry.values ? entry : null;
    };
    const remember = async (id: string, values: TemplateValues) => {
      if (!state) {
        return;
      }
      const all = ((await state.fetch(STATE_KEY)) ?? {}) as unknown as {
        [id: string]: IRememberedValues;
      };
      await state.save(STATE_KEY, {
        ...all,
        [id]: { values, platform: platform() }
      } as unknown as ReadonlyPartialJSONObject);
    };

    // The countdown's "last checkpoint" follows where the checkpoint-train
    // cells save, without the user typing the folder twice.
    const followCheckpoints = async (
      id: string,
      values: Record<string, string>,
      notebookPath: string
    ) => {
      const glob =
        id === CHECKPOINT_TEMPLATE_ID
          ? checkpointGlobFor(values, notebookPath)
          : null;
      if (!glob || !settingRegistry) {
        return;
      }
      try {
        const countdown = await settingRegistry.load(PluginIDs.countdown);
        const current = countdown.get('checkpointGlobs').composite;
        const globs = Array.isArray(current)
          ? current.filter((g): g is string => typeof g === 'string')
          : [];
        if (!globs.includes(glob)) {
          await countdown.set('checkpointGlobs', withGlob(globs, glob));
        }
      } catch (reason) {
        console.warn(
          'GPU Session: checkpoint path not added to the countdown settings',
          reason
        );
      }
    };

    const insert = async (
      notebook: Notebook,
      template: ITemplate,
      given: unknown
    ): Promise<number | null> => {
      const panel = tracker.currentWidget!;
      const context = {
        notebook_path: panel.context.path,
        notebook_name: panel.context.path.split('/').pop() ?? '',
        platform: platform()
      };
      const defaults = (settings?.composite.defaults ?? {}) as {
        [id: string]: { [name: string]: unknown };
      };
      let values = initialValues(template, {
        remembered: await remembered(template.id),
        settings: defaults[template.id] ?? null,
        platform: context.platform
      });
      if (given && typeof given === 'object') {
        // Values given to the command skip the dialog; they are not remembered.
        for (const [name, value] of Object.entries(given)) {
          values[name] = String(value);
        }
        const index = insertIntoNotebook(
          notebook,
          renderTemplate(template, values, context)
        );
        await followCheckpoints(template.id, values, context.notebook_path);
        return index;
      }
      let problems: Record<string, string> = {};
      for (;;) {
        const typed = await askTemplateValues(
          template,
          values,
          problems,
          trans
        );
        if (!typed) {
          return null;
        }
        values = typed;
        try {
          const cells = renderTemplate(template, values, context);
          const index = insertIntoNotebook(notebook, cells);
          await remember(template.id, values);
          await followCheckpoints(template.id, values, context.notebook_path);
          return index;
        } catch (error) {
          if (!(error instanceof TemplateValueError)) {
            throw error;
          }
          problems = error.problems;
        }
      }
    };

    app.commands.addCommand(CommandIDs.insertTemplate, {
      label: args => {
        if (args.id === undefined) {
          return trans.__('Other Template…');
        }
        const template = find(args.id);
        const label = template?.label ?? trans.__('Unknown Template');
        return args.isPalette ? trans.__('Insert Template: %1', label) : label;
      },
      caption: args =>
        find(args.id)?.description ??
        trans.__('Insert template cells below the active cell'),
      isEnabled: () => tracker.currentWidget !== null,
      execute: async args => {
        const panel = tracker.currentWidget;
        if (!panel) {
          Notification.warning(
            trans.__('Open a notebook to insert a template.')
          );
          return null;
        }
        let id = args.id;
        if (id === undefined) {
          const choice = await InputDialog.getItem({
            title: trans.__('Insert Template'),
            items: catalog.templates.map(t => t.label)
          });
          if (!choice.button.accept) {
            return null;
          }
          id = catalog.templates.find(t => t.label === choice.value)?.id;
        }
        const template = find(id);
        if (!template) {
          const message = trans.__('There is no template "%1".', String(id));
          Notification.error(message);
          throw new Error(message);
        }
        return insert(panel.content, template, args.values);
      }
    });

    // Palette, context menu and sidebar follow the catalog.
    const contextMenu = new MenuSvg({ commands: app.commands });
    contextMenu.title.label = trans.__('Insert GPU Template');
    contextMenu.id = 'jp-GpuSession-templatesContextMenu';
    app.contextMenu.addItem({
      type: 'submenu',
      submenu: contextMenu,
      selector: '.jp-Notebook',
      rank: 60
    });
    const section = sidebar
      ? new TemplatesSection(
          id => void app.commands.execute(CommandIDs.insertTemplate, { id }),
          trans
        )
      : null;
    if (section && sidebar) {
      sidebar.addSection(section, 50);
    }
    let paletteItems = new DisposableSet();
    const refresh = () => {
      paletteItems.dispose();
      paletteItems = new DisposableSet();
      contextMenu.clearItems();
      for (const template of catalog.templates) {
        const args = { id: template.id };
        contextMenu.addItem({ command: CommandIDs.insertTemplate, args });
        if (palette) {
          paletteItems.add(
            palette.addItem({
              command: CommandIDs.insertTemplate,
              args: { ...args, isPalette: true },
              category: trans.__('GPU Session')
            })
          );
        }
      }
      section?.setTemplates(catalog.templates);
    };
    refresh();

    const reportProblems = () => {
      for (const problem of catalog.problems) {
        const message = trans.__(
          'GPU Session: the template "%1" was skipped: %2',
          problem.name,
          problem.message
        );
        console.warn(message);
        Notification.warning(message, { autoClose: 10000 });
      }
    };
    if (settingRegistry) {
      void settingRegistry
        .load(PluginIDs.templates)
        .then(loaded => {
          settings = loaded;
          const apply = () => {
            catalog = buildCatalog(loaded.composite.templates ?? []);
            reportProblems();
            refresh();
          };
          loaded.changed.connect(apply);
          apply();
        })
        .catch(reason => {
          console.warn(
            'GPU Session: the template settings could not be loaded; only the built-in templates are available.',
            reason
          );
        });
    }

    if (monitor) {
      monitor.changed.connect(() => {
        const id = monitor.sample?.platform?.id ?? null;
        if (id !== detectedPlatform) {
          detectedPlatform = id;
        }
      });
    }

    // The env-snapshot cell reports its folder with a MIME bundle; record it.
    NotebookActions.executed.connect((_, { notebook, cell }) => {
      if (cell.model.type !== 'code' || !notebook.model) {
        return;
      }
      const outputs = (
        cell.model as unknown as {
          outputs: { toJSON(): Parameters<typeof findSnapshotReport>[0] };
        }
      ).outputs.toJSON();
      const report = findSnapshotReport(outputs);
      if (report) {
        notebook.model.setMetadata(
          'gpu_session',
          withSnapshot(notebook.model.getMetadata('gpu_session'), report)
        );
      }
    });
  }
};
