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
import { ResourceMonitor, INotebookContext } from './monitor';
import { readMonitorSettings } from './settings';
import { MonitorKernelRegistry } from './registry';
import { MonitorKernelTransport } from './transport';
import { AutoTransport } from './autoTransport';
import { SubshellTransport } from './subshell';
import { IResourceMonitor, PluginIDs } from '../tokens';
import { followSettings } from '../settings/followSettings';
import { userActivity } from '../ui/activity';
import { browserStorage } from '../ui/storage';

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
    const activeSpec = () =>
      tracker.currentWidget?.sessionContext.session?.kernel?.name ?? null;
    const registry = new MonitorKernelRegistry(
      browserStorage(),
      app.serviceManager.serverSettings.baseUrl,
      Private.tabId()
    );
    // The probe's source is fetched with the first sample (its own chunk).
    let source: Promise<string> | null = null;
    const probeSource = () =>
      (source ??= import('./probeSource').then(m => m.PROBE_SOURCE));
    const monitorKernel = new MonitorKernelTransport(
      app.serviceManager,
      probeSource,
      activeSpec,
      { registry }
    );
    const subshell = new SubshellTransport(
      () => tracker.currentWidget?.sessionContext.session?.kernel ?? null,
      probeSource
    );
    // The setting is read on each request, so a change applies at once.
    let monitor: ResourceMonitor | null = null;
    const transport = new AutoTransport(
      subshell,
      monitorKernel,
      () => monitor?.settings.transport ?? 'auto',
      {
        noNotebook: () => tracker.size === 0,
        allowed: () => monitor?.settings.monitorKernelWithoutNotebook ?? true
      }
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

    // Best effort: a closed page should not leave its monitor kernel behind.
    // A page that crashes leaves it in the registry; the next start reuses
    // it or shuts it down.
    window.addEventListener('pagehide', () => monitorKernel.stopOnUnload());

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

namespace Private {
  /** An id for this tab, kept across reloads of the tab. */
  export function tabId(): string {
    const key = 'jupyterlab-gpu-session:tab-id';
    try {
      const known = window.sessionStorage.getItem(key);
      if (known) {
        return known;
      }
      const id = Math.random().toString(36).slice(2);
      window.sessionStorage.setItem(key, id);
      return id;
    } catch {
      return Math.random().toString(36).slice(2);
    }
  }
}
