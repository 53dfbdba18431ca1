/**
 * The auto transport while the active notebook's kernel is starting: it
 * waits for the kernel-info reply (which says whether the kernel has
 * subshells) instead of starting a monitor kernel, for a bounded time.
 */
import { Kernel } from '@jupyterlab/services';
import { PromiseDelegate } from '@lumino/coreutils';
import {
  AutoTransport,
  KERNEL_START_TOO_SLOW,
  WAITING_FOR_KERNEL
} from '../autoTransport';
import { ISessionLike, KernelInfoWatch, kernelStartKey } from '../kernelStart';
import { parseSample } from '../parser';
import { TransportSetting } from '../settings';
import { SubshellTransport } from '../subshell';
import { QueuedTransport } from '../../__tests__/fakeTransport';
import { PROBE, REQUEST } from '../../__tests__/probeFixture';
import { teslaT4Sample } from '../../__tests__/samples';
import { SubshellKernel } from '../../__tests__/subshellKernel';

/**
 * A kernel connection whose kernel-info reply the test sends, the way
 * JupyterLab's does: `supportsSubshells` is set where `info` resolves.
 */
class StartingKernel extends SubshellKernel {
  supportsSubshells = false;
  readonly infoReply = new PromiseDelegate<unknown>();
  readonly info = this.infoReply.promise;

  answer(subshells: boolean): void {
    this.infoReply.resolve({ status: 'ok' });
    this.supportsSubshells = subshells;
  }
}

/** A notebook's session context around `kernel`. */
function context(
  kernel: StartingKernel | null,
  display = 'idle'
): ISessionLike {
  return {
    session: kernel
      ? { kernel: kernel as unknown as Kernel.IKernelConnection }
      : null,
    kernelDisplayStatus: display,
    isDisposed: false
  };
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('AutoTransport while the notebook kernel starts', () => {
  const good = parseSample(teslaT4Sample());
  let kernel: StartingKernel;
  let active: ISessionLike | null;
  let clock: number;
  let setting: TransportSetting;
  let monitorKernel: QueuedTransport;
  let auto: AutoTransport;

  beforeEach(() => {
    kernel = new StartingKernel();
    active = context(kernel);
    clock = 1_000_000;
    setting = 'auto';
    monitorKernel = new QueuedTransport();
    if (good.ok) {
      monitorKernel.fallback = { kind: 'sample', sample: good.sample };
    }
    const watch = new KernelInfoWatch();
    const subshell = new SubshellTransport(
      () =>
        (active?.session?.kernel as Kernel.IKernelConnection | null) ?? null,
      PROBE
    );
    auto = new AutoTransport(
      subshell,
      monitorKernel,
      () => setting,
      { noNotebook: () => active === null, allowed: () => true },
      {
        startKey: () => kernelStartKey('panel-1', active, watch),
        waitMs: 60_000,
        now: () => clock
      }
    );
  });

  afterEach(() => {
    auto.dispose();
    kernel.dispose();
  });

  it('waits, starting no monitor kernel, and then samples in the subshell', async () => {
    for (const step of [0, 2_000, 5_000]) {
      clock += step;
      expect(await auto.request(REQUEST, 20_000)).toEqual({
        kind: 'waiting',
        error: WAITING_FOR_KERNEL
      });
    }
    kernel.answer(true);
    await settle();
    expect(auto.choose()).toBe('subshell');
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('sample');
    expect(auto.kind).toBe('subshell');
    expect(monitorKernel.requests.length).toBe(0);
  });

  it('waits while the session has no kernel yet, then for its kernel info', async () => {
    active = context(null, 'initializing');
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('waiting');
    active = context(null, 'starting');
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('waiting');
    active = context(kernel);
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('waiting');
    expect(monitorKernel.requests.length).toBe(0);
  });

  it('uses the monitor kernel once the kernel says it has no subshells', async () => {
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('waiting');
    kernel.answer(false);
    await settle();
    const outcome = await auto.request(REQUEST, 20_000);
    expect(outcome.kind).toBe('sample');
    expect(outcome.kind === 'sample' && outcome.notice).toBeFalsy();
    expect(auto.kind).toBe('monitor-kernel');
  });

  it('gives up on a kernel whose info never comes, says why once, and moves to the subshell when it comes', async () => {
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('waiting');
    clock += 59_999;
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('waiting');
    expect(monitorKernel.requests.length).toBe(0);
    clock += 1;
    const first = await auto.request(REQUEST, 20_000);
    expect(first).toEqual(
      expect.objectContaining({ kind: 'sample', notice: KERNEL_START_TOO_SLOW })
    );
    expect(auto.kind).toBe('monitor-kernel');
    const second = await auto.request(REQUEST, 20_000);
    expect(second.kind === 'sample' && second.notice).toBeFalsy();
    expect(monitorKernel.requests.length).toBe(2);

    // The reply comes after all: the subshell takes over and the monitor
    // kernel is let go.
    kernel.answer(true);
    await settle();
    const stops = monitorKernel.stopCount;
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('sample');
    expect(auto.kind).toBe('subshell');
    expect(monitorKernel.stopCount).toBeGreaterThan(stops);
  });

  it('keeps a monitor kernel already in use serving while a new notebook starts', async () => {
    active = null;
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('sample');
    expect(auto.kind).toBe('monitor-kernel');
    const stops = monitorKernel.stopCount;
    active = context(kernel);
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('sample');
    expect(auto.kind).toBe('monitor-kernel');
    expect(monitorKernel.stopCount).toBe(stops);
  });

  it('waits with the subshell transport forced too, and never with the monitor kernel forced', async () => {
    setting = 'subshell';
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('waiting');
    setting = 'monitor-kernel';
    expect((await auto.request(REQUEST, 20_000)).kind).toBe('sample');
    expect(monitorKernel.requests.length).toBe(1);
  });
});

describe('kernelStartKey', () => {
  const watch = new KernelInfoWatch();

  it('names no start without a notebook, with "No Kernel", or for a dead kernel', () => {
    const kernel = new StartingKernel();
    try {
      expect(kernelStartKey('p', null, watch)).toBeNull();
      // "No Kernel" chosen.
      expect(kernelStartKey('p', context(null, 'unknown'), watch)).toBeNull();
      expect(kernelStartKey('p', context(null, 'initializing'), watch)).toBe(
        'p:'
      );
      expect(kernelStartKey('p', context(kernel), watch)).toBe(
        `p:${kernel.id}`
      );
      kernel.status = 'dead';
      expect(kernelStartKey('p', context(kernel), watch)).toBeNull();
    } finally {
      kernel.dispose();
    }
  });

  it('counts a failed kernel-info reply as an answer (no subshells)', async () => {
    const kernel = new StartingKernel();
    try {
      expect(kernelStartKey('p', context(kernel), watch)).not.toBeNull();
      kernel.infoReply.reject(new Error('Kernel info reply errored'));
      await settle();
      expect(kernelStartKey('p', context(kernel), watch)).toBeNull();
    } finally {
      kernel.dispose();
    }
  });
});
