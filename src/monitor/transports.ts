/**
 * Makes the monitor's transport: a subshell of the active notebook's kernel
 * where it has them, else the server, else a monitor kernel (AutoTransport).
 *
 * Its own chunk, fetched with the first sample (see LazyTransport), with the
 * parser and the kernels' code; the probe's source is a file of the
 * labextension fetched then (probeAsset.ts).
 */
import { ServiceManager } from '@jupyterlab/services';
import { Kernel } from '@jupyterlab/services';
import { AutoTransport } from './autoTransport';
import { ISessionLike, KernelInfoWatch, kernelStartKey } from './kernelStart';
import { IProbeTransport } from './outcome';
import { MonitorKernelRegistry } from './registry';
import { TransportSetting } from './settings';
import { ServerTransport } from './serverTransport';
import { SubshellTransport } from './subshell';
import { MonitorKernelTransport } from './transport';
import { fetchProbeSource } from './probeAsset';
import { browserStorage } from '../ui/storage';

/** What the transports read from the page, each time they need it. */
export interface ITransportSources {
  /** The server's kernels and kernelspecs. */
  serviceManager: ServiceManager.IManager;
  /** The kernelspec name of the active notebook's kernel, if any. */
  activeSpec: () => string | null;
  /** The active notebook's kernel, if any. */
  activeKernel: () => Kernel.IKernelConnection | null;
  /** The active notebook (its panel's id and session context), if any. */
  activeNotebook: () => { id: string; sessionContext: ISessionLike } | null;
  /** The `transport` setting. */
  setting: () => TransportSetting;
  /** Whether no notebook is open in the page. */
  noNotebook: () => boolean;
  /** The `monitorKernelWithoutNotebook` setting. */
  allowedWithoutNotebook: () => boolean;
}

/**
 * The transport of the page's monitor.
 *
 * It also shuts its monitor kernel down, best effort, when the page is
 * closed.
 */
export function createTransport(sources: ITransportSources): IProbeTransport {
  const registry = new MonitorKernelRegistry(
    browserStorage(),
    sources.serviceManager.serverSettings.baseUrl,
    Private.tabId()
  );
  // The probe's source is fetched with the first sample (a text file of
  // the labextension, not JS).
  let source: Promise<string> | null = null;
  const probeSource = () => (source ??= fetchProbeSource());
  const monitorKernel = new MonitorKernelTransport(
    sources.serviceManager,
    probeSource,
    sources.activeSpec,
    { registry }
  );
  const subshell = new SubshellTransport(sources.activeKernel, probeSource);
  // A closed page should not leave its monitor kernel behind. A page that
  // crashes leaves it in the registry; the next start reuses it or shuts it
  // down.
  window.addEventListener('pagehide', () => monitorKernel.stopOnUnload());
  const infoWatch = new KernelInfoWatch();
  return new AutoTransport(
    subshell,
    monitorKernel,
    sources.setting,
    {
      noNotebook: sources.noNotebook,
      allowed: sources.allowedWithoutNotebook
    },
    {
      // No monitor kernel while the notebook's own kernel may yet serve.
      startKey: () => {
        const notebook = sources.activeNotebook();
        return notebook
          ? kernelStartKey(notebook.id, notebook.sessionContext, infoWatch)
          : null;
      }
    },
    new ServerTransport(sources.serviceManager.serverSettings)
  );
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
