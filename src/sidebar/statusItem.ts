/**
 * The status bar item: GPU utilization and memory, or RAM without a GPU.
 */
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IResourceMonitor } from '../tokens';
import { IProbeSample } from '../monitor/protocol';
import { formatBytes, formatPercent } from '../ui/format';

/** Short text for the status bar. */
export function statusText(
  sample: IProbeSample | null,
  trans: TranslationBundle
): string {
  if (!sample) {
    return trans.__('GPU: –');
  }
  if (sample.gpus.length === 0) {
    const host = sample.host;
    const total = host.memory_limit_bytes ?? host.memory_total_bytes;
    return trans.__(
      'RAM %1 / %2',
      formatBytes(host.memory_used_bytes),
      formatBytes(total)
    );
  }
  // With several GPUs, the busiest one is what a person wants to see.
  const gpu = [...sample.gpus].sort(
    (a, b) =>
      (b.utilization_gpu_percent ?? -1) - (a.utilization_gpu_percent ?? -1)
  )[0];
  const more = sample.gpus.length > 1 ? ` (+${sample.gpus.length - 1})` : '';
  return trans.__(
    'GPU %1 · %2 / %3%4',
    formatPercent(gpu.utilization_gpu_percent),
    formatBytes(gpu.memory_used_bytes),
    formatBytes(gpu.memory_total_bytes),
    more
  );
}

/** The status bar widget; clicking it runs `onClick` (opens the sidebar). */
export class GpuStatusItem extends Widget {
  constructor(
    private readonly _monitor: IResourceMonitor,
    onClick: () => void,
    translator: ITranslator = nullTranslator
  ) {
    super({ node: document.createElement('button') });
    this._trans = translator.load('jupyterlab_gpu_session');
    this.addClass('jp-GpuSession-statusItem');
    this.addClass('jp-StatusBar-TextItem');
    this.addClass('jp-GpuSession-gpuStatus');
    this.node.setAttribute('type', 'button');
    this.node.addEventListener('click', onClick);
    this._monitor.changed.connect(this.render, this);
    this.render();
  }

  /** Render the latest sample. */
  render(): void {
    const text = statusText(this._monitor.sample, this._trans);
    this.node.textContent = text;
    this.node.title = this._monitor.stale
      ? this._trans.__('%1 (stale). Click to open the GPU sidebar.', text)
      : this._trans.__('%1. Click to open the GPU sidebar.', text);
    this.node.dataset.stale = String(this._monitor.stale);
    // The warnings' mark: a count badge drawn by CSS, and the titles.
    const { count, titles } = this._warnings;
    this.node.dataset.warnings = String(count);
    if (count > 0) {
      this.node.title += `\n${titles.map(t => `⚠ ${t}`).join('\n')}`;
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._monitor.changed.disconnect(this.render, this);
    super.dispose();
  }

  /**
   * Mark the item with the number of warnings showing and their titles (for
   * the tooltip); 0 removes the mark.
   */
  setWarnings(count: number, titles: string[]): void {
    this._warnings = { count, titles: [...titles] };
    this.render();
  }

  private _trans: TranslationBundle;
  private _warnings: { count: number; titles: string[] } = {
    count: 0,
    titles: []
  };
}
