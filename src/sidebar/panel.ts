/**
 * The GPU sidebar: a panel of section widgets. It keeps no state of its
 * own, so closing and re-opening it loses nothing.
 */
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { PromiseDelegate } from '@lumino/coreutils';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';
import { h } from '../ui/dom';
import type { IResourceMonitor, SidebarSectionSource } from '../tokens';

/** A section, or a function that makes it when the sidebar is first shown. */
export type SectionSource = SidebarSectionSource;

/** Options of the sidebar. */
export interface IGpuSessionPanelOptions {
  monitor: IResourceMonitor;
  translator?: ITranslator;
  /** The clock, unix ms; injected for tests. */
  now?: () => number;
}

/**
 * The sidebar panel.
 *
 * #### Notes
 * The monitor's sections and the sections other features add through a
 * factory are created the first time the panel is shown: their code is a
 * chunk of its own, fetched then, so a JupyterLab that never opens the
 * sidebar never loads it.
 */
export class GpuSessionPanel extends Panel {
  constructor(options: IGpuSessionPanelOptions) {
    super();
    this._monitor = options.monitor;
    this._now = options.now ?? Date.now;
    this._trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_gpu_session'
    );
    this.addClass('jp-GpuSession-panel');
    this.title.caption = this._trans.__('GPU Session');
    const header = new Widget({
      node: h('header', { className: 'jp-GpuSession-header' }, [
        h('h2', { text: this._trans.__('GPU Session') })
      ])
    });
    this.addWidget(header);
    this._monitor.changed.connect(this._onMonitorChanged, this);
    this._onMonitorChanged();
  }

  /** Emitted with `true` when the panel is shown and `false` when hidden. */
  get visibilityChanged(): ISignal<this, boolean> {
    return this._visibilityChanged;
  }

  /**
   * Resolves once the sections of the first showing are in place (tests
   * and callers that need the DOM wait for it).
   */
  get sectionsReady(): Promise<void> {
    return this._sectionsReady.promise;
  }

  /**
   * Add a section that another feature owns (templates, countdown...)
   * below the monitor's own sections, ordered by `rank` (lower first).
   * A factory is called when the sidebar is first shown. The section is
   * disposed with the panel.
   */
  addSection(source: SectionSource, rank = 100): void {
    const entry: Private.IExtra = { rank, widget: null };
    const at = this._extras.findIndex(e => e.rank > rank);
    this._extras.splice(at < 0 ? this._extras.length : at, 0, entry);
    if (source instanceof Widget) {
      this._place(entry, source);
    } else {
      entry.factory = source;
      if (this._loading) {
        void this._make(entry);
      }
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._monitor.changed.disconnect(this._onMonitorChanged, this);
    this._extras.forEach(e => e.widget?.dispose());
    super.dispose();
    Signal.clearData(this);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this._load();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._load();
    this._visibilityChanged.emit(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._visibilityChanged.emit(false);
  }

  /** Fetch the monitor's sections and make the factory sections, once. */
  private _load(): void {
    if (this._loading) {
      return;
    }
    this._loading = true;
    // The sidebar's styles come with its sections (the status bar items'
    // own are loaded at start).
    const monitorSections = Promise.all([
      import('./monitorSections'),
      import('../../style/sidebar.css')
    ]).then(([module]) => {
      if (this.isDisposed) {
        return;
      }
      const sections = module.createMonitorSections(
        this._monitor,
        this._trans,
        this._now
      );
      sections.forEach((section, i) => this.insertWidget(1 + i, section));
      this._builtinCount = sections.length;
    });
    const extras = this._extras.map(e => this._make(e));
    void Promise.all([monitorSections, ...extras]).then(
      () => this._sectionsReady.resolve(),
      reason => {
        console.error(
          'jupyterlab-gpu-session: a sidebar section failed',
          reason
        );
        this._sectionsReady.resolve();
      }
    );
  }

  private async _make(entry: Private.IExtra): Promise<void> {
    const factory = entry.factory;
    if (!factory) {
      return;
    }
    entry.factory = undefined;
    const widget = await factory();
    if (this.isDisposed || !this._extras.includes(entry)) {
      widget.dispose();
      return;
    }
    this._place(entry, widget);
  }

  private _place(entry: Private.IExtra, widget: Widget): void {
    entry.widget = widget;
    widget.addClass('jp-GpuSession-section');
    widget.node.dataset.rank = String(entry.rank);
    const before = this._extras
      .slice(0, this._extras.indexOf(entry))
      .filter(e => e.widget).length;
    this.insertWidget(1 + this._builtinCount + before, widget);
  }

  private _onMonitorChanged(): void {
    // Lets tests and people with dev tools see that samples keep coming,
    // whether or not the sections are rendered.
    this.node.dataset.sampleCount = String(this._monitor.sampleCount);
    this.node.dataset.phase = this._monitor.phase;
  }

  private _monitor: IResourceMonitor;
  private _now: () => number;
  private _trans: TranslationBundle;
  private _extras: Private.IExtra[] = [];
  private _builtinCount = 0;
  private _loading = false;
  private _sectionsReady = new PromiseDelegate<void>();
  private _visibilityChanged = new Signal<this, boolean>(this);
}

namespace Private {
  /** A section added by another feature. */
  export interface IExtra {
    rank: number;
    widget: Widget | null;
    factory?: () => Widget | Promise<Widget>;
  }
}
