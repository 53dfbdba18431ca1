/**
 * A cloud's interruption notice as a deadline of the session.
 */
import { IProbeSample } from '../monitor/protocol';
import type { IInterruption } from './policy';

/** What each notice kind means, for the clock's detail line. */
const KIND_WORDS: { [kind: string]: string } = {
  'spot-terminate': 'Spot instance reclaimed (terminate)',
  'spot-stop': 'Spot instance reclaimed (stop)',
  'spot-hibernate': 'Spot instance reclaimed (hibernate)',
  preempted: 'Preemptible VM preempted',
  'maintenance-terminate': 'VM stopped for host maintenance',
  preempt: 'Spot VM evicted',
  terminate: 'VM scheduled for termination'
};

/**
 * The deadline a sample's interruption notice sets, or null when there is
 * no notice or it names no time (a notice without a time is still shown by
 * the checkpoint feature; only a time can move the countdown).
 */
export function interruptionDeadline(
  sample: IProbeSample | null
): IInterruption | null {
  const notice = sample?.interruption;
  if (!notice?.kind || notice.deadline_at === null) {
    return null;
  }
  const what = KIND_WORDS[notice.kind] ?? `Interruption (${notice.kind})`;
  return {
    deadline_at: notice.deadline_at,
    detail: notice.detail
      ? `${what} on ${notice.cloud}: ${notice.detail}`
      : `${what} on ${notice.cloud}`
  };
}
