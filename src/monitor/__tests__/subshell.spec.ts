/**
 * The subshell transport against a real Python process, and the choice
 * between it and the monitor kernel.
 */
import { Kernel } from '@jupyterlab/services';
import { AutoTransport, NO_NOTEBOOK_NO_KERNEL } from '../autoTransport';
import { PROBE_MODULE } from '../kernelCode';
import { TransportSetting } from '../settings';
import { OWN_STATUS_PARENT, OwnStatusFilter } from '../statusFilter';
import { SubshellTransport } from '../subshell';
import { QueuedTransport } from '../../__tests__/fakeTransport';
import { PROBE, REQUEST } from '../../__tests__/probeFixture';
import { SubshellKernel } from '../../__tests__/subshellKernel';
import { teslaT4Sample } from '../../__tests__/samples';
import { parseSample } from '../parser';

function asConnection(kernel: SubshellKernel): Kernel.IKernelConnection {
  return kernel as unknown as Kernel.IKernelConnection;
}

describe('SubshellTransport', () => {
  let kernel: SubshellKernel;
  let active: SubshellKernel | null;
  let transport: SubshellTransport;

  let server: 'running' | 'gone' | 'unreachable' = 'running';

  beforeEach(() => {
    kernel = new SubshellKernel();
    active = kernel;
    transport = new SubshellTransport(
      () => (active ? asConnection(active) : null),
      PROBE,
      async () => server
    );
    server = 'running';
  });

  afterEach(() => {
    transport.dispose();
    kernel.dispose();
  });

  it('samples in a subshell of the kernel, created once', async () => {
    const first = await transport.request(REQUEST, 20_000);
    expect(first.kind).toBe('sample');
    const second = await transport.request(REQUEST, 20_000);
    expect(second.kind).toBe('sample');
    expect(kernel.created).toEqual(['subshell-1']);
    // Every request went to the subshell, none to the main shell.
    expect(kernel.subshellOfExecute.every(id => id === 'subshell-1')).toBe(
      true
    );
    expect(transport.kind).toBe('subshell');
  });

  it("leaves the user's namespace alone and runs no cell code", async () => {
    await kernel.evaluate('1');
    const before = await kernel.evaluate('sorted(globals())');
    expect((await transport.request(REQUEST, 20_000)).kind).toBe('sample');
    expect(await kernel.evaluate('sorted(globals())')).toBe(before);
    // The loader and the call are user expressions: no code was executed.
    expect(kernel.executed.every(code => code === '')).toBe(true);
    // The probe lives under sys.modules only.
    expect(
      await kernel.evaluate(
        `${JSON.stringify(PROBE_MODULE)} in __import__("sys").modules`
      )
    ).toBe('True');
  });

  it('creates the subshell again after a restart', async () => {
    expect((await transport.request(REQUEST, 20_000)).kind).toBe('sample');
    kernel.restart();
    expect((await transport.request(REQUEST, 20_000)).kind).toBe('waiting');
    kernel.setStatus('idle');
    expect((await transport.request(REQUEST, 20_000)).kind).toBe('sample');
    expect(kernel.createCalls).toBe(2);
    expect(kernel.created.length).toBe(1);
  });

  it('a subshell the kernel forgot unseen is created again', async () => {
    expect((await transport.request(REQUEST, 20_000)).kind).toBe('sample');
    kernel.created.length = 0;
    const lost = await transport.request(REQUEST, 20_000);
    expect(lost).toEqual({
      kind: 'waiting',
      error: 'The subshell is being created again.'
    });
    expect((await transport.request(REQUEST, 20_000)).kind).toBe('sample');
  });

  it('deletes the subshell when stopped and when the kernel changes', async () => {
    await transport.request(REQUEST, 20_000);
    await transport.stop();
    expect(kernel.deleted).toEqual(['subshell-1']);
    await transport.request(REQUEST, 20_000);
    const other = new SubshellKernel();
    active = other;
    try {
      expect((await transport.request(REQUEST, 20_000)).kind).toBe('sample');
      expect(kernel.deleted).toEqual(['subshell-1', 'subshell-2']);
      expect(other.created).toEqual(['subshell-1']);
    } finally {
      await transport.stop();
      other.dispose();
    }
  });

  it('a kernel that claims subshells but cannot create one is not used again', async () => {
    kernel.create = 'error-reply';
    const outcome = await transport.request(REQUEST, 20_000);
    expect(outcome.kind).toBe('unavailable');
    expect(transport.canServe()).toBe(false);
    expect(transport.whyNot()).toContain('could not create one');
  });

  it('says plainly that a kernel without subshells cannot serve', async () => {
    kernel.supportsSubshells = false;
    expect(transport.canServe()).toBe(false);
    expect(await transport.request(REQUEST, 20_000)).toEqual({
      kind: 'unavailable',
      error:
        "This notebook's kernel has no subshells (ipykernel 7 or later has them)."
    });
  });

  it('drops a late reply and sends nothing while one is in flight', async () => {
    await transport.request(REQUEST, 20_000);
    kernel.delayMs = 300;
    expect((await transport.request(REQUEST, 50)).kind).toBe('timeout');
    // The same silence with the server gone is a lost connection.
    server = 'unreachable';
    await new Promise(resolve => setTimeout(resolve, 400));
    kernel.delayMs = 300;
    expect(await transport.request(REQUEST, 50)).toEqual({
      kind: 'disconnected',
      error: 'The server does not answer.'
    });
    server = 'running';
    await new Promise(resolve => setTimeout(resolve, 400));
    kernel.delayMs = 300;
    expect((await transport.request(REQUEST, 50)).kind).toBe('timeout');
    expect(await transport.request(REQUEST, 5_000)).toEqual({ kind: 'busy' });
    await new Promise(resolve => setTimeout(resolve, 400));
    kernel.delayMs = 0;
    expect((await transport.request(REQUEST, 20_000)).kind).toBe('sample');
  });
});

