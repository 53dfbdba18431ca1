import { dueTriggers, ITriggerInput } from '../triggers';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 27, 21, 0, 0);

function input(extra: Partial<ITriggerInput> = {}): ITriggerInput {
  return {
    now: NOW,
    hard: null,
    idle: null,
    interruption: null,
    leadMs: 10 * MIN,
    lastSaveMs: 0,
    idleWarningMs: 60 * MIN,
    onInterruption: true,
    fired: new Set(),
    ...extra
  };
}

describe('dueTriggers', () => {
  it('asks the lead time before the hard end, earlier by the last save', () => {
    const hard = { endsAt: NOW + 11 * MIN, source: 'preset' };
    expect(dueTriggers(input({ hard }))).toEqual([]);
    expect(dueTriggers(input({ hard, lastSaveMs: 90_000 }))).toEqual([
      {
        key: `before-end:${hard.endsAt}`,
        kind: 'before-end',
        saveBy: hard.endsAt
      }
    ]);
  });

  it('fires once per end, and again for a new end', () => {
    const hard = { endsAt: NOW + 5 * MIN, source: 'detected' };
    const [first] = dueTriggers(input({ hard }));
    expect(dueTriggers(input({ hard, fired: new Set([first.key]) }))).toEqual(
      []
    );
    const later = { endsAt: NOW + 6 * MIN, source: 'detected' };
    expect(
      dueTriggers(input({ hard: later, fired: new Set([first.key]) }))
    ).toHaveLength(1);
  });

  it('never asks with a lead of 0 or after the end', () => {
    const hard = { endsAt: NOW + MIN, source: 'preset' };
    expect(dueTriggers(input({ hard, leadMs: 0 }))).toEqual([]);
    expect(
      dueTriggers(input({ hard: { endsAt: NOW - 1, source: 'preset' } }))
    ).toEqual([]);
  });

  it('asks with the idle cut-off warning', () => {
    const idle = { endsAt: NOW + 30 * MIN, source: 'preset' };
    expect(dueTriggers(input({ idle }))).toEqual([
      { key: `idle:${idle.endsAt}`, kind: 'idle', saveBy: idle.endsAt }
    ]);
    expect(dueTriggers(input({ idle, idleWarningMs: 15 * MIN }))).toEqual([]);
  });

  it('asks at once on an interruption notice, not again as a hard end', () => {
    const deadline = NOW + 2 * MIN;
    const triggers = dueTriggers(
      input({
        hard: { endsAt: deadline, source: 'interruption' },
        interruption: { key: 'aws:spot-terminate', deadlineAt: deadline }
      })
    );
    expect(triggers).toEqual([
      {
        key: 'interruption:aws:spot-terminate',
        kind: 'interruption',
        saveBy: deadline
      }
    ]);
    expect(
      dueTriggers(
        input({
          interruption: { key: 'aws:spot-terminate', deadlineAt: deadline },
          onInterruption: false
        })
      )
    ).toEqual([]);
  });
});
