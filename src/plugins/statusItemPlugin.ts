/**
 * The status bar item; clicking it opens the sidebar.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { GpuStatusItem } from '../views/statusItem';
import { CommandIDs, IResourceMonitor, PluginIDs } from '../tokens';

/** Adds the GPU item to the status bar. */
export const statusItemPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.statusItem,
  description: 'GPU utilization and memory (or RAM) in the status bar.',
  autoStart: true,
  requires: [IResourceMonitor, IStatusBar],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    monitor: IResourceMonitor,
    statusBar: IStatusBar,
    translator: ITranslator | null
  ) => {
    const item = new GpuStatusItem(
      monitor,
      () => void app.commands.execute(CommandIDs.open),
      translator ?? nullTranslator
    );
    statusBar.registerStatusItem(PluginIDs.statusItem, {
      item,
      align: 'left',
      rank: 4
    });
  }
};
