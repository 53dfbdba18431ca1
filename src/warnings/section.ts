/**
 * The sidebar section listing the warnings: each with its numbers, what to
 * do, its actions, and Snooze / Dismiss. A view of the `WarningList`: it
 * keeps no state, so re-attaching it loses nothing.
 */
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { h } from '../ui/dom';
import { formatClock } from '../ui/format';
import { IWarning, WarningList } from './list';
import { snoozeCaption } from './format';
import { IWarningAction } from './types';

/** What the section's buttons do; the plugin runs commands. */
export interface IWarningsSectionOptions {
  /** The list to show. */
  list: WarningList;
  /** The translator; the extension's own domain is loaded from it. */
  translator?: ITranslator;
  /** Run a finding's action. */
  run: (action: IWarningAction) => void;
  /** Snooze length, minutes (read at each click: settings may change). */
  snoozeMinutes: () => number;
}

/** The warnings section of the sidebar. */
export class WarningsSection extends Widget {
  constructor(options: IWarningsSectionOptions) {
    super();
    this._options = options;
    this._trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_gpu_session'
    );
    this.addClass('jp-GpuSession-warnings');
    this._list = h('ul', {
      className: 'jp-GpuSession-warningList',
      attrs: { 'aria-label': this._trans.__('Warnings') }
    });
    this._empty = h('p', {
      className: 'jp-GpuSession-warningsEmpty',
      text: this._trans.__('No warnings.')
    });
    this.node.append(
      h('h3', { text: this._trans.__('Warnings') }),
      this._empty,
      this._list
    );
    options.list.changed.connect(this.render, this);
    this.render();
  }

  /** Render the list's current warnings. */
  render(): void {
    const warnings = this._options.list.warnings;
    this._empty.hidden = warnings.length > 0;
    this._list.replaceChildren(...warnings.map(w => this._item(w)));
    this.node.dataset.count = String(warnings.filter(w => w.visible).length);
  }

  /** Stop following the list. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._options.list.changed.disconnect(this.render, this);
    super.dispose();
  }

  private _item(warning: IWarning): HTMLElement {
    const trans = this._trans;
    const list = this._options.list;
    const buttons: HTMLElement[] = warning.actions.map(action =>
      this._button(action.label, action.caption ?? '', () =>
        this._options.run(action)
      )
    );
    let state: HTMLElement | null = null;
    if (warning.snoozedUntil !== null) {
      state = h('p', {
        className: 'jp-GpuSession-warningState',
        text: trans.__('Snoozed until %1', formatClock(warning.snoozedUntil))
      });
      buttons.push(
        this._button(trans.__('Show again'), '', () =>
          list.unsnooze(warning.rule)
        )
      );
    } else if (warning.dismissed) {
      state = h('p', {
        className: 'jp-GpuSession-warningState',
        text: trans.__('Dismissed until it clears')
      });
    } else {
      buttons.push(
        this._button(
          trans.__('Snooze'),
          snoozeCaption(this._options.snoozeMinutes(), trans),
          () => list.snooze(warning.rule, this._options.snoozeMinutes())
        ),
        this._button(
          trans.__('Dismiss'),
          trans.__('Hide this warning until it clears'),
          () => list.dismiss(warning.key)
        )
      );
    }
    return h(
      'li',
      {
        className: `jp-GpuSession-warning jp-mod-${warning.severity}`,
        attrs: {
          'data-rule': warning.rule,
          'data-key': warning.key,
          'data-visible': String(warning.visible)
        }
      },
      [
        h('p', {
          className: 'jp-GpuSession-warningTitle',
          text: warning.title
        }),
        h('p', {
          className: 'jp-GpuSession-warningDetail',
          text: warning.detail
        }),
        h('p', {
          className: 'jp-GpuSession-warningAdvice',
          text: warning.advice
        }),
        state,
        h('div', { className: 'jp-GpuSession-warningActions' }, buttons)
      ]
    );
  }

  private _button(
    label: string,
    title: string,
    onClick: () => void
  ): HTMLElement {
    const button = h('button', {
      className: 'jp-Button jp-mod-minimal jp-GpuSession-warningButton',
      text: label,
      title,
      attrs: { type: 'button' }
    });
    button.addEventListener('click', onClick);
    return button;
  }

  private _options: IWarningsSectionOptions;
  private _trans: TranslationBundle;
  private _list: HTMLElement;
  private _empty: HTMLElement;
}
