/**
 * Wires the resource monitor to the server's kernels, the notebook tracker
 * and the settings.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { LazyTransport } from './lazyTransport';
import { ResourceMonitor, INotebookContext } from './monitor';
import { readMonitorSettings } from './settings';
import { IResourceMonitor, PluginIDs } from '../tokens';
import { followSettings } from '../settings/followSettings';
import { userActivity } from '../ui/activity';

/** Provides the shared `IResourceMonitor`. */
export const monitorPlugin: JupyterFrontEndPlugin<IResourceMonitor> = {
  id: PluginIDs.monitor,
  description:
    "Samples GPU, memory, disk and kernel numbers in a subshell of the notebook's kernel, or in a monitor kernel.",
  autoStart: true,
  provides: IResourceMonitor,
  requires: [INotebookTracker],
  optional: [ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): IResourceMonitor => {
    // The transports, the parser and the probe's source are fetched with
    // the first sample. The settings are read on each request, so a change
    // applies at once.
    let monitor: ResourceMonitor | null = null;
    const transport = new LazyTransport(async () =>
      (await import('./transports')).createTransport({
        serviceManager: app.serviceManager,
        activeSpec: () =>
          tracker.currentWidget?.sessionContext.session?.kernel?.name ?? null,
        activeKernel: () =>
          tracker.currentWidget?.sessionContext.session?.kernel ?? null,
        activeNotebook: () => {
          // A notebook just added is not current yet when `widgetAdded`
          // fires (and its first sample is asked for).
          const panel = tracker.currentWidget ?? tracker.find(() => true);
          return panel
            ? { id: panel.id, sessionContext: panel.sessionContext }
            : null;
        },
        setting: () => monitor?.settings.transport ?? 'auto',
        noNotebook: () => tracker.size === 0,
        allowedWithoutNotebook: () =>
          monitor?.settings.monitorKernelWithoutNotebook ?? true
      })
    );
    monitor = new ResourceMonitor({ transport });

    const updateContext = () => {
      monitor.setContext(notebookContext(tracker));
      monitor.setDemand('notebook', tracker.size > 0);
    };
    const watchPanel = (panel: NotebookPanel) => {
      panel.sessionContext.kernelChanged.connect(updateContext);
      panel.sessionContext.statusChanged.connect(updateContext);
      panel.sessionContext.connectionStatusChanged.connect(updateContext);
      panel.context.pathChanged.connect(updateContext);
      panel.disposed.connect(() => {
        // The tracker forgets a panel after `disposed` fires.
        requestAnimationFrame(updateContext);
      });
    };
    tracker.forEach(watchPanel);
    tracker.widgetAdded.connect((_, panel) => {
      watchPanel(panel);
      updateContext();
    });
    tracker.currentChanged.connect(updateContext);
    updateContext();

    // Input on the page and executions keep monitoring going and resume it
    // after an idle pause: the same source as the countdown's idle clock.
    userActivity().active.connect(() => monitor.noteActivity());

    followSettings(
      settingRegistry,
      PluginIDs.monitor,
      'monitor',
      readMonitorSettings,
      values => monitor.configure(values),
      (translator ?? nullTranslator).load('jupyterlab_gpu_session')
    );
    return monitor;
  }
};

function notebookContext(tracker: INotebookTracker): INotebookContext {
  const kernelIds: string[] = [];
  tracker.forEach(panel => {
    const id = panel.sessionContext.session?.kernel?.id;
    if (id && !kernelIds.includes(id)) {
      kernelIds.push(id);
    }
  });
  let anyKernelBusy = false;
  tracker.forEach(panel => {
    if (panel.sessionContext.session?.kernel?.status === 'busy') {
      anyKernelBusy = true;
    }
  });
  const current = tracker.currentWidget;
  const kernel = current?.sessionContext.session?.kernel ?? null;
  return {
    notebookOpen: tracker.size > 0,
    activeKernelId: kernel?.id ?? null,
    activeNotebookPath: current?.context.path ?? null,
    kernelIds: kernelIds.sort(),
    activeKernelStatus: kernel?.status ?? null,
    anyKernelBusy
  };
}
