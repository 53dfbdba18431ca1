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
import { snoozeCaption } from './format';
import { IWarningAction } from './types';

/** Options of the notifier. */
export interface IWarningNotifierOptions {
  /** The list whose warnings are shown. */
  list: WarningList;
  /** The extension's translation bundle. */
  trans: TranslationBundle;
  /** Runs a warning's action. */
  run: (action: IWarningAction) => void;
  /** How long Snooze hides a rule, read when clicked. */
  snoozeMinutes: () => number;
  /** Whether to notify at all (the list still shows everything). */
  enabled: () => boolean;
}

/** Keeps notifications in step with the list. */
export class WarningNotifier implements IDisposable {
  constructor(options: IWarningNotifierOptions) {
    this._options = options;
    options.list.changed.connect(this.reconcile, this);
  }

  /** Whether `dispose` was called. */
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

  /** Dismiss every notification shown and stop following the list. */
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
        caption: snoozeCaption(this._options.snoozeMinutes(), trans),
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
