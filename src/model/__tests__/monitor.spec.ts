import { ResourceMonitor, SeriesKeys } from '../monitor';
import { parseSample } from '../../probe/parser';
import { IProbeSample } from '../../probe/protocol';
import { DEFAULT_MONITOR_SETTINGS } from '../settings';
import { QueuedTransport } from '../../__tests__/fakeTransport';
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
    await monitor.refresh();
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
    await monitor.refresh();
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
    await monitor.refresh();
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
    await monitor.refresh();
    now += 2000;
    transport.outcomes.push({ kind: 'invalid', error: 'bad JSON' });
    await monitor.refresh();
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
    await monitor.refresh();
    await monitor.refresh();
    expect(monitor.probeError).toBeNull();
    expect(monitor.stale).toBe(false);
  });

  it('marks data stale on a timeout and says why', async () => {
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await monitor.refresh();
    transport.outcomes.push({ kind: 'timeout' });
    await monitor.refresh();
    expect(monitor.stale).toBe(true);
    expect(monitor.message).toContain('within 10 s');
    expect(monitor.phase).toBe('running');
  });

  it('says why the monitor kernel cannot run', async () => {
    transport.outcomes.push({ kind: 'unavailable', error: 'no Python kernel' });
    await monitor.refresh();
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
    expect(monitor.running).toBe(true);
    monitor.setDemand('notebook', false);
    expect(monitor.running).toBe(true);
    monitor.setDemand('sidebar', false);
    expect(monitor.running).toBe(false);
    await Promise.resolve();
    expect(transport.stopCount).toBe(1);
    expect(monitor.phase).toBe('idle');
  });

  it('does nothing after dispose', async () => {
    let count = 0;
    monitor.changed.connect(() => count++);
    monitor.dispose();
    monitor.dispose();
    await monitor.refresh();
    expect(count).toBe(0);
    expect(transport.requests.length).toBe(0);
    expect(transport.isDisposed).toBe(true);
  });
});
