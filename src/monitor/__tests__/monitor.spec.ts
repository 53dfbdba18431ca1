import { INotebookContext, ResourceMonitor, SeriesKeys } from '../monitor';
import { parseSample } from '../parser';
import { IProbeSample } from '../protocol';
import { DEFAULT_MONITOR_SETTINGS } from '../settings';
import { QueuedTransport, sampleNow } from '../../__tests__/fakeTransport';
import { noGpuSample, teslaT4Sample } from '../../__tests__/samples';

function sample(raw = teslaT4Sample()): IProbeSample {
  const result = parseSample(raw);
  if (!result.ok) {
    throw new Error(result.error);
  }
  return result.sample;
}

describe('ResourceMonitor', () => {
  let transport: QueuedTransport;
  let monitor: ResourceMonitor;
  let now: number;

  beforeEach(() => {
    now = 1_000_000;
    transport = new QueuedTransport();
    monitor = new ResourceMonitor({ transport, now: () => now });
  });

  afterEach(() => {
    monitor.dispose();
  });

  it('starts idle and says when it starts', () => {
    const phases: string[] = [];
    monitor.changed.connect(() => phases.push(monitor.phase));
    expect(monitor.phase).toBe('idle');
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    monitor.start();
    expect(phases[0]).toBe('starting');
  });

  it('records a sample, its time and its history', async () => {
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await sampleNow(monitor);
    expect(monitor.phase).toBe('running');
    expect(monitor.sample?.gpus[0].name).toBe('Tesla T4');
    expect(monitor.sampleTime).toBe(now);
    expect(monitor.stale).toBe(false);
    expect(monitor.sampleCount).toBe(1);
    const util = monitor.history.points(SeriesKeys.gpuUtilization(0));
    expect(Array.from(util.values)).toEqual([37]);
    const ram = monitor.history.points(SeriesKeys.ram).values[0];
    expect(ram).toBeCloseTo(37.5);
  });

  it('uses the container limit for the RAM history', async () => {
    transport.outcomes.push({ kind: 'sample', sample: sample(noGpuSample()) });
    await sampleNow(monitor);
    const ram = monitor.history.points(SeriesKeys.ram).values[0];
    expect(ram).toBeCloseTo((100 * 3) / 16);
  });

  it('asks for the open notebooks’ kernels and the settings’ paths', async () => {
    monitor.setContext({
      notebookOpen: true,
      activeKernelId: 'k1',
      activeNotebookPath: 'train.ipynb',
      kernelIds: ['k1', 'k2']
    });
    monitor.configure({
      ...DEFAULT_MONITOR_SETTINGS,
      diskPaths: ['/data'],
      gpuSource: 'nvml'
    });
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await sampleNow(monitor);
    expect(transport.requests[0]).toEqual({
      kernel_ids: ['k1', 'k2'],
      disks: ['/data'],
      gpu_source: 'nvml',
      nvidia_smi: 'nvidia-smi',
      checkpoint_globs: null
    });
  });

  it('keeps the last good sample and marks it stale on a bad reply', async () => {
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await sampleNow(monitor);
    now += 2000;
    transport.outcomes.push({ kind: 'invalid', error: 'bad JSON' });
    await sampleNow(monitor);
    expect(monitor.sample?.gpus[0].name).toBe('Tesla T4');
    expect(monitor.sampleTime).toBe(now - 2000);
    expect(monitor.stale).toBe(true);
    expect(monitor.probeError).toBe('bad JSON');
  });

  it('recovers with the next good sample', async () => {
    transport.outcomes.push(
      { kind: 'invalid', error: 'bad JSON' },
      { kind: 'sample', sample: sample() }
    );
    await sampleNow(monitor);
    await sampleNow(monitor);
    expect(monitor.probeError).toBeNull();
    expect(monitor.stale).toBe(false);
  });

  it('marks data stale on a timeout and says why', async () => {
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await sampleNow(monitor);
    transport.outcomes.push({ kind: 'timeout' });
    await sampleNow(monitor);
    expect(monitor.stale).toBe(true);
    expect(monitor.message).toContain('within 10 s');
    expect(monitor.phase).toBe('running');
  });

  it('says why the monitor kernel cannot run', async () => {
    transport.outcomes.push({ kind: 'unavailable', error: 'no Python kernel' });
    await sampleNow(monitor);
    expect(monitor.phase).toBe('unavailable');
    expect(monitor.message).toBe('no Python kernel');
  });

  it('emits changed only when the notebook context really changes', () => {
    let count = 0;
    monitor.changed.connect(() => count++);
    const context = {
      notebookOpen: true,
      activeKernelId: 'k1',
      activeNotebookPath: 'a.ipynb',
      kernelIds: ['k1']
    };
    monitor.setContext(context);
    monitor.setContext({ ...context, kernelIds: ['k1'] });
    expect(count).toBe(1);
  });

  it('runs while something needs it and stops its kernel after', async () => {
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    monitor.setDemand('notebook', true);
    monitor.setDemand('sidebar', true);
    expect(monitor.phase).not.toBe('idle');
    monitor.setDemand('notebook', false);
    expect(monitor.phase).not.toBe('idle');
    monitor.setDemand('sidebar', false);
    expect(monitor.phase).toBe('idle');
    await Promise.resolve();
    expect(transport.stopCount).toBe(1);
    expect(monitor.phase).toBe('idle');
  });

  it('does nothing after dispose', async () => {
    let count = 0;
    monitor.changed.connect(() => count++);
    monitor.dispose();
    monitor.dispose();
    await sampleNow(monitor);
    expect(count).toBe(0);
    expect(transport.requests.length).toBe(0);
    expect(transport.isDisposed).toBe(true);
  });
});

