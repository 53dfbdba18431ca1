import { SeriesKeys } from '../../monitor/monitor';
import {
  diskFullRule,
  kernelDiedNearLimitRule,
  ramFullRule,
  ramUnusedRule
} from '../hostRules';
import { evaluateRules } from '../rules';
import {
  GIB,
  gpu,
  gpuValues,
  history,
  input,
  MINUTE,
  NOW,
  sample
} from './fixtures';

describe('ramFullRule', () => {
  it('warns near the container limit', () => {
    const s = sample({ ramUsedGiB: 15, ramLimitGiB: 16 });
    const h = history(1, () => ({ [SeriesKeys.ram]: (100 * 15) / 16 }));
    const [f] = ramFullRule(input({ history: h, sample: s }));
    expect(f.title).toBe(
      'RAM 94% of the container limit: the kernel may be killed'
    );
    expect(f.detail).toBe('15.0 GiB used of 16.0 GiB (warning above 90%).');
  });

  it('has hysteresis and says nothing without data', () => {
    const s = sample({ ramUsedGiB: 56 });
    const h = history(1, () => ({ [SeriesKeys.ram]: 88 }));
    expect(ramFullRule(input({ history: h, sample: s }))).toEqual([]);
    expect(
      ramFullRule(
        input({ history: h, sample: s, active: new Set(['ram-full']) })
      )
    ).toHaveLength(1);
    const empty = history(1, () => ({ [SeriesKeys.ram]: null }));
    expect(ramFullRule(input({ history: empty, sample: s }))).toEqual([]);
  });
});

describe('ramUnusedRule', () => {
  const big = sample({ ramUsedGiB: 4, ramLimitGiB: 64 });

  it('suggests a smaller machine after the time with a low peak', () => {
    const h = history(40, t => ({ [SeriesKeys.ram]: t === 60_000 ? 12 : 6 }));
    const [f] = ramUnusedRule(input({ history: h, sample: big }));
    expect(f.title).toBe(
      'RAM peak 7.7 GiB of 64.0 GiB in 40m: a smaller machine would do'
    );
    expect(f.advice).toContain('standard RAM option');
  });

  it('waits for the time, and ignores small limits', () => {
    const short = history(20, () => ({ [SeriesKeys.ram]: 6 }));
    expect(ramUnusedRule(input({ history: short, sample: big }))).toEqual([]);
    const h = history(40, () => ({ [SeriesKeys.ram]: 6 }));
    const small = sample({ ramUsedGiB: 1, ramLimitGiB: 8 });
    expect(ramUnusedRule(input({ history: h, sample: small }))).toEqual([]);
  });

  it('does not bridge a long gap', () => {
    const h = history(40, t => ({
      [SeriesKeys.ram]: t > 10 * MINUTE && t < 20 * MINUTE ? null : 6
    }));
    expect(ramUnusedRule(input({ history: h, sample: big }))).toEqual([]);
  });
});

describe('diskFullRule', () => {
  const disk = (path: string, usedGiB: number, totalGiB = 100) => ({
    path,
    total_bytes: totalGiB * GIB,
    used_bytes: usedGiB * GIB,
    free_bytes: (totalGiB - usedGiB) * GIB,
    error: null
  });

  it('warns per full disk, once for two paths on one disk', () => {
    const s = sample({
      disks: [
        disk('/home/me', 95),
        disk('/home/me/work', 95),
        disk('/data', 10)
      ]
    });
    const findings = diskFullRule(input({ sample: s }));
    expect(findings.map(f => f.key)).toEqual(['disk-full:/home/me']);
    expect(findings[0].title).toBe('Disk of /home/me 95% full (5.0 GiB free)');
  });

  it('has hysteresis and skips unknown sizes', () => {
    const s = sample({ disks: [disk('/d', 89)] });
    expect(diskFullRule(input({ sample: s }))).toEqual([]);
    expect(
      diskFullRule(input({ sample: s, active: new Set(['disk-full:/d']) }))
    ).toHaveLength(1);
    const unknown = sample({
      disks: [{ ...disk('/x', 99), used_bytes: null }]
    });
    expect(diskFullRule(input({ sample: unknown }))).toEqual([]);
  });
});

describe('kernelDiedNearLimitRule', () => {
  const death = (ramPercent: number, secondsBefore = 2, minutesAgo = 1) => ({
    kernelId: 'k1',
    path: 'train.ipynb',
    at: NOW - minutesAgo * MINUTE,
    last: {
      at: NOW - minutesAgo * MINUTE - secondsBefore * 1000,
      rssBytes: 58 * GIB,
      gpuMemoryBytes: null,
      ramUsedBytes: (ramPercent / 100) * 64 * GIB,
      ramLimitBytes: 64 * GIB,
      ramPercent
    }
  });

  it('explains a death near the memory limit with the last numbers', () => {
    const [f] = kernelDiedNearLimitRule(input({ deaths: [death(97)] }));
    expect(f.title).toBe(
      'The kernel of train.ipynb died, most likely killed for running out of memory'
    );
    expect(f.detail).toContain(
      '2 s before, RAM was at 97% (62.1 GiB of 64.0 GiB)'
    );
    expect(f.detail).toContain('the kernel used 58.0 GiB');
    expect(f.severity).toBe('error');
    expect(f.epoch).toBe(NOW - MINUTE);
  });

  it('says nothing for a death with memory to spare, old numbers, or long ago', () => {
    expect(kernelDiedNearLimitRule(input({ deaths: [death(40)] }))).toEqual([]);
    expect(
      kernelDiedNearLimitRule(input({ deaths: [death(97, 600)] }))
    ).toEqual([]);
    expect(
      kernelDiedNearLimitRule(input({ deaths: [death(97, 2, 120)] }))
    ).toEqual([]);
    expect(
      kernelDiedNearLimitRule(input({ deaths: [{ ...death(97), last: null }] }))
    ).toEqual([]);
  });
});

describe('evaluateRules', () => {
  it('finds nothing on a quiet machine without a GPU', () => {
    const h = history(60, () => ({ [SeriesKeys.ram]: 50 }));
    expect(
      evaluateRules(input({ history: h, sample: sample({ ramUsedGiB: 32 }) }))
    ).toEqual([]);
  });

  it('lists a loss before waste', () => {
    const h = history(40, () => ({
      ...gpuValues(0, 0, 1),
      [SeriesKeys.ram]: 96
    }));
    const s = sample({ gpus: [gpu(0, 0, 1)], ramUsedGiB: 61.5 });
    expect(
      evaluateRules(input({ history: h, sample: s })).map(f => f.rule)
    ).toEqual(['ram-full', 'gpu-idle']);
  });
});
