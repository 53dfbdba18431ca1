/**
 * When to ask the training loop for a checkpoint by itself: some minutes
 * before the hard end, with the idle cut-off's warning, and at once on a
 * cloud's interruption notice. Pure: each trigger fires once per end.
 */

/** An end the countdown knows. */
export interface IEnd {
  /** Unix ms. */
  endsAt: number;
  /** Where it comes from (`interruption` for a cloud's notice). */
  source: string;
}

/** What the triggers look at. */
export interface ITriggerInput {
  /** Unix ms. */
  now: number;
  hard: IEnd | null;
  idle: IEnd | null;
  /** A notice is in force (with or without a deadline). */
  interruption: { key: string; deadlineAt: number | null } | null;
  /** How long before the hard end to ask; 0: never. */
  leadMs: number;
  /** How long the loop's last save took; asked that much earlier. */
  lastSaveMs: number;
  /** How long before the idle cut-off its warning comes; 0: never ask. */
  idleWarningMs: number;
  onInterruption: boolean;
  /** Keys of the triggers that fired already. */
  fired: ReadonlySet<string>;
}

/** A request to make now. */
export interface ITrigger {
  /** Fires once per key. */
  key: string;
  kind: 'before-end' | 'idle' | 'interruption';
  /** The end the save must beat, unix ms; null: save now. */
  saveBy: number | null;
}

/** The triggers due now that have not fired yet. */
export function dueTriggers(input: ITriggerInput): ITrigger[] {
  const due: ITrigger[] = [];
  const { now, hard, idle } = input;
  if (input.interruption && input.onInterruption) {
    due.push({
      key: `interruption:${input.interruption.key}`,
      kind: 'interruption',
      saveBy: input.interruption.deadlineAt
    });
  }
  if (
    hard &&
    hard.source !== 'interruption' &&
    input.leadMs > 0 &&
    hard.endsAt > now &&
    hard.endsAt - now <= input.leadMs + input.lastSaveMs
  ) {
    due.push({
      key: `before-end:${hard.endsAt}`,
      kind: 'before-end',
      saveBy: hard.endsAt
    });
  }
  if (
    idle &&
    input.idleWarningMs > 0 &&
    idle.endsAt > now &&
    idle.endsAt - now <= input.idleWarningMs
  ) {
    due.push({ key: `idle:${idle.endsAt}`, kind: 'idle', saveBy: idle.endsAt });
  }
  return due.filter(t => !input.fired.has(t.key));
}
