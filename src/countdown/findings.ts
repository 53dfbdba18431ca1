/**
 * The countdown's warnings as findings of the warning list: "session
 * ending" (one per clock) and "work at risk". The session clock says when
 * one is due (each threshold once); this keeps it while it holds, updates
 * its time left and drops it when the clock goes away or is pushed back
 * (new activity resets the idle clock).
 */
import { CommandIDs } from '../commands';
import { TranslationBundle } from '@jupyterlab/translation';
import { ClockWarning } from './sessionClock';
import { ICountdown } from './countdown';
import { formatDuration } from '../ui/format';
import { IWarningAction, IWarningFinding } from '../warnings/types';

/** Turns the clock's warnings into findings. */
export class CountdownWarnings {
  constructor(
    private readonly _trans: TranslationBundle,
    private readonly _canInsertTemplate: () => boolean = () => true
  ) {}

  /**
   * Take the warnings due now (`SessionClock.tick()`) and the current
   * countdown; return the findings that hold. `horizonMs` is the largest
   * warning threshold: a clock with more time left than that has been
   * pushed back, and its warning clears.
   */
  update(
    due: ClockWarning[],
    countdown: ICountdown,
    horizonMs: number
  ): IWarningFinding[] {
    for (const warning of due) {
      this._raised.set(Private.key(warning), warning);
    }
    const findings: IWarningFinding[] = [];
    for (const [key, warning] of [...this._raised]) {
      const clock = countdown[warning.clock.kind];
      if (!clock || clock.ended || clock.remainingMs > horizonMs) {
        this._raised.delete(key);
        continue;
      }
      findings.push(this._finding(key, warning, clock.remainingMs));
    }
    return findings;
  }

  private _finding(
    key: string,
    warning: ClockWarning,
    remainingMs: number
  ): IWarningFinding {
    const trans = this._trans;
    const left = formatDuration(remainingMs, 'minute');
    const actions: IWarningAction[] = [];
    if (this._canInsertTemplate()) {
      actions.push({
        label: trans.__('Insert checkpoint cell'),
        command: CommandIDs.insertTemplate,
        args: { id: 'checkpoint-train' }
      });
    }
    actions.push({
      label: trans.__('Open sidebar'),
      command: CommandIDs.open
    });
    if (warning.kind === 'threshold') {
      const idle = warning.clock.kind === 'idle';
      return {
        key,
        rule: 'session-ending',
        severity: 'warning',
        epoch: `${warning.minutes}@${Math.round(warning.clock.endsAt / 60_000)}`,
        title: idle
          ? trans.__(
              'The session stops for inactivity in %1 (%2).',
              left,
              warning.clock.detail
            )
          : trans.__(
              'The session ends in %1 (%2). Save your work and checkpoints now.',
              left,
              warning.clock.detail
            ),
        detail: warning.clock.detail,
        advice: idle
          ? trans.__(
              'Any input in this page or a cell run restarts the idle clock.'
            )
          : trans.__(
              'Save notebooks and checkpoints to persistent storage before it ends.'
            ),
        actions
      };
    }
    const age = warning.checkpointAgeMs;
    return {
      key,
      rule: 'work-at-risk',
      severity: 'error',
      epoch: Math.round(warning.clock.endsAt / 1000),
      title:
        age === null
          ? trans.__(
              'The session ends in %1 and no checkpoint was found: training since the start would be lost.',
              left
            )
          : trans.__(
              'The session ends in %1, but the last checkpoint is %2 old: save one now.',
              left,
              formatDuration(age, 'minute')
            ),
      detail: warning.clock.detail,
      advice: trans.__(
        'Write a checkpoint now, to storage that outlives the session.'
      ),
      actions
    };
  }

  private _raised = new Map<string, ClockWarning>();
}

namespace Private {
  export function key(warning: ClockWarning): string {
    return warning.kind === 'threshold'
      ? `session-ending:${warning.clock.kind}`
      : 'work-at-risk';
  }
}
