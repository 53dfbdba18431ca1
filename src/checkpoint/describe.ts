/**
 * Checkpoint requests and training loops in words, for the sidebar and the
 * notifications.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ICheckpointLoop } from '../monitor/checkpointProtocol';
import { formatBytes, formatClock, formatDuration } from '../ui/format';
import { ICheckpointRequestState } from './requests';

/** A sentence and how it should look. */
export interface IDescription {
  level: 'info' | 'success' | 'warning' | 'error';
  text: string;
}

/** The state of a request, in one sentence. */
export function describeRequest(
  state: ICheckpointRequestState,
  trans: TranslationBundle,
  answerMs: number
): IDescription {
  const at = formatClock(state.requestedAt);
  switch (state.phase) {
    case 'sending':
      return {
        level: 'info',
        text: trans.__('Checkpoint requested at %1 (%2)…', at, state.reason)
      };
    case 'requested':
      return {
        level: 'info',
        text:
          state.saveBy === null
            ? trans.__(
                'Checkpoint requested at %1 (%2): the training loop saves at its next step.',
                at,
                state.reason
              )
            : trans.__(
                'Checkpoint requested at %1 (%2): the training loop saves before %3.',
                at,
                state.reason,
                formatClock(state.saveBy)
              )
      };
    case 'no-loop':
      return {
        level: 'warning',
        text: trans.__(
          'Checkpoint requested at %1, but no training loop is running in %2: start the training cell with CheckpointKeeper, or save by hand.',
          at,
          state.directories.join(', ')
        )
      };
    case 'saved':
      return { level: saveLevel(state), text: savedText(state, trans) };
    case 'failed':
      return {
        level: 'error',
        text: trans.__('Checkpoint request failed: %1.', state.error ?? '')
      };
    case 'no-answer':
      return {
        level: 'error',
        text: trans.__(
          'No training loop answered the checkpoint request of %1 within %2: is the training cell running with CheckpointKeeper? Save by hand before the session ends.',
          at,
          formatDuration(answerMs, 'minute')
        )
      };
  }
}

/** One line per training loop found beside the checkpoints. */
export function describeLoop(
  loop: ICheckpointLoop,
  trans: TranslationBundle
): string {
  const step = loop.step === null ? '' : trans.__(', step %1', loop.step);
  switch (loop.state) {
    case 'running':
      return trans.__('Training loop in %1: running%2.', loop.directory, step);
    case 'stale':
      return trans.__(
        'Training loop in %1: no step for %2.',
        loop.directory,
        formatDuration((loop.heartbeat_age_s ?? 0) * 1000, 'minute')
      );
    case 'exited':
      return trans.__(
        'Training loop in %1: its process is gone (crashed or killed).',
        loop.directory
      );
    case 'stopped':
      return trans.__('Training loop in %1: finished.', loop.directory);
    case 'none':
      return trans.__(
        'A request waits in %1, but no CheckpointKeeper has run there.',
        loop.directory
      );
  }
}

function saveLevel(state: ICheckpointRequestState): IDescription['level'] {
  return state.save?.copyVerified === false ? 'warning' : 'success';
}

function savedText(
  state: ICheckpointRequestState,
  trans: TranslationBundle
): string {
  const save = state.save;
  const size = formatBytes(save?.bytes ?? null);
  const took = formatDuration((save?.seconds ?? 0) * 1000);
  // A save nobody clicked for keeps its reason, so the user can tell why a
  // checkpoint appeared (and a save that came quickly does not hide it).
  const saved =
    state.trigger === 'manual'
      ? trans.__(
          'Checkpoint saved: %1 (%2 in %3)',
          save?.path ?? '',
          size,
          took
        )
      : trans.__(
          'Checkpoint saved because %1: %2 (%3 in %4)',
          state.reason,
          save?.path ?? '',
          size,
          took
        );
  const copy =
    save?.copyVerified === true
      ? trans.__('copied and verified')
      : save?.copyVerified === false
        ? trans.__('the copy failed: %1', save.copyError ?? '')
        : trans.__('no persistent copy');
  const more = save?.moreBeforeEnd
    ? trans.__('; one more save comes before the end')
    : '';
  return `${saved}; ${copy}${more}.`;
}
