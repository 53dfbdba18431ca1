/**
 * The GPU sidebar: a view of the resource monitor. It keeps no state of its
 * own, so closing and re-opening it loses nothing.
 */
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { Message, MessageLoop } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { ResourceMonitor } from '../monitor/monitor';
import { h } from '../ui/dom';
import { renderGpuSection } from './gpuSection';
import { HistoryPlots } from './historySection';
import { renderHostSection } from './hostSection';
import { renderKernelSection } from './kernelSection';
import { describeMonitor } from './statusLine';

/** Options of the sidebar. */
export interface IGpuSessionPanelOptions {
  monitor: ResourceMonitor;
  translator?: ITranslator;
  /** The clock, unix ms; injected for tests. */
  now?: () => number;
}

/** The sidebar panel. */
export class GpuSessionPanel extends Widget {
  constructor(options: IGpuSessionPanelOptions) {
    super();
    this._monitor = options.monitor;
    this._now = options.now ?? Date.now;
    this._trans = (options.translator ?? nullTranslator).load('jupyterlab');
    this.addClass('jp-GpuSession-panel');
    this.title.caption = this._trans.__('GPU Session');
    this._status = h('div', {
      className: 'jp-GpuSession-status',
      attrs: { role: 'status', 'aria-live': 'polite' }
    });
    this._sections = h('div', { className: 'jp-GpuSession-sections' });
    this._plots = new HistoryPlots(this._trans);
    this._extras = h('div', { className: 'jp-GpuSession-extraSections' });
    this.node.append(
      h('header', { className: 'jp-GpuSession-header' }, [
        h('h2', { text: this._trans.__('GPU Session') })
      ]),
      this._status,
      this._sections,
      this._plots.node,
      this._extras
    );
    this._monitor.changed.connect(this._onChanged, this);
    this.render();
  }

  /** Emitted with `true` when the panel is shown and `false` when hidden. */
  get visibilityChanged(): ISignal<this, boolean> {
    return this._visibilityChanged;
  }

  /**
   * Add a section that another feature owns (templates, countdown...)
   * below the monitor's own sections, ordered by `rank` (lower first).
   * The section is disposed with the panel.
   */
  addSection(section: Widget, rank = 100): void {
    section.addClass('jp-GpuSession-section');
    section.node.dataset.rank = String(rank);
    const next = Array.from(this._extras.children).find(
      child => Number((child as HTMLElement).dataset.rank) > rank
    );
    // The panel may not be in the document yet (plugins activate before the
    // shell is attached), so the node is placed directly and attach
    // messages are forwarded when the panel itself is attached.
    if (this.isAttached) {
      MessageLoop.sendMessage(section, Widget.Msg.BeforeAttach);
    }
    this._extras.insertBefore(section.node, (next as HTMLElement) ?? null);
    if (this.isAttached) {
      MessageLoop.sendMessage(section, Widget.Msg.AfterAttach);
    }
    this._extraWidgets.push(section);
  }

  /** Render the monitor's current state. */
  render(): void {
    const monitor = this._monitor;
    const line = describeMonitor(monitor, this._trans);
    this._status.textContent = line.text;
    this._status.dataset.level = line.level;
    this._status.dataset.phase = monitor.phase;
    // Lets tests and people with dev tools see that samples keep coming.
    this.node.dataset.sampleCount = String(monitor.sampleCount);
    const sample = monitor.sample;
    const sections: HTMLElement[] = [];
    if (sample) {
      sections.push(
        renderGpuSection(sample, monitor.context.activeKernelId, this._trans),
        renderHostSection(sample.host, this._trans)
      );
    }
    sections.push(renderKernelSection(sample, monitor.context, this._trans));
    this._sections.replaceChildren(...sections);
    this._plots.node.hidden = !sample;
    if (sample && this.isVisible) {
      this._plots.update(monitor.history, sample, this._now());
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._monitor.changed.disconnect(this._onChanged, this);
    this._extraWidgets.forEach(widget => widget.dispose());
    super.dispose();
  }

  protected onBeforeAttach(msg: Message): void {
    this._extraWidgets.forEach(w => MessageLoop.sendMessage(w, msg));
  }

  protected onAfterAttach(msg: Message): void {
    this._extraWidgets.forEach(w => MessageLoop.sendMessage(w, msg));
  }

  protected onBeforeDetach(msg: Message): void {
    this._extraWidgets.forEach(w => MessageLoop.sendMessage(w, msg));
  }

  protected onAfterDetach(msg: Message): void {
    this._extraWidgets.forEach(w => MessageLoop.sendMessage(w, msg));
  }

  protected onAfterShow(msg: Message): void {
    this.render();
    this._visibilityChanged.emit(true);
  }

  protected onAfterHide(msg: Message): void {
    this._visibilityChanged.emit(false);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    if (this.isVisible && this._monitor.sample) {
      this._plots.update(
        this._monitor.history,
        this._monitor.sample,
        this._now()
      );
    }
  }

  private _onChanged(): void {
    this.render();
  }

  private _monitor: ResourceMonitor;
  private _now: () => number;
  private _trans: TranslationBundle;
  private _status: HTMLElement;
  private _sections: HTMLElement;
  private _plots: HistoryPlots;
  private _extras: HTMLElement;
  private _extraWidgets: Widget[] = [];
  private _visibilityChanged = new Signal<this, boolean>(this);
}
