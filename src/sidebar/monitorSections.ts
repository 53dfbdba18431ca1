/**
 * The monitor's own sections of the sidebar (status line, GPUs, memory and
 * disks, the notebook kernel, history plots), each a widget that follows
 * the resource monitor.
 *
 * This module is loaded on first use (see panel.ts): nothing here is needed
 * before the sidebar is first shown.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import type { IResourceMonitor } from '../tokens';
import { renderGpuSection } from './gpuSection';
import { HistoryPlots } from './historySection';
import { renderHostSection } from './hostSection';
import { renderKernelSection } from './kernelSection';
import { SidebarSection } from './section';
import { describeMonitor } from './statusLine';
import { ProbeSection } from '../monitor/sectionErrors';
import { transportSentence } from '../monitor/transportText';
import { h } from '../ui/dom';

/** A section that re-renders whenever the monitor changes. */
abstract class MonitorSection extends SidebarSection {
  constructor(
    protected readonly monitor: IResourceMonitor,
    protected readonly trans: TranslationBundle,
    options: SidebarSection.IOptions = {}
  ) {
    super(options);
    monitor.changed.connect(this.update, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.monitor.changed.disconnect(this.update, this);
    super.dispose();
  }
}

/** The one line that says what state the monitor is in. */
export class StatusLineSection extends MonitorSection {
  constructor(monitor: IResourceMonitor, trans: TranslationBundle) {
    super(monitor, trans, { className: 'jp-GpuSession-status' });
    this.node.setAttribute('role', 'status');
    this.node.setAttribute('aria-live', 'polite');
  }

  protected render(): void {
    const line = describeMonitor(this.monitor, this.trans);
    this.node.textContent = line.text;
    this.node.dataset.level = line.level;
    this.node.dataset.phase = this.monitor.phase;
  }
}

/**
 * A section drawn by a render function of the sample: the function returns
 * the section's element, or null when there is nothing to show. The parts
 * of the sample the probe could not read for this section are said below
 * it, in the probe's own words.
 */
export class RenderedSection extends MonitorSection {
  constructor(
    monitor: IResourceMonitor,
    trans: TranslationBundle,
    private readonly _draw: (
      monitor: IResourceMonitor,
      trans: TranslationBundle
    ) => HTMLElement | null,
    private readonly _errorSections: ReadonlyArray<ProbeSection> = []
  ) {
    super(monitor, trans);
  }

  protected render(): void {
    const element = this._draw(this.monitor, this.trans);
    const errors = this.monitor.sectionErrors
      .filter(e => this._errorSections.includes(e.section))
      .map(e =>
        h('p', {
          className:
            'jp-GpuSession-note jp-GpuSession-sectionError jp-mod-error',
          text: this.trans.__('Not read: %1', e.message)
        })
      );
    if (element) {
      element.append(...errors);
    }
    this.node.replaceChildren(
      ...(element ? [element] : errors.length ? errors : [])
    );
  }
}

/** Where the numbers are read: this notebook's kernel or a monitor kernel. */
export class TransportSection extends MonitorSection {
  constructor(monitor: IResourceMonitor, trans: TranslationBundle) {
    super(monitor, trans, { className: 'jp-GpuSession-transport' });
  }

  protected render(): void {
    const text = transportSentence(this.monitor.transportKind, this.trans);
    this.node.textContent = text;
    this.node.hidden = text === '';
  }
}

/** The history plots; redrawn on samples and on resize. */
export class HistorySection extends MonitorSection {
  constructor(
    monitor: IResourceMonitor,
    trans: TranslationBundle,
    private readonly _now: () => number
  ) {
    super(monitor, trans);
    this._plots = new HistoryPlots(trans);
    this.node.appendChild(this._plots.node);
  }

  protected render(): void {
    const sample = this.monitor.sample;
    this._plots.node.hidden = !sample;
    if (sample) {
      this._plots.update(this.monitor.history, sample, this._now());
    }
  }

  protected onResize(msg: Message): void {
    this.update();
  }

  private _plots: HistoryPlots;
}

/** The monitor's sections, in the order they are shown. */
export function createMonitorSections(
  monitor: IResourceMonitor,
  trans: TranslationBundle,
  now: () => number
): SidebarSection[] {
  return [
    new StatusLineSection(monitor, trans),
    new TransportSection(monitor, trans),
    // Failures of the probe that no section below owns.
    new RenderedSection(monitor, trans, () => null, [
      'platform',
      'checkpoint',
      'other'
    ]),
    new RenderedSection(
      monitor,
      trans,
      (m, t) =>
        m.sample
          ? renderGpuSection(m.sample, m.context.activeKernelId, t)
          : null,
      ['gpus']
    ),
    new RenderedSection(
      monitor,
      trans,
      (m, t) => (m.sample ? renderHostSection(m.sample.host, t) : null),
      ['host', 'disks']
    ),
    new RenderedSection(
      monitor,
      trans,
      (m, t) => renderKernelSection(m.sample, m.context, t),
      ['kernels']
    ),
    new HistorySection(monitor, trans, now)
  ];
}
