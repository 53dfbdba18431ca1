/**
 * The sidebar section of the checkpoint requests: a "Checkpoint now"
 * button, the training loops found beside the checkpoints, and what became
 * of the latest request.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { SidebarSection } from '../sidebar/section';
import { h, patchChildren } from '../ui/dom';
import { describeLoop, describeRequest } from './describe';
import { CheckpointRequests } from './requests';

/** Options of the section. */
export interface ICheckpointSectionOptions {
  requests: CheckpointRequests;
  trans: TranslationBundle;
  /** Ask for a checkpoint now (the `gpu-session:checkpoint-now` command). */
  checkpointNow: () => void;
  /** Whether any checkpoint folder is known (from the countdown settings). */
  hasFolders: () => boolean;
  answerMs: () => number;
}

/** The section widget. */
export class CheckpointSection extends SidebarSection {
  constructor(private readonly _options: ICheckpointSectionOptions) {
    super({ className: 'jp-GpuSession-checkpoints' });
    const trans = _options.trans;
    this.node.setAttribute('aria-label', trans.__('Checkpoints'));
    const button = h('button', {
      className:
        'jp-Button jp-mod-styled jp-mod-accept jp-GpuSession-checkpointNow',
      text: trans.__('Checkpoint now'),
      title: trans.__(
        'Ask the training loop (CheckpointKeeper) to save a checkpoint at its next step'
      ),
      attrs: { type: 'button' }
    });
    button.addEventListener('click', () => _options.checkpointNow());
    this._body = h('div', {
      className: 'jp-GpuSession-checkpointState',
      attrs: { role: 'status', 'aria-live': 'polite' }
    });
    this.node.append(
      h('h3', { text: trans.__('Checkpoints') }),
      button,
      this._body
    );
    _options.requests.changed.connect(this.update, this);
  }

  /** Re-render after a sample (the loops may have changed). */
  refresh(): void {
    this.update();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._options.requests.changed.disconnect(this.update, this);
    super.dispose();
  }

  protected render(): void {
    const { requests, trans } = this._options;
    const lines: HTMLElement[] = [];
    for (const loop of requests.loops) {
      lines.push(
        h('p', {
          className: `jp-GpuSession-note jp-GpuSession-loop jp-mod-${loop.state}`,
          text: describeLoop(loop, trans)
        })
      );
    }
    if (!requests.loops.length) {
      lines.push(
        h('p', {
          className: 'jp-GpuSession-note',
          text: this._options.hasFolders()
            ? trans.__(
                'No training loop with CheckpointKeeper found beside the checkpoints yet.'
              )
            : trans.__(
                'No checkpoint folder is known: insert the checkpoint-train template, or set checkpoint paths in the countdown settings.'
              )
        })
      );
    }
    const latest = requests.latest;
    if (latest) {
      const said = describeRequest(latest, trans, this._options.answerMs());
      lines.push(
        h('p', {
          className: `jp-GpuSession-note jp-GpuSession-request jp-mod-${said.level}`,
          text: said.text,
          attrs: { 'data-phase': latest.phase }
        })
      );
    }
    patchChildren(this._body, lines);
  }

  private _body: HTMLElement;
}
