import { SampleHistory } from '../../monitor/history';
import {
  gpuIdleRule,
  gpuMemoryFullRule,
  idleKernelGpuMemoryRule
} from '../gpuRules';
import { lastFinite, trailingRun } from '../ruleSupport';
import { DEFAULT_WARNINGS_SETTINGS } from '../settings';
import {
  GIB,
  gpu,
  gpuValues,
  history,
  input,
  MINUTE,
  NOW,
  sample,
  settings
} from './fixtures';

const idleGpu = sample({ gpus: [gpu(0, 0, 2)] });

describe('trailingRun', () => {
  it('starts at the oldest point of the run of quiet points', () => {
    const h = history(20, t => ({ x: t > 12 * MINUTE ? 50 : 1 }));
    const run = trailingRun(h, ['x'], ([x]) => x < 5, NOW, MINUTE);
    expect(run?.since).toBe(NOW - 12 * MINUTE);
    expect(run?.peaks).toEqual([1]);
  });

  it('is null when the newest valid point is older than the gap', () => {
    const h = new SampleHistory(10);
    h.push(NOW - 5 * MINUTE, { x: 1 });
    expect(trailingRun(h, ['x'], ([x]) => x < 5, NOW, MINUTE)).toBeNull();
  });

  it('ignores points from after now', () => {
    const h = new SampleHistory(10);
    h.push(NOW - 10_000, { x: 1 });
    h.push(NOW + 10_000, { x: 90 });
    expect(trailingRun(h, ['x'], ([x]) => x < 5, NOW, MINUTE)?.since).toBe(
      NOW - 10_000
    );
  });
});

describe('lastFinite', () => {
  it('skips a trailing gap within the allowed age', () => {
    const h = history(2, t => ({ x: t < 20_000 ? null : 42 }));
    expect(lastFinite(h, 'x', NOW, MINUTE)).toBe(42);
    expect(lastFinite(h, 'x', NOW, 15_000)).toBeNull();
  });
});

describe('gpuIdleRule', () => {
  it('warns after the idle time with the numbers and the GPU check action', () => {
    const findings = gpuIdleRule(
      input({ history: history(20, () => gpuValues(0, 0, 2)), sample: idleGpu })
    );
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f.key).toBe('gpu-idle');
    expect(f.title).toBe(
      'GPU attached but not used: GPU 0 (Tesla T4) idle 20m'
    );
    expect(f.detail).toContain('utilization under 5% and memory under 5%');
    expect(f.actions[0]).toMatchObject({
      command: 'gpu-session:insert-template',
      args: { id: 'gpu-check' }
    });
  });

  it('says what the idle time cost with an hourly price', () => {
    const [f] = gpuIdleRule(
      input({
        history: history(50, () => gpuValues(0, 0, 2)),
        sample: idleGpu,
        now: NOW,
        settings: settings({ hourlyPrice: 0.9 })
      })
    );
    expect(f.title).toBe(
      'GPU attached but not used: GPU 0 (Tesla T4) idle 50m, about $0.75'
    );
  });

  it('waits for the whole idle time', () => {
    const h = history(20, t => gpuValues(0, t > 14 * MINUTE ? 80 : 0, 2));
    expect(gpuIdleRule(input({ history: h, sample: idleGpu }))).toEqual([]);
  });

  it('is not raised by data hovering at the threshold, and not cleared by it once raised', () => {
    // 4 and 6 % in turns: never 15 minutes under 5 %.
    const h = history(30, t => gpuValues(0, (t / 10_000) % 2 ? 6 : 4, 2));
    expect(gpuIdleRule(input({ history: h, sample: idleGpu }))).toEqual([]);
    // Once raised, the hysteresis (3 points) keeps it through the same data.
    expect(
      gpuIdleRule(
        input({ history: h, sample: idleGpu, active: new Set(['gpu-idle']) })
      )
    ).toHaveLength(1);
    // Real work clears it.
    const busy = history(30, t => gpuValues(0, t < 30_000 ? 60 : 0, 2));
    expect(
      gpuIdleRule(
        input({ history: busy, sample: idleGpu, active: new Set(['gpu-idle']) })
      )
    ).toEqual([]);
  });

  it('bridges short gaps but not long ones', () => {
    const short = history(20, t =>
      t > 5 * MINUTE && t < 5 * MINUTE + 40_000
        ? gpuValues(0, null, null)
        : gpuValues(0, 0, 2)
    );
    expect(
      gpuIdleRule(input({ history: short, sample: idleGpu }))
    ).toHaveLength(1);
    const long = history(20, t =>
      t > 5 * MINUTE && t < 10 * MINUTE
        ? gpuValues(0, null, null)
        : gpuValues(0, 0, 2)
    );
    expect(gpuIdleRule(input({ history: long, sample: idleGpu }))).toEqual([]);
  });

  it('names every idle GPU of several, and not a busy one', () => {
    const h = history(20, () => ({
      ...gpuValues(0, 0, 1),
      ...gpuValues(1, 90, 60),
      ...gpuValues(2, 1, 3)
    }));
    const s = sample({ gpus: [gpu(0, 0, 1), gpu(1, 90, 60), gpu(2, 1, 3)] });
    const [f] = gpuIdleRule(input({ history: h, sample: s }));
    expect(f.title).toBe('2 GPUs attached but not used: idle 20m');
    expect(f.detail).toContain('GPU 0 (Tesla T4), GPU 2 (Tesla T4)');
  });

  it('says nothing without a GPU, without utilization (MIG), or when off', () => {
    const h = history(20, () => gpuValues(0, 0, 2));
    expect(gpuIdleRule(input({ history: h, sample: sample() }))).toEqual([]);
    expect(gpuIdleRule(input({ history: h, sample: null }))).toEqual([]);
    const mig = history(20, () => gpuValues(0, null, 2));
    expect(gpuIdleRule(input({ history: mig, sample: idleGpu }))).toEqual([]);
    const off = settings({
      gpuIdle: { ...DEFAULT_WARNINGS_SETTINGS.gpuIdle, enabled: false }
    });
    expect(
      gpuIdleRule(input({ history: h, sample: idleGpu, settings: off }))
    ).toEqual([]);
  });

  it('honours fractional minutes', () => {
    const h = history(0.2, () => gpuValues(0, 0, 2), 2000);
    const short = settings({
      gpuIdle: { ...DEFAULT_WARNINGS_SETTINGS.gpuIdle, minutes: 0.1 }
    });
    const [f] = gpuIdleRule(
      input({ history: h, sample: idleGpu, settings: short })
    );
    expect(f.title).toContain('idle <1m');
  });
});

