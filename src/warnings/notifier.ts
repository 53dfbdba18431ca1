/**
 * JupyterLab notifications for the warning list: one per visible warning,
 * shown when raised, updated in place while it lasts, dismissed when it
 * clears or is put away. It reconciles with the list on each change, so it
 * keeps only the notification ids.
 */
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { IWarning, WarningList } from './list';
import { IWarningAction } from './types';

/** Options of the notifier. */
export interface IWarningNotifierOptions {
  list: WarningList;
  trans: TranslationBundle;
  run: (action: IWarningAction) => void;
  snoozeMinutes: () => number;
  /** Whether to notify at all (the list still shows everything). */
  enabled: () => boolean;
  /** Told about each new notification (for desktop notifications). */
  onShown?: (warning: IWarning) => void;
}

/** Keeps notifications in step with the list. */
export class WarningNotifier implements IDisposable {
  constructor(options: IWarningNotifierOptions) {
    this._options = options;
    options.list.changed.connect(this.reconcile, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Show, update or dismiss notifications to match the list. */
  reconcile(): void {
    if (this._isDisposed) {
      return;
    }
    const enabled = this._options.enabled();
    const wanted = new Map<string, IWarning>();
    for (const warning of this._options.list.warnings) {
      if (warning.visible && enabled) {
        wanted.set(warning.key, warning);
      }
    }
    for (const [key, shown] of [...this._shown]) {
      const warning = wanted.get(key);
      if (!warning || warning.raisedAt !== shown.raisedAt) {
        Notification.dismiss(shown.id);
        this._shown.delete(key);
      }
    }
    for (const [key, warning] of wanted) {
      const shown = this._shown.get(key);
      const message = warning.title;
      if (!shown) {
        const id = Notification.emit(message, warning.severity, {
          autoClose: false,
          actions: this._actions(warning)
        });
        this._shown.set(key, { id, message, raisedAt: warning.raisedAt });
        this._options.onShown?.(warning);
      } else if (shown.message !== message) {
        shown.message = message;
        Notification.update({
          id: shown.id,
          message,
          type: warning.severity,
          autoClose: false,
          actions: this._actions(warning)
        });
      }
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._options.list.changed.disconnect(this.reconcile, this);
    for (const shown of this._shown.values()) {
      Notification.dismiss(shown.id);
    }
    this._shown.clear();
  }

  private _actions(warning: IWarning): Notification.IAction[] {
    const { trans, list } = this._options;
    return [
      ...warning.actions.map(action => ({
        label: action.label,
        caption: action.caption,
        callback: () => this._options.run(action)
      })),
      {
        label: trans.__('Snooze'),
        caption: trans.__(
          'Hide warnings of this kind for %1 min',
          this._options.snoozeMinutes()
        ),
        callback: () => list.snooze(warning.rule, this._options.snoozeMinutes())
      }
    ];
  }

  private _options: IWarningNotifierOptions;
  private _shown = new Map<
    string,
    { id: string; message: string; raisedAt: number }
  >();
  private _isDisposed = false;
}
