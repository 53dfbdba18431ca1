/**
 * Issue 10: the refresh command goes through the poll, and the probe's own
 * error reaches the person.
 */
import { PromiseDelegate } from '@lumino/coreutils';
import { ResourceMonitor } from '../monitor';
import { nullTranslator } from '@jupyterlab/translation';
import { IProbeTransport, ProbeOutcome, TransportKind } from '../outcome';
import { transportSentence } from '../transportText';
import { parseSample } from '../parser';
import { IProbeRequest, IProbeSample } from '../protocol';
import { sectionErrors } from '../sectionErrors';
import { DEFAULT_MONITOR_SETTINGS } from '../settings';
import { QueuedTransport, sampleNow } from '../../__tests__/fakeTransport';
import { RawSample, teslaT4Sample } from '../../__tests__/samples';

function sample(raw: RawSample = teslaT4Sample()): IProbeSample {
  const result = parseSample(raw);
  if (!result.ok) {
    throw new Error(result.error);
  }
  return result.sample;
}

/** Answers each request when the test says so. */
class HeldTransport implements IProbeTransport {
  readonly requests: IProbeRequest[] = [];
  readonly held: PromiseDelegate<ProbeOutcome>[] = [];
  description = 'held test transport';
  isDisposed = false;
  stopCount = 0;
  request(request: IProbeRequest): Promise<ProbeOutcome> {
    this.requests.push(request);
    const answer = new PromiseDelegate<ProbeOutcome>();
    this.held.push(answer);
    return answer.promise;
  }
  async stop(): Promise<void> {
    this.stopCount++;
  }
  dispose(): void {
    this.isDisposed = true;
  }
}