describe('idleKernelGpuMemoryRule', () => {
  const withKernel = (gib: number | null) =>
    sample({
      gpus: [gpu(0, 0, 50)],
      kernels: {
        k1: {
          pid: 1,
          pids: [1],
          rss_bytes: GIB,
          cpu_percent: 0,
          process_count: 1,
          gpu_memory_bytes: gib === null ? null : gib * GIB,
          cwd: null
        }
      }
    });
  const kernel = (idleMinutes: number | null, status = 'idle') => ({
    id: 'k1',
    path: 'train.ipynb',
    status,
    idleSince: idleMinutes === null ? null : NOW - idleMinutes * MINUTE
  });

  it('warns about an idle kernel holding GPU memory, with a restart action', () => {
    const [f] = idleKernelGpuMemoryRule(
      input({ sample: withKernel(6), kernels: [kernel(45)] })
    );
    expect(f.key).toBe('idle-kernel-gpu-memory:k1');
    expect(f.title).toBe(
      'train.ipynb holds 6.0 GiB of GPU memory while idle for 45m'
    );
    expect(f.actions[0]).toMatchObject({
      command: 'gpu-session:restart-idle-kernel',
      args: { kernelId: 'k1' }
    });
  });

  it('says nothing for a busy or recently idle kernel, little memory, or memory not attributable', () => {
    const none = [
      input({ sample: withKernel(6), kernels: [kernel(null, 'busy')] }),
      input({ sample: withKernel(6), kernels: [kernel(5)] }),
      input({ sample: withKernel(0.5), kernels: [kernel(45)] }),
      input({ sample: withKernel(null), kernels: [kernel(45)] })
    ];
    for (const i of none) {
      expect(idleKernelGpuMemoryRule(i)).toEqual([]);
    }
  });

  it('keeps an active warning while the memory hovers just under the threshold', () => {
    const i = input({ sample: withKernel(0.99), kernels: [kernel(45)] });
    expect(idleKernelGpuMemoryRule(i)).toEqual([]);
    expect(
      idleKernelGpuMemoryRule({
        ...i,
        active: new Set(['idle-kernel-gpu-memory:k1'])
      })
    ).toHaveLength(1);
  });
});

describe('gpuMemoryFullRule', () => {
  it('warns above the threshold with the advice on batch size', () => {
    const h = history(1, () => gpuValues(0, 99, 97));
    const [f] = gpuMemoryFullRule(
      input({ history: h, sample: sample({ gpus: [gpu(0, 99, 97)] }) })
    );
    expect(f.title).toBe(
      'GPU memory 97% full on GPU 0 (Tesla T4): risk of running out of memory'
    );
    expect(f.detail).toBe(
      'Above 95%: GPU 0 (Tesla T4) at 97% (15.5 GiB of 16.0 GiB).'
    );
    expect(f.advice).toContain('Lower the batch size');
    expect(f.advice).toContain('mixed precision');
    expect(f.advice).toContain('gradient accumulation');
  });

  it('has hysteresis at the threshold', () => {
    const s = sample({ gpus: [gpu(0, 99, 94)] });
    const h = history(1, () => gpuValues(0, 99, 94));
    expect(gpuMemoryFullRule(input({ history: h, sample: s }))).toEqual([]);
    expect(
      gpuMemoryFullRule(
        input({ history: h, sample: s, active: new Set(['gpu-memory-full']) })
      )
    ).toHaveLength(1);
    const low = history(1, () => gpuValues(0, 99, 91));
    expect(
      gpuMemoryFullRule(
        input({ history: low, sample: s, active: new Set(['gpu-memory-full']) })
      )
    ).toEqual([]);
  });

  it('holds through a short gap and lets go after a long one', () => {
    const s = sample({ gpus: [gpu(0, 99, 97)] });
    const gap = history(2, t =>
      t < 20_000 ? gpuValues(0, null, null) : gpuValues(0, 99, 97)
    );
    expect(gpuMemoryFullRule(input({ history: gap, sample: s }))).toHaveLength(
      1
    );
    expect(
      gpuMemoryFullRule(input({ history: gap, sample: s, maxGapMs: 10_000 }))
    ).toEqual([]);
  });

  it('reports the fullest of several GPUs', () => {
    const h = history(1, () => ({
      ...gpuValues(0, 99, 96),
      ...gpuValues(1, 99, 50),
      ...gpuValues(2, 99, 99)
    }));
    const s = sample({
      gpus: [gpu(0, 99, 96), gpu(1, 99, 50), gpu(2, 99, 99)]
    });
    const [f] = gpuMemoryFullRule(input({ history: h, sample: s }));
    expect(f.title).toBe(
      'GPU memory up to 99% full on 2 GPUs: risk of running out of memory'
    );
  });
});