describe('ResourceMonitor life cycle (fake timers)', () => {
  const INTERVAL = 2000;
  let transport: QueuedTransport;
  let monitor: ResourceMonitor;
  let hidden: boolean;

  const context = (
    extra: Partial<INotebookContext> = {}
  ): INotebookContext => ({
    notebookOpen: true,
    activeKernelId: 'kernel-a',
    activeNotebookPath: 'train.ipynb',
    kernelIds: ['kernel-a'],
    activeKernelStatus: 'idle',
    anyKernelBusy: false,
    ...extra
  });

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    hidden = false;
    transport = new QueuedTransport();
    transport.fallback = { kind: 'sample', sample: sample() };
    monitor = new ResourceMonitor({
      transport,
      settings: {
        ...DEFAULT_MONITOR_SETTINGS,
        intervalMs: INTERVAL,
        idlePauseMs: 60_000,
        hiddenBusyIntervalMs: 30_000
      },
      isHidden: () => hidden
    });
    monitor.setContext(context());
    monitor.setDemand('notebook', true);
  });

  afterEach(() => {
    monitor.dispose();
    jest.useRealTimers();
  });

  it('samples once per interval while visible', async () => {
    await jest.advanceTimersByTimeAsync(INTERVAL * 5 + 100);
    expect(transport.requests.length).toBe(6);
    expect(monitor.phase).toBe('running');
  });

  it('pauses after the idle time, shuts the kernel down and sends nothing more', async () => {
    await jest.advanceTimersByTimeAsync(59_000);
    expect(monitor.paused).toBe(false);
    await jest.advanceTimersByTimeAsync(INTERVAL + 100);
    expect(monitor.phase).toBe('paused');
    expect(transport.stopCount).toBe(1);
    const sent = transport.requests.length;
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(transport.requests.length).toBe(sent);
  });

  it('resumes at once on input', async () => {
    await jest.advanceTimersByTimeAsync(62_000);
    expect(monitor.paused).toBe(true);
    const sent = transport.requests.length;
    monitor.noteActivity();
    expect(monitor.phase).toBe('running');
    await jest.advanceTimersByTimeAsync(100);
    expect(transport.requests.length).toBe(sent + 1);
    // And pauses again after another idle period.
    await jest.advanceTimersByTimeAsync(62_000);
    expect(monitor.paused).toBe(true);
  });

  it('input keeps it from pausing', async () => {
    for (let i = 0; i < 10; i++) {
      await jest.advanceTimersByTimeAsync(50_000);
      monitor.noteActivity();
    }
    expect(monitor.paused).toBe(false);
  });

  it('a busy kernel keeps it from pausing, and the idle time counts from its end', async () => {
    monitor.setContext(
      context({ anyKernelBusy: true, activeKernelStatus: 'busy' })
    );
    await jest.advanceTimersByTimeAsync(5 * 60_000);
    expect(monitor.paused).toBe(false);
    monitor.setContext(context());
    await jest.advanceTimersByTimeAsync(50_000);
    expect(monitor.paused).toBe(false);
    await jest.advanceTimersByTimeAsync(12_000);
    expect(monitor.paused).toBe(true);
  });

  it('a kernel turning busy resumes a paused monitor', async () => {
    await jest.advanceTimersByTimeAsync(62_000);
    expect(monitor.paused).toBe(true);
    monitor.setContext(context({ anyKernelBusy: true }));
    expect(monitor.paused).toBe(false);
  });

  it('samples at the quiet interval after a minute without input, and at once on the next input', async () => {
    monitor.configure({
      ...monitor.settings,
      idlePauseMs: 0,
      quietAfterMs: 60_000,
      quietIntervalMs: 10_000
    });
    await jest.advanceTimersByTimeAsync(60_000);
    const atQuiet = transport.requests.length;
    await jest.advanceTimersByTimeAsync(60_000);
    // Six quiet samples in a minute instead of one per interval.
    expect(transport.requests.length - atQuiet).toBe(6);
    expect(monitor.phase).toBe('running');
    const before = transport.requests.length;
    monitor.noteActivity();
    await jest.advanceTimersByTimeAsync(100);
    expect(transport.requests.length).toBe(before + 1);
    // Back to the sampling interval while input keeps coming.
    await jest.advanceTimersByTimeAsync(INTERVAL * 5);
    expect(transport.requests.length).toBe(before + 6);
  });

  it('a busy kernel does not keep the quiet cadence away', async () => {
    monitor.configure({ ...monitor.settings, idlePauseMs: 0 });
    monitor.setContext(
      context({ anyKernelBusy: true, activeKernelStatus: 'busy' })
    );
    await jest.advanceTimersByTimeAsync(120_000);
    const sent = transport.requests.length;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(transport.requests.length - sent).toBe(
      60_000 / DEFAULT_MONITOR_SETTINGS.quietIntervalMs
    );
  });

  it('never pauses with idlePauseMs 0', async () => {
    monitor.configure({ ...monitor.settings, idlePauseMs: 0 });
    await jest.advanceTimersByTimeAsync(30 * 60_000);
    expect(monitor.paused).toBe(false);
  });

  it('stands by while hidden and no kernel is busy', async () => {
    await jest.advanceTimersByTimeAsync(100);
    const sent = transport.requests.length;
    hidden = true;
    monitor.noteActivity();
    await jest.advanceTimersByTimeAsync(50_000);
    expect(transport.requests.length).toBe(sent);
    hidden = false;
    monitor.noteActivity();
    await jest.advanceTimersByTimeAsync(INTERVAL + 100);
    expect(transport.requests.length).toBe(sent + 1);
  });

  it('samples every 30 s while hidden with a busy kernel', async () => {
    monitor.setContext(
      context({ anyKernelBusy: true, activeKernelStatus: 'busy' })
    );
    await jest.advanceTimersByTimeAsync(100);
    hidden = true;
    const sent = transport.requests.length;
    await jest.advanceTimersByTimeAsync(5 * 60_000);
    const taken = transport.requests.length - sent;
    // 300 s / 30 s, give or take the interval the ticks fall on.
    expect(taken).toBeGreaterThanOrEqual(9);
    expect(taken).toBeLessThanOrEqual(10);
  });

  it('says since when the server is gone and recovers', async () => {
    await jest.advanceTimersByTimeAsync(100);
    transport.fallback = {
      kind: 'disconnected',
      error: 'The server cannot be reached.'
    };
    const lost = Date.now();
    await jest.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(monitor.phase).toBe('disconnected');
    const since = monitor.disconnectedSince!;
    expect(since).toBeGreaterThanOrEqual(lost);
    expect(since).toBeLessThanOrEqual(lost + INTERVAL);
    expect(monitor.stale).toBe(true);
    transport.fallback = { kind: 'sample', sample: sample() };
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(monitor.phase).toBe('running');
    expect(monitor.disconnectedSince).toBeNull();
    expect(monitor.stale).toBe(false);
  });

  it('shows a notice for a while, then drops it', async () => {
    await jest.advanceTimersByTimeAsync(100);
    transport.outcomes.push({
      kind: 'sample',
      sample: sample(),
      notice: 'The monitor kernel died; a new one was started.'
    });
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(monitor.notice).toContain('died');
    await jest.advanceTimersByTimeAsync(INTERVAL * 16);
    expect(monitor.notice).toBeNull();
  });

  it('samples at once when the notebook kernel comes back from a restart', async () => {
    await jest.advanceTimersByTimeAsync(100);
    monitor.setContext(context({ activeKernelStatus: 'autorestarting' }));
    const sent = transport.requests.length;
    monitor.setContext(context({ activeKernelStatus: 'idle' }));
    await jest.advanceTimersByTimeAsync(10);
    expect(transport.requests.length).toBe(sent + 1);
  });

  it('a waiting monitor kernel keeps the old numbers, marked stale', async () => {
    await jest.advanceTimersByTimeAsync(100);
    transport.fallback = {
      kind: 'waiting',
      error: 'The monitor kernel is restarting.'
    };
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(monitor.phase).toBe('running');
    expect(monitor.stale).toBe(true);
    expect(monitor.message).toBe('The monitor kernel is restarting.');
  });
});
