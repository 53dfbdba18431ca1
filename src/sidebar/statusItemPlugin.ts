/**
 * The status bar item; clicking it opens the sidebar.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { GpuStatusItem } from './statusItem';
import { IGpuSessionWarnings, IResourceMonitor, PluginIDs } from '../tokens';
import { CommandIDs } from '../commands';

/** Adds the GPU item to the status bar. */
export const statusItemPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIDs.statusItem,
  description: 'GPU utilization and memory (or RAM) in the status bar.',
  autoStart: true,
  requires: [IResourceMonitor],
  // Notebook 7 has no status bar: there the item is simply not shown.
  optional: [IStatusBar, ITranslator, IGpuSessionWarnings],
  activate: (
    app: JupyterFrontEnd,
    monitor: IResourceMonitor,
    statusBar: IStatusBar | null,
    translator: ITranslator | null,
    warnings: IGpuSessionWarnings | null
  ) => {
    if (!statusBar) {
      return;
    }
    const item = new GpuStatusItem(
      monitor,
      () => void app.commands.execute(CommandIDs.open),
      translator ?? nullTranslator
    );
    // The warnings' mark: how many are showing, their titles in the tooltip.
    warnings?.list.changed.connect(list => {
      const visible = list.warnings.filter(w => w.visible);
      item.setWarnings(
        visible.length,
        visible.map(w => w.title)
      );
    });
    statusBar.registerStatusItem(PluginIDs.statusItem, {
      item,
      align: 'left',
      rank: 4
    });
  }
};
