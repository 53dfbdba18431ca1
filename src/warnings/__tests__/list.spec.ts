import { DISMISSAL_LIFETIME_MS, IWarningListState, WarningList } from '../list';
import { IWarningFinding } from '../types';
import { MINUTE, NOW } from './fixtures';

function finding(
  key = 'gpu-idle',
  title = 'idle 15 min',
  changes: Partial<IWarningFinding> = {}
): IWarningFinding {
  return {
    key,
    rule: key.split(':')[0] as IWarningFinding['rule'],
    severity: 'warning',
    title,
    detail: 'd',
    advice: 'a',
    actions: [],
    ...changes
  };
}

/** A fake state database: what was saved last. */
class FakeStore {
  saved: IWarningListState | null = null;
  saves = 0;
  async load() {
    return this.saved ? JSON.parse(JSON.stringify(this.saved)) : null;
  }
  async save(state: IWarningListState) {
    this.saves++;
    this.saved = JSON.parse(JSON.stringify(state));
  }
}

async function flush(): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 0));
}

describe('WarningList', () => {
  let now: number;
  let store: FakeStore;
  let list: WarningList;
  beforeEach(async () => {
    now = NOW;
    store = new FakeStore();
    list = new WarningList({ store, now: () => now });
    await list.restore();
  });

  it('raises once, updates in place and clears', () => {
    const raised: string[] = [];
    let changes = 0;
    list.raised.connect((_, w) => raised.push(w.key));
    list.changed.connect(() => changes++);

    list.update('monitor', [finding()]);
    now += MINUTE;
    list.update('monitor', [finding()]);
    expect(changes).toBe(1);
    list.update('monitor', [finding('gpu-idle', 'idle 16 min')]);
    expect(raised).toEqual(['gpu-idle']);
    expect(changes).toBe(2);
    const [w] = list.warnings;
    expect(w.title).toBe('idle 16 min');
    expect(w.raisedAt).toBe(NOW);
    expect(w.updatedAt).toBe(NOW + MINUTE);
    expect(w.visible).toBe(true);

    list.update('monitor', []);
    expect(list.warnings).toEqual([]);
    // Back again: a new raise.
    list.update('monitor', [finding()]);
    expect(raised).toEqual(['gpu-idle', 'gpu-idle']);
  });

  it('clears only the keys of the source that hands findings in', () => {
    list.update('monitor', [finding()]);
    list.update('countdown', [finding('session-ending:hard')]);
    list.update('countdown', []);
    expect(list.warnings.map(w => w.key)).toEqual(['gpu-idle']);
    expect([...list.activeKeys('monitor')]).toEqual(['gpu-idle']);
  });

  it('orders errors first, then by age', () => {
    list.update('monitor', [finding('disk-full:/a')]);
    now += 1000;
    list.update('monitor', [
      finding('disk-full:/a'),
      finding('ram-unused', 'x', { severity: 'info' }),
      finding('kernel-died-near-limit:k', 'x', { severity: 'error' })
    ]);
    expect(list.warnings.map(w => w.rule)).toEqual([
      'kernel-died-near-limit',
      'disk-full',
      'ram-unused'
    ]);
  });

  it('snoozes a rule for a while, kept across a reload', async () => {
    list.update('monitor', [finding()]);
    list.snooze('gpu-idle', 60);
    expect(list.warnings[0].visible).toBe(false);
    expect(list.warnings[0].snoozedUntil).toBe(NOW + 60 * MINUTE);
    expect(list.warnings.filter(w => w.visible)).toEqual([]);
    await flush();
    expect(store.saved?.snoozed).toEqual({ 'gpu-idle': NOW + 60 * MINUTE });

    // A reload: a new list on the same store.
    const again = new WarningList({ store, now: () => now });
    await again.restore();
    const raised: string[] = [];
    again.raised.connect((_, w) => raised.push(w.key));
    again.update('monitor', [finding()]);
    expect(again.warnings[0].visible).toBe(false);

    // The snooze ends.
    now += 61 * MINUTE;
    again.update('monitor', [finding()]);
    expect(again.warnings[0].visible).toBe(true);
    await flush();
    expect(store.saved?.snoozed).toEqual({});
  });

  it('ends snoozes on the next update and can unsnooze', () => {
    list.update('monitor', [finding()]);
    list.snooze('gpu-idle', 1);
    list.unsnooze('gpu-idle');
    expect(list.warnings[0].visible).toBe(true);
    list.snooze('gpu-idle', 1);
    let changes = 0;
    list.changed.connect(() => changes++);
    now += 2 * MINUTE;
    list.update('monitor', [finding()]);
    expect(changes).toBe(1);
    expect(list.warnings[0].visible).toBe(true);
  });

  it('dismisses a warning until it clears, kept across a reload', async () => {
    list.update('monitor', [finding('disk-full:/a'), finding('disk-full:/b')]);
    list.dismiss('disk-full:/a');
    expect(list.warnings.map(w => w.visible)).toEqual([false, true]);
    await flush();
    const again = new WarningList({ store, now: () => now });
    await again.restore();
    again.update('monitor', [finding('disk-full:/a')]);
    expect(again.warnings[0].dismissed).toBe(true);
    // It clears: the dismissal is forgotten, and it shows when it comes back.
    again.update('monitor', []);
    again.update('monitor', [finding('disk-full:/a')]);
    expect(again.warnings[0].visible).toBe(true);
    await flush();
    expect(store.saved?.dismissed).toEqual({});
  });

  it('forgets old dismissals on restore', async () => {
    store.saved = {
      snoozed: { 'gpu-idle': NOW - 1 },
      dismissed: { 'disk-full:/a': NOW - DISMISSAL_LIFETIME_MS - 1 }
    };
    const again = new WarningList({ store, now: () => now });
    await again.restore();
    expect(again.toJSON()).toEqual({ snoozed: {}, dismissed: {} });
  });

  it('raises anew on a new epoch and lifts the snooze', () => {
    const raised: number[] = [];
    list.raised.connect((_, w) => raised.push(w.raisedAt));
    list.update('countdown', [
      finding('session-ending:hard', 't', { epoch: 15 })
    ]);
    list.snooze('session-ending', 60);
    now += MINUTE;
    list.update('countdown', [
      finding('session-ending:hard', 't', { epoch: 15 })
    ]);
    expect(list.warnings[0].visible).toBe(false);
    list.update('countdown', [
      finding('session-ending:hard', 't', { epoch: 5 })
    ]);
    expect(raised).toEqual([NOW, NOW + MINUTE]);
    expect(list.warnings[0].visible).toBe(true);
  });

  it('survives a store that fails', async () => {
    const broken = new WarningList({
      store: {
        load: () => Promise.reject(new Error('no db')),
        save: () => Promise.reject(new Error('no db'))
      },
      now: () => now
    });
    const warn = jest
      .spyOn(console, 'warn')
      .mockImplementation(() => undefined);
    await broken.restore();
    expect(broken.restored).toBe(true);
    broken.update('monitor', [finding()]);
    broken.snooze('gpu-idle', 5);
    await flush();
    expect(broken.warnings[0].visible).toBe(false);
    warn.mockRestore();
  });

  it('emits nothing after dispose', () => {
    let changes = 0;
    list.changed.connect(() => changes++);
    list.dispose();
    list.update('monitor', [finding()]);
    expect(changes).toBe(0);
  });
});
