/**
 * The sidebar section of the session countdown: both clocks with progress
 * bars, the policy in force and where each number came from.
 */
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { SessionClock } from './sessionClock';
import { IClock } from './countdown';
import { LimitSource } from './policy';
import { h, meter, patchChildren } from '../ui/dom';
import { SidebarSection } from '../sidebar/section';
import { formatClock, formatDuration } from '../ui/format';

/** The urgency of a clock, from the warning thresholds. */
export function clockLevel(
  clock: IClock,
  warningMinutes: number[]
): 'ok' | 'warn' | 'danger' {
  const sorted = [...warningMinutes].sort((a, b) => a - b);
  const minutes = clock.remainingMs / 60_000;
  if (clock.ended || (sorted.length && minutes <= sorted[0])) {
    return 'danger';
  }
  if (sorted.length && minutes <= sorted[sorted.length - 1]) {
    return 'warn';
  }
  return 'ok';
}

/**
 * The section widget. The clock changes every second; the section patches
 * its text in place (`patchChildren`) rather than rebuilding its nodes.
 */
export class CountdownSection extends SidebarSection {
  constructor(
    private readonly _clock: SessionClock,
    translator: ITranslator = nullTranslator,
    private readonly _now: () => number = Date.now
  ) {
    super({ className: 'jp-GpuSession-countdown' });
    this._trans = translator.load('jupyterlab_gpu_session');
    this.node.setAttribute('aria-label', this._trans.__('Session lifetime'));
    this._clock.changed.connect(this.update, this);
  }

  protected render(): void {
    const trans = this._trans;
    const clock = this._clock;
    const { hard, idle } = clock.countdown;
    const children: (HTMLElement | null)[] = [
      h('h3', { text: trans.__('Session lifetime') })
    ];
    children.push(
      h('p', {
        className: 'jp-GpuSession-note jp-GpuSession-policy',
        text: clock.policy.presetName
          ? trans.__('Policy: %1', clock.policy.presetName)
          : trans.__('Policy: your own numbers')
      })
    );
    if (clock.detected) {
      children.push(
        h('p', {
          className: 'jp-GpuSession-note',
          text:
            clock.detected.id === 'generic'
              ? trans.__(
                  'No hosted platform detected (%1).',
                  clock.detected.source
                )
              : trans.__(
                  'Detected %1 (%2).',
                  clock.detected.name,
                  clock.detected.source
                )
        })
      );
    }
    if (!hard && !idle) {
      children.push(
        h('p', {
          className: 'jp-GpuSession-empty',
          text: trans.__(
            'No lifetime or idle limit is known. Pick a preset or set your own numbers in the settings.'
          )
        })
      );
    }
    if (hard) {
      children.push(
        this._renderClock(
          hard,
          trans.__('Session ends in %1', formatDuration(hard.remainingMs))
        )
      );
    }
    if (idle) {
      children.push(
        this._renderClock(
          idle,
          trans.__('Idle cut-off in %1', formatDuration(idle.remainingMs))
        )
      );
    }
    const unknown = clock.serverUnknownReason;
    if (unknown) {
      children.push(
        h('p', {
          className: 'jp-GpuSession-note jp-GpuSession-serverUnknown',
          text: trans.__('Server limits unknown: %1.', unknown)
        })
      );
    }
    if (clock.kernelsBehindGateway) {
      children.push(
        h('p', {
          className: 'jp-GpuSession-note jp-GpuSession-kernelsRemote',
          text: trans.__(
            "Kernels run on a kernel gateway: the server limits here are this Jupyter server's, not those of the machine the kernels run on. The gateway culls idle kernels by its own settings, which this server cannot read."
          )
        })
      );
    }
    children.push(this._renderCheckpoint());
    patchChildren(
      this.node,
      children.filter((c): c is HTMLElement => c !== null)
    );
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._clock.changed.disconnect(this.update, this);
    super.dispose();
  }

  private _renderClock(clock: IClock, label: string): HTMLElement {
    const trans = this._trans;
    const level = clockLevel(clock, this._clock.settings.warningMinutes);
    const bar = meter(
      clock.ended
        ? clock.kind === 'idle'
          ? trans.__('Idle limit reached')
          : trans.__('Session has ended')
        : label,
      trans.__('at %1', formatClock(clock.endsAt)),
      clock.fractionUsed === null ? null : clock.fractionUsed * 100
    );
    bar.classList.remove(
      'jp-mod-ok',
      'jp-mod-warn',
      'jp-mod-danger',
      'jp-mod-unknown'
    );
    bar.classList.add(`jp-mod-${level}`, `jp-GpuSession-clock-${clock.kind}`);
    return h('div', { className: 'jp-GpuSession-clock' }, [
      bar,
      h('p', {
        className: 'jp-GpuSession-note',
        text: trans.__(
          'From %1: %2',
          this._sourceName(clock.source),
          clock.detail
        )
      })
    ]);
  }

  private _renderCheckpoint(): HTMLElement | null {
    const trans = this._trans;
    const globs = this._clock.settings.checkpointGlobs;
    if (globs.length === 0) {
      return null;
    }
    const checkpoint = this._clock.checkpoint;
    let text: string;
    if (!checkpoint) {
      text = trans.__('Looking for checkpoints…');
    } else if (
      checkpoint.newest_mtime === null ||
      checkpoint.newest_path === null
    ) {
      text = checkpoint.error
        ? trans.__('No checkpoint found (%1).', checkpoint.error)
        : trans.__('No checkpoint found matching %1.', globs.join(', '));
    } else {
      const age = this._now() - checkpoint.newest_mtime * 1000;
      text = trans.__(
        'Last checkpoint %1 ago: %2',
        formatDuration(age),
        checkpoint.newest_path
      );
    }
    return h('p', {
      className: 'jp-GpuSession-note jp-GpuSession-checkpoint',
      text
    });
  }

  private _sourceName(source: LimitSource): string {
    switch (source) {
      case 'user':
        return this._trans.__('your settings');
      case 'detected':
        return this._trans.__('detected');
      case 'server':
        return this._trans.__('the server');
      case 'preset':
        return this._trans.__('preset');
      case 'interruption':
        return this._trans.__('the cloud’s interruption notice');
    }
  }

  private _trans: TranslationBundle;
}
