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
import { ResourceMonitor, INotebookContext } from '../model/monitor';
import { readMonitorSettings } from '../model/settings';
import { PROBE_SOURCE } from '../probe/probeSource';
import { MonitorKernelTransport } from '../probe/transport';
import { IResourceMonitor, PluginIDs } from '../tokens';

/** Provides the shared `IResourceMonitor`. */
export const monitorPlugin: JupyterFrontEndPlugin<IResourceMonitor> = {
  id: PluginIDs.monitor,
  description:
    'Samples GPU, memory, disk and kernel numbers from a monitor kernel.',
  autoStart: true,
  provides: IResourceMonitor,
  requires: [INotebookTracker],
  optional: [ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    settingRegistry: ISettingRegistry | null
  ): IResourceMonitor => {
    const activeSpec = () =>
      tracker.currentWidget?.sessionContext.session?.kernel?.name ?? null;
    const transport = new MonitorKernelTransport(
      app.serviceManager,
      PROBE_SOURCE,
      activeSpec
    );
    const monitor = new ResourceMonitor({ transport });

    const updateContext = () => {
      monitor.setContext(notebookContext(tracker));
      monitor.setDemand('notebook', tracker.size > 0);
    };
    const watchPanel = (panel: NotebookPanel) => {
      panel.sessionContext.kernelChanged.connect(updateContext);
      panel.sessionContext.statusChanged.connect(updateContext);
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

    // Best effort: a closed page should not leave its monitor kernel behind.
    window.addEventListener('pagehide', () => void transport.stop());

    if (settingRegistry) {
      void settingRegistry
        .load(PluginIDs.monitor)
        .then(settings => {
          const apply = () => {
            const { settings: values, problems } = readMonitorSettings(
              settings.composite as { [key: string]: unknown }
            );
            if (problems.length) {
              console.warn(
                `jupyterlab-gpu-session: invalid settings, defaults used: ${problems.join('; ')}`
              );
            }
            monitor.configure(values);
          };
          settings.changed.connect(apply);
          apply();
        })
        .catch(reason => {
          console.error('jupyterlab-gpu-session: settings not loaded', reason);
        });
    }
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
  const current = tracker.currentWidget;
  return {
    notebookOpen: tracker.size > 0,
    activeKernelId: current?.sessionContext.session?.kernel?.id ?? null,
    activeNotebookPath: current?.context.path ?? null,
    kernelIds: kernelIds.sort()
  };
}
