/**
 * The GPU sidebar in the right area, its command, palette entry and
 * restoration across reloads.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { GpuSessionPanel } from './panel';
import { gpuIcon } from '../ui/icons';
import { IGpuSessionSidebar, IResourceMonitor, PluginIDs } from '../tokens';
import { CommandIDs } from '../commands';

/** The sidebar's widget id, also used by the layout restorer. */
export const SIDEBAR_ID = 'jp-GpuSession-sidebar';

/** Adds the GPU sidebar. */
export const sidebarPlugin: JupyterFrontEndPlugin<IGpuSessionSidebar> = {
  id: PluginIDs.sidebar,
  description: 'The GPU sidebar: GPUs, memory, disks, kernel and history.',
  autoStart: true,
  provides: IGpuSessionSidebar,
  requires: [IResourceMonitor],
  optional: [ILayoutRestorer, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    monitor: IResourceMonitor,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): IGpuSessionSidebar => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_gpu_session');
    const panel = new GpuSessionPanel({
      monitor,
      translator: translator ?? nullTranslator
    });
    panel.id = SIDEBAR_ID;
    panel.title.icon = gpuIcon;
    panel.title.caption = trans.__('GPU Session');
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, SIDEBAR_ID);

    // Shown means needed: the sidebar keeps the monitor alive even with no
    // notebook open, so a person can look at the GPUs first.
    panel.visibilityChanged.connect((_, visible) =>
      monitor.setDemand('sidebar', visible)
    );
    panel.disposed.connect(() => monitor.setDemand('sidebar', false));

    app.commands.addCommand(CommandIDs.open, {
      label: trans.__('Open GPU Session Sidebar'),
      caption: trans.__('Show GPU, memory, disk and kernel numbers'),
      icon: args => (args['isPalette'] ? undefined : gpuIcon),
      execute: () => {
        app.shell.activateById(SIDEBAR_ID);
        monitor.setDemand('sidebar', true);
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh GPU Session Numbers'),
      execute: () => monitor.requestSample()
    });
    palette?.addItem({
      command: CommandIDs.open,
      category: trans.__('GPU Session'),
      args: { isPalette: true }
    });
    palette?.addItem({
      command: CommandIDs.refresh,
      category: trans.__('GPU Session')
    });
    return {
      widget: panel,
      addSection: (section, rank) => panel.addSection(section, rank)
    };
  }
};
