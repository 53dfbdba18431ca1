/**
 * Template cells: the insert command, its main-menu submenu (declared in
 * schema/templates.json), palette items, the notebook context menu, the
 * Templates section of the GPU sidebar, and the recording of environment
 * snapshots in the notebook's metadata.
 *
 * At start this needs only the templates' ids, labels and descriptions
 * (builtinIndex.ts). The bodies, the checks, the dialog and the rendering
 * are in flow.ts, loaded with `import()` on the first insertion, or as soon
 * as the settings declare templates of the user's own (they are checked
 * when loaded, so that a bad one is reported at once).
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
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { MenuSvg } from '@jupyterlab/ui-components';
import { DisposableSet } from '@lumino/disposable';
import { builtinIndex, ITemplateEntry } from './builtinIndex';
import type { ICatalog } from './catalog';
import { TemplatesSection } from './section';
import {
  DEFAULT_TEMPLATE_SETTINGS,
  effectivePlatform,
  readTemplateSettings
} from './settings';
import { findSnapshotReport, withSnapshot } from './snapshot';
import { IGpuSessionSidebar, IResourceMonitor, PluginIDs } from '../tokens';
import { CommandIDs } from '../commands';
import { followSettings } from '../settings/followSettings';

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
    const trans = (translator ?? nullTranslator).load('jupyterlab_gpu_session');
    const builtins = builtinIndex(trans);
    let settings = DEFAULT_TEMPLATE_SETTINGS;
    // What the menus show: the built-in entries, then the user's templates
    // once they are checked.
    let entries: ReadonlyArray<ITemplateEntry> = builtins;
    let detectedPlatform: string | null = null;
    monitor?.changed.connect(() => {
      detectedPlatform = monitor.sample?.platform?.id ?? null;
    });

    let flow: Promise<typeof import('./flow')> | null = null;
    const loadFlow = () =>
      (flow ??= import('./flow').catch(reason => {
        flow = null; // a failed chunk load is tried again next time
        throw reason;
      }));
    // The full catalog of the current settings, built once per change.
    let catalog: Promise<ICatalog> | null = null;
    const fullCatalog = (): Promise<ICatalog> => {
      const userTemplates = settings.templates;
      return (catalog ??= loadFlow()
        .then(module => module.catalogOf(builtins, userTemplates))
        .then(
          built => {
            reportProblems(built);
            return built;
          },
          reason => {
            // a failed fetch (the chunk, the helper) is tried again next time
            catalog = null;
            throw reason;
          }
        ));
    };
    const reportProblems = ({ problems }: ICatalog) => {
      if (!problems.length) {
        return;
      }
      const list = problems.map(p => `"${p.name}": ${p.message}`).join('; ');
      const message = trans._n(
        'GPU Session: %1 template in the "templates" setting was skipped: %2',
        'GPU Session: %1 templates in the "templates" setting were skipped: %2',
        problems.length,
        list
      );
      console.warn(message);
      Notification.warning(message, { autoClose: 10000 });
    };
    const loadFailed = (reason: unknown) => {
      const message = trans.__(
        'GPU Session: the templates could not be loaded: %1',
        String(reason)
      );
      console.error(message, reason);
      Notification.error(message);
    };

    const find = (id: unknown) => entries.find(t => t.id === id);
    app.commands.addCommand(CommandIDs.insertTemplate, {
      label: args => {
        if (args.id === undefined) {
          return trans.__('Other Template…');
        }
        const label = find(args.id)?.label ?? trans.__('Unknown Template');
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
            items: entries.map(t => t.label)
          });
          if (!choice.button.accept) {
            return null;
          }
          id = entries.find(t => t.label === choice.value)?.id;
        }
        let module: typeof import('./flow');
        let templates: ICatalog['templates'];
        try {
          [module, { templates }] = await Promise.all([
            loadFlow(),
            fullCatalog()
          ]);
        } catch (reason) {
          loadFailed(reason);
          throw reason;
        }
        const template = templates.find(t => t.id === id);
        if (!template) {
          const message = trans.__('There is no template "%1".', String(id));
          Notification.error(message);
          throw new Error(message);
        }
        return module.insertTemplate({
          notebook: panel.content,
          notebookPath: panel.context.path,
          template,
          given: args.values,
          platform: effectivePlatform(settings.platform, detectedPlatform),
          defaults: settings.defaults,
          state,
          settingRegistry,
          trans
        });
      }
    });

    // Palette, context menu and sidebar follow the entries.
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
      for (const template of entries) {
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
      section?.setTemplates(entries);
    };
    refresh();

    let generation = 0;
    followSettings(
      settingRegistry,
      PluginIDs.templates,
      trans.__('templates'),
      readTemplateSettings,
      values => {
        settings = values;
        catalog = null;
        const current = ++generation;
        if (!values.templates.length) {
          entries = builtins;
          refresh();
          return;
        }
        fullCatalog().then(built => {
          if (current === generation) {
            entries = built.templates;
            refresh();
          }
        }, loadFailed);
      },
      trans
    );

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