describe('AutoTransport', () => {
  const good = parseSample(teslaT4Sample());

  function setup(setting: TransportSetting, supports: boolean) {
    const kernel = new SubshellKernel();
    kernel.supportsSubshells = supports;
    const subshell = new SubshellTransport(() => asConnection(kernel), PROBE);
    const monitorKernel = new QueuedTransport();
    if (good.ok) {
      monitorKernel.fallback = { kind: 'sample', sample: good.sample };
    }
    const auto = new AutoTransport(subshell, monitorKernel, () => setting);
    return { kernel, subshell, monitorKernel, auto };
  }

  it.each([
    ['auto', true, 'subshell'],
    ['auto', false, 'monitor-kernel'],
    ['subshell', false, 'subshell'],
    ['monitor-kernel', true, 'monitor-kernel']
  ] as [TransportSetting, boolean, string][])(
    'setting %s, subshells %p: uses %s',
    async (setting, supports, expected) => {
      const { kernel, auto, monitorKernel } = setup(setting, supports);
      try {
        expect(auto.choose()).toBe(expected);
        await auto.request(REQUEST, 20_000);
        expect(auto.kind).toBe(expected);
        expect(monitorKernel.requests.length).toBe(
          expected === 'monitor-kernel' ? 1 : 0
        );
      } finally {
        auto.dispose();
        kernel.dispose();
      }
    }
  );

  it('falls back to the monitor kernel when creating a subshell fails, and stops it on the way back', async () => {
    const { kernel, auto, monitorKernel } = setup('auto', true);
    try {
      kernel.create = 'error-reply';
      expect((await auto.request(REQUEST, 20_000)).kind).toBe('unavailable');
      expect((await auto.request(REQUEST, 20_000)).kind).toBe('sample');
      expect(auto.kind).toBe('monitor-kernel');
      expect(monitorKernel.requests.length).toBe(1);
    } finally {
      auto.dispose();
      kernel.dispose();
    }
  });
});

describe('monitorKernelWithoutNotebook', () => {
  it.each([
    [true, true, 'sample', 1],
    [true, false, 'unavailable', 0],
    [false, false, 'sample', 1]
  ] as [boolean, boolean, string, number][])(
    'no notebook %p, allowed %p: %s, %d monitor-kernel requests',
    async (noNotebook, allowed, outcome, requests) => {
      const subshell = new SubshellTransport(() => null, PROBE);
      const monitorKernel = new QueuedTransport();
      const good = parseSample(teslaT4Sample());
      if (good.ok) {
        monitorKernel.fallback = { kind: 'sample', sample: good.sample };
      }
      const auto = new AutoTransport(subshell, monitorKernel, () => 'auto', {
        noNotebook: () => noNotebook,
        allowed: () => allowed
      });
      try {
        const result = await auto.request(REQUEST, 20_000);
        expect(result.kind).toBe(outcome);
        if (result.kind === 'unavailable') {
          expect(result.error).toBe(NO_NOTEBOOK_NO_KERNEL);
          expect(monitorKernel.stopCount).toBeGreaterThan(0);
        }
        expect(monitorKernel.requests.length).toBe(requests);
      } finally {
        auto.dispose();
      }
    }
  );
});

describe('OwnStatusFilter', () => {
  it("renames the parent type of our own requests' status only", () => {
    const kernel = new SubshellKernel();
    const filter = new OwnStatusFilter(
      asConnection(kernel),
      id => id === 'ours'
    );
    const status = (parentId: string) => ({
      channel: 'iopub',
      header: { msg_type: 'status' },
      parent_header: { msg_id: parentId, msg_type: 'execute_request' },
      content: { execution_state: 'busy' }
    });
    const own = status('ours');
    const user = status('theirs');
    kernel.anyMessage.emit({ msg: own, direction: 'recv' });
    kernel.anyMessage.emit({ msg: user, direction: 'recv' });
    expect(own.parent_header.msg_type).toBe(OWN_STATUS_PARENT);
    expect(user.parent_header.msg_type).toBe('execute_request');
    filter.dispose();
    kernel.dispose();
  });
});
