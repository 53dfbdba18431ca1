import { nullTranslator } from '@jupyterlab/translation';
import { ClockWarning } from '../../countdown/sessionClock';
import { IClock, ICountdown } from '../../countdown/countdown';
import { CountdownWarnings } from '../../countdown/findings';
import { formatCost } from '../format';
import { KernelTracker } from '../kernels';
import { newestPoint, PeakHistory, peakHistoryShape } from '../peakHistory';
import { SampleHistory } from '../../monitor/history';
import { ResourceMonitor, SeriesKeys } from '../../monitor/monitor';
import { QueuedTransport, sampleNow } from '../../__tests__/fakeTransport';
import { gpuIdleRule } from '../gpuRules';
import { GIB, gpu, input, MINUTE, NOW, sample } from './fixtures';

describe('PeakHistory', () => {
  it('keeps the maximum of each bucket, gaps as NaN', () => {
    const h = new PeakHistory(10_000, 3);
    h.record(NOW, { x: 1 });
    h.record(NOW + 4000, { x: 7 });
    h.record(NOW + 8000, { x: null });
    h.record(NOW + 10_000, { x: null });
    h.record(NOW + 20_000, { x: 3 });
    const p = h.points('x');
    expect(Array.from(p.times)).toEqual([NOW, NOW + 10_000, NOW + 20_000]);
    expect(Array.from(p.values)).toEqual([7, NaN, 3]);
  });

  it('is bounded', () => {
    const h = new PeakHistory(1000, 5);
    for (let i = 0; i < 100; i++) {
      h.record(NOW + i * 1000, { x: i });
    }
    expect(h.length).toBe(5);
    expect(Array.from(h.points('x').values)).toEqual([95, 96, 97, 98, 99]);
    expect(Array.from(h.points('x', NOW + 98_000).values)).toEqual([98, 99]);
    expect(h.points('missing').values.every(Number.isNaN)).toBe(true);
  });

  it('can be reshaped and feeds the rules', async () => {
    // Fed as in the plugin: the newest point of the real monitor's history.
    let t = NOW - 20 * MINUTE;
    const transport = new QueuedTransport();
    const monitor = new ResourceMonitor({ transport, now: () => t });
    const s = sample({ gpus: [gpu(0, 0, 2)] });
    transport.fallback = { kind: 'sample', sample: s };
    monitor.setContext({
      notebookOpen: true,
      activeKernelId: null,
      activeNotebookPath: null,
      kernelIds: []
    });
    let h = new PeakHistory(1000, 10_000);
    for (; t <= NOW; t += 2000) {
      // Someone is at the page: the idle pause must not stop the samples.
      monitor.noteActivity();
      await sampleNow(monitor);
      const point = newestPoint(monitor.history);
      h.record(point!.time, point!.values);
    }
    monitor.dispose();
    h = h.reshaped(30_000, 100);
    expect(h.length).toBe(41);
    expect(gpuIdleRule(input({ history: h, sample: s }))).toHaveLength(1);
  });

  it('sizes buckets from the rule windows', () => {
    expect(peakHistoryShape(15 * MINUTE, 30 * MINUTE, MINUTE)).toEqual({
      bucketMs: 30_000,
      capacity: 68
    });
    expect(peakHistoryShape(6000, 6000, MINUTE).bucketMs).toBe(1000);
  });

  it('reads the newest point of a history, gaps as null', () => {
    const h = new SampleHistory(4);
    expect(newestPoint(h)).toBeNull();
    h.push(NOW - 1000, { [SeriesKeys.ram]: 10, x: 1 });
    h.push(NOW, { [SeriesKeys.ram]: 25, x: null });
    expect(newestPoint(h)).toEqual({
      time: NOW,
      values: { [SeriesKeys.ram]: 25, x: null }
    });
  });
});