/** Resolve once `condition` holds (checked on each macrotask). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  expect(condition()).toBe(true);
}

describe('refresh through the poll', () => {
  let transport: QueuedTransport;
  let monitor: ResourceMonitor;

  beforeEach(() => {
    transport = new QueuedTransport();
    transport.fallback = { kind: 'sample', sample: sample() };
    monitor = new ResourceMonitor({ transport });
  });

  afterEach(() => monitor.dispose());

  it('sends nothing while monitoring is stopped (no kernel nothing shuts down)', async () => {
    await monitor.requestSample();
    expect(transport.requests.length).toBe(0);
    expect(monitor.phase).toBe('idle');
  });

  it('sends nothing while monitoring is paused', async () => {
    let now = 1_000_000;
    monitor.dispose();
    monitor = new ResourceMonitor({
      transport,
      now: () => now,
      settings: { ...DEFAULT_MONITOR_SETTINGS, idlePauseMs: 1000 }
    });
    await sampleNow(monitor);
    now += 5000;
    // The next tick finds the page idle and pauses.
    await monitor.requestSample();
    await until(() => monitor.paused);
    const sent = transport.requests.length;
    await monitor.requestSample();
    expect(transport.requests.length).toBe(sent);
    expect(monitor.phase).toBe('paused');
  });

  it('takes a sample through the poll once started', async () => {
    await sampleNow(monitor);
    const before = monitor.sampleCount;
    await monitor.requestSample();
    expect(monitor.sampleCount).toBe(before + 1);
  });
});

describe('a refresh during a running tick', () => {
  it('waits for that tick instead of sending a second request', async () => {
    const transport = new HeldTransport();
    const monitor = new ResourceMonitor({ transport });
    monitor.start();
    await until(() => transport.requests.length === 1);
    const refreshed = monitor.requestSample();
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(transport.requests.length).toBe(1);
    transport.held[0].resolve({ kind: 'sample', sample: sample() });
    await refreshed;
    expect(monitor.sampleCount).toBe(1);
    expect(monitor.message).toBeNull();
    monitor.dispose();
  });

  it('a busy answer is no timeout: the previous state stays', async () => {
    const transport = new QueuedTransport();
    const monitor = new ResourceMonitor({ transport });
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await sampleNow(monitor);
    let changes = 0;
    monitor.changed.connect(() => changes++);
    transport.outcomes.push({ kind: 'busy' });
    await monitor.requestSample();
    expect(transport.requests.length).toBe(2);
    expect(monitor.stale).toBe(false);
    expect(monitor.message).toBeNull();
    expect(monitor.phase).toBe('running');
    expect(changes).toBe(0);
    monitor.dispose();
  });
});

describe("the probe's own error", () => {
  it('a sample the probe could not take shows its words, not a schema error', () => {
    const raw = {
      ...teslaT4Sample(),
      gpus: [],
      host: null,
      kernels: {},
      error: 'probe failed: OSError: [Errno 24] Too many open files'
    };
    const result = parseSample(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.fromProbe).toBe(true);
      expect(result.error).toBe(
        'The probe could not read this machine: probe failed: OSError: [Errno 24] Too many open files'
      );
      expect(result.error).not.toContain('malformed');
    }
  });

  it('host null without an error is still malformed', () => {
    const result = parseSample({ ...teslaT4Sample(), host: null });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain('sample.host should be an object');
    }
  });

  it('the monitor shows the failed sample in the probe’s words', async () => {
    const transport = new QueuedTransport();
    const monitor = new ResourceMonitor({ transport });
    const parsed = parseSample({
      ...teslaT4Sample(),
      host: null,
      error: 'host: PermissionError: /proc/meminfo'
    });
    transport.outcomes.push({
      kind: 'invalid',
      error: parsed.ok ? '' : parsed.error
    });
    await sampleNow(monitor);
    expect(monitor.probeError).toContain(
      'host: PermissionError: /proc/meminfo'
    );
    monitor.dispose();
  });

  it('partial failures are kept with the sample, by section', async () => {
    const error =
      'meminfo: [Errno 13] Permission denied; kernel abc: no such process; disks: a; b; gpu attribution: x';
    const parsed = sample({ ...teslaT4Sample(), error });
    expect(parsed.error).toBe(error);
    const transport = new QueuedTransport();
    const monitor = new ResourceMonitor({ transport });
    transport.outcomes.push({ kind: 'sample', sample: parsed });
    await sampleNow(monitor);
    expect(monitor.sectionErrors).toEqual([
      { section: 'host', message: 'meminfo: [Errno 13] Permission denied' },
      { section: 'kernels', message: 'kernel abc: no such process' },
      { section: 'disks', message: 'disks: a; b' },
      { section: 'gpus', message: 'gpu attribution: x' }
    ]);
    // The next clean sample clears them.
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await monitor.requestSample();
    expect(monitor.sectionErrors).toEqual([]);
    monitor.dispose();
  });

  it('names unknown sections "other" and reads null as none', () => {
    expect(sectionErrors(null)).toEqual([]);
    expect(sectionErrors('something odd')).toEqual([
      { section: 'other', message: 'something odd' }
    ]);
  });
});

describe('torch numbers on kernel entries', () => {
  it('reads torch_cuda when present and null when absent', () => {
    const raw = teslaT4Sample();
    const kernels = raw.kernels as Record<string, Record<string, unknown>>;
    kernels['kernel-a'].torch_cuda = [
      { index: 0, memory_allocated_bytes: 1024, memory_reserved_bytes: 2048 }
    ];
    const parsed = sample(raw);
    expect(parsed.kernels['kernel-a']?.torch_cuda).toEqual([
      { index: 0, memory_allocated_bytes: 1024, memory_reserved_bytes: 2048 }
    ]);
    expect(sample().kernels['kernel-a']?.torch_cuda).toBeNull();
  });

  it('rejects a malformed torch_cuda entry by its path', () => {
    const raw = teslaT4Sample();
    const kernels = raw.kernels as Record<string, Record<string, unknown>>;
    kernels['kernel-a'].torch_cuda = [
      { index: 0, memory_allocated_bytes: 'x' }
    ];
    const result = parseSample(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(
        'kernels["kernel-a"].torch_cuda[0].memory_allocated_bytes'
      );
    }
  });
});

describe('where the numbers were read', () => {
  it('says which transport took the latest sample', async () => {
    const transport = new QueuedTransport();
    const monitor = new ResourceMonitor({ transport });
    const trans = nullTranslator.load('jupyterlab_gpu_session');
    expect(monitor.transportKind).toBeNull();
    expect(transportSentence(monitor.transportKind, trans)).toBe('');
    (transport as { kind?: TransportKind }).kind = 'subshell';
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await sampleNow(monitor);
    expect(transportSentence(monitor.transportKind, trans)).toBe(
      "Read in this notebook's kernel (subshell)"
    );
    (transport as { kind?: TransportKind }).kind = 'monitor-kernel';
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await monitor.requestSample();
    expect(transportSentence(monitor.transportKind, trans)).toBe(
      'Read in a separate monitor kernel'
    );
    (transport as { kind?: TransportKind }).kind = 'server';
    transport.outcomes.push({ kind: 'sample', sample: sample() });
    await monitor.requestSample();
    expect(transportSentence(monitor.transportKind, trans)).toBe(
      'Read by the Jupyter server (no kernel)'
    );
    monitor.dispose();
  });
});