describe('KernelTracker', () => {
  const withKernel = sample({
    ramUsedGiB: 60,
    ramLimitGiB: 64,
    kernels: {
      k1: {
        pid: 1,
        pids: [1],
        rss_bytes: 50 * GIB,
        cpu_percent: 100,
        process_count: 1,
        gpu_memory_bytes: null,
        cwd: null
      },
      k2: null
    }
  });

  it('knows since when a kernel is idle', () => {
    const t = new KernelTracker();
    t.setStatus('k1', 'a.ipynb', 'idle', NOW);
    t.setStatus('k1', 'a.ipynb', 'idle', NOW + 5000);
    expect(t.activities(new Map([['k1', 'a.ipynb']]))).toEqual([
      { id: 'k1', path: 'a.ipynb', status: 'idle', idleSince: NOW }
    ]);
    t.setStatus('k1', 'a.ipynb', 'busy', NOW + 6000);
    expect(t.activities(new Map([['k1', 'a.ipynb']]))[0].idleSince).toBeNull();
    expect(t.activities(new Map([['other', 'b.ipynb']]))).toEqual([]);
  });

  it('records a death once, with the numbers from before it', () => {
    const t = new KernelTracker();
    t.setStatus('k1', 'a.ipynb', 'busy', NOW);
    t.recordSample(withKernel, NOW + 1000);
    t.setStatus('k1', 'a.ipynb', 'autorestarting', NOW + 3000);
    t.setStatus('k1', 'a.ipynb', 'dead', NOW + 4000);
    t.recordSample(sample({ ramUsedGiB: 2, kernels: {} }), NOW + 5000);
    expect(t.deaths).toHaveLength(1);
    expect(t.deaths[0]).toMatchObject({
      kernelId: 'k1',
      at: NOW + 3000,
      last: { at: NOW + 1000, rssBytes: 50 * GIB, ramPercent: 93.75 }
    });
    // A user's restart is not a death.
    t.setStatus('k1', 'a.ipynb', 'restarting', NOW + 9000);
    expect(t.deaths).toHaveLength(1);
  });

  it('is bounded', () => {
    const t = new KernelTracker(4);
    for (let i = 0; i < 20; i++) {
      t.setStatus(`k${i}`, 'x', 'idle', NOW);
      t.setStatus(`k${i}`, 'x', 'dead', NOW);
    }
    expect(t.deaths).toHaveLength(4);
    expect(t.deaths.map(d => d.kernelId)).toEqual(['k16', 'k17', 'k18', 'k19']);
    expect(t.activities(new Map([['k0', 'x']]))).toEqual([]);
  });
});

describe('format', () => {
  it('writes prices', () => {
    expect(formatCost(45 * MINUTE, 0.9, '$')).toBe('$0.68');
    expect(formatCost(45 * MINUTE, null, '$')).toBeNull();
  });
});

describe('CountdownWarnings', () => {
  const clock = (
    remainingMs: number,
    kind: 'hard' | 'idle' = 'hard'
  ): IClock => ({
    kind,
    endsAt: NOW + remainingMs,
    remainingMs,
    fractionUsed: 0.9,
    ended: remainingMs <= 0,
    source: 'user',
    detail: 'from your settings'
  });
  const countdown = (
    hard: IClock | null,
    idle: IClock | null = null
  ): ICountdown => ({
    hard,
    idle,
    nearest: hard ?? idle
  });
  const trans = nullTranslator.load('jupyterlab_gpu_session');

  it('keeps a session-ending warning while it holds and updates the time left', () => {
    const c = new CountdownWarnings(trans);
    const due: ClockWarning[] = [
      { kind: 'threshold', clock: clock(15 * MINUTE), minutes: 15 }
    ];
    const [f] = c.update(due, countdown(clock(15 * MINUTE)), 60 * MINUTE);
    expect(f.key).toBe('session-ending:hard');
    expect(f.title).toBe(
      'The session ends in 15m (from your settings). Save your work and checkpoints now.'
    );
    const [later] = c.update([], countdown(clock(9 * MINUTE)), 60 * MINUTE);
    expect(later.title).toContain('ends in 9m');
    expect(later.epoch).toBe(f.epoch);
    expect(c.update([], countdown(null), 60 * MINUTE)).toEqual([]);
  });

  it('drops an idle warning when activity pushes the clock back', () => {
    const c = new CountdownWarnings(trans, () => false);
    const idle = clock(5 * MINUTE, 'idle');
    const [f] = c.update(
      [{ kind: 'threshold', clock: idle, minutes: 5 }],
      countdown(null, idle),
      15 * MINUTE
    );
    expect(f.title).toContain('stops for inactivity in 5m');
    expect(f.actions.map(a => a.command)).toEqual(['gpu-session:open']);
    expect(
      c.update([], countdown(null, clock(90 * MINUTE, 'idle')), 15 * MINUTE)
    ).toEqual([]);
  });

  it('says when work is at risk', () => {
    const c = new CountdownWarnings(trans);
    const [f] = c.update(
      [
        {
          kind: 'work-at-risk',
          clock: clock(10 * MINUTE),
          checkpointAgeMs: 47 * MINUTE
        }
      ],
      countdown(clock(10 * MINUTE)),
      60 * MINUTE
    );
    expect(f.rule).toBe('work-at-risk');
    expect(f.title).toBe(
      'The session ends in 10m, but the last checkpoint is 47m old: save one now.'
    );
  });
});
