import { Kernel, KernelSpec } from '@jupyterlab/services';
import { ProbeOutcome } from '../outcome';
import { KernelPresence } from '../serverKernels';
import { MonitorKernelTransport } from '../transport';
import { NO_PYTHON_KERNELSPEC } from '../kernelspec';
import { PROBE_SOURCE } from '../probeSource';
import { IProbeRequest } from '../protocol';
import { PythonKernel } from '../../__tests__/pythonKernel';
import { fakeServerSettings } from './fakeServerRest';

const REQUEST: IProbeRequest = {
  kernel_ids: [],
  disks: ['/tmp', '/path with "quotes" and $(rm -rf ~)'],
  gpu_source: 'nvidia-smi',
  nvidia_smi: '/nonexistent/nvidia-smi',
  checkpoint_globs: null
};

const PYTHON_SPECS: KernelSpec.ISpecModels = {
  default: 'python3',
  kernelspecs: {
    python3: {
      name: 'python3',
      display_name: 'Python 3',
      language: 'python',
      argv: [],
      resources: {}
    }
  }
};

function services(specs: KernelSpec.ISpecModels, kernels: PythonKernel[]) {
  return {
    kernelspecs: {
      ready: Promise.resolve(),
      specs
    } as unknown as KernelSpec.IManager,
    kernels: {
      startNew: async ({ name }: { name: string }) => {
        const kernel = new PythonKernel(name);
        kernels.push(kernel);
        return kernel as unknown as Kernel.IKernelConnection;
      },
      // The server's list (looked at before each start): the kernels that
      // have not been shut down.
      serverSettings: fakeServerSettings({
        kernels: () =>
          kernels
            .filter(kernel => kernel.status !== 'dead')
            .map(kernel => ({ id: kernel.id, name: kernel.name }))
      })
    } as unknown as Kernel.IManager
  };
}

function expectSample(outcome: ProbeOutcome) {
  if (outcome.kind !== 'sample') {
    throw new Error(`expected a sample, got ${JSON.stringify(outcome)}`);
  }
  return outcome.sample;
}

/** What the fake server says about a kernel id. */
function presence(kernels: PythonKernel[], id: string): KernelPresence {
  return kernels.some(kernel => kernel.id === id && kernel.status !== 'dead')
    ? 'running'
    : 'gone';
}

/** How many times the probe was loaded into `kernel`. */
function loads(kernel: PythonKernel): number {
  return kernel.expressions.filter(names => names.includes('load')).length;
}

let serverUp = true;

describe('MonitorKernelTransport', () => {
  let kernels: PythonKernel[];
  let transport: MonitorKernelTransport;

  beforeEach(() => {
    serverUp = true;
    kernels = [];
    transport = new MonitorKernelTransport(
      services(PYTHON_SPECS, kernels),
      PROBE_SOURCE,
      () => null,
      {
        checkKernel: async id =>
          serverUp ? presence(kernels, id) : 'unreachable'
      }
    );
  });

  afterEach(() => {
    transport.dispose();
    kernels.forEach(kernel => kernel.dispose());
  });

  it('loads the real probe once and reads samples from user expressions', async () => {
    const first = expectSample(await transport.request(REQUEST, 20000));
    const second = expectSample(await transport.request(REQUEST, 20000));
    expect(first.schema_version).toBe(1);
    expect(first.gpus).toEqual([]);
    expect(first.gpu_error).toContain('/nonexistent/nvidia-smi');
    expect(first.host.memory_total_bytes).toBeGreaterThan(0);
    expect(first.host.disks.map(disk => disk.path)).toEqual(REQUEST.disks);
    expect(second.timestamp).toBeGreaterThanOrEqual(first.timestamp);
    expect(kernels.length).toBe(1);
    // One load, as user expressions (it binds no name), then the samples;
    // no code runs.
    expect(kernels[0].expressions).toEqual([
      ['load', 'served'],
      ['sample'],
      ['sample']
    ]);
    expect(kernels[0].executed.every(code => code === '')).toBe(true);
  });

  it('reloads the probe after the kernel lost it (a restart)', async () => {
    expectSample(await transport.request(REQUEST, 20000));
    kernels[0].restartAfterNextRequest();
    expectSample(await transport.request(REQUEST, 20000));
    expectSample(await transport.request(REQUEST, 20000));
    expect(loads(kernels[0])).toBe(2);
  });

  it('sends one request at a time and drops a late reply', async () => {
    expectSample(await transport.request(REQUEST, 20000));
    kernels[0].delayMs = 300;
    const slow = transport.request(REQUEST, 50);
    expect(await transport.request(REQUEST, 50)).toEqual({ kind: 'busy' });
    expect(await slow).toEqual({ kind: 'timeout' });
    await new Promise(resolve => setTimeout(resolve, 400));
    kernels[0].delayMs = 0;
    expectSample(await transport.request(REQUEST, 20000));
  });

  it('sends again when a request was lost on the way to an idle kernel, but waits for a busy one', async () => {
    expectSample(await transport.request(REQUEST, 20000));
    // Busy past the timeout: the request is not given up.
    kernels[0].delayMs = 300;
    expect(await transport.request(REQUEST, 50)).toEqual({ kind: 'timeout' });
    expect(kernels[0].status).toBe('busy');
    const pastTimeout = () => new Promise(resolve => setTimeout(resolve, 20));
    await pastTimeout();
    expect(await transport.request(REQUEST, 50)).toEqual({ kind: 'timeout' });
    await new Promise(resolve => setTimeout(resolve, 400));
    kernels[0].delayMs = 0;
    // Lost: the kernel idles, the request never comes back.
    kernels[0].dropNextRequest();
    const sent = kernels[0].executed.length;
    expect(await transport.request(REQUEST, 50)).toEqual({ kind: 'timeout' });
    expect(kernels[0].status).toBe('idle');
    await pastTimeout();
    expectSample(await transport.request(REQUEST, 20000));
    expect(kernels[0].executed.length).toBe(sent + 2);
  });

  it('tells a server that stopped answering from a slow kernel', async () => {
    expectSample(await transport.request(REQUEST, 20000));
    kernels[0].delayMs = 300;
    serverUp = false;
    expect(await transport.request(REQUEST, 50)).toEqual({
      kind: 'disconnected',
      error: 'The server does not answer.'
    });
    await new Promise(resolve => setTimeout(resolve, 400));
    kernels[0].delayMs = 0;
    serverUp = true;
    expectSample(await transport.request(REQUEST, 20000));
  });

  it('starts a new monitor kernel when the old one died', async () => {
    expectSample(await transport.request(REQUEST, 20000));
    kernels[0].status = 'dead';
    expectSample(await transport.request(REQUEST, 20000));
    expect(kernels.length).toBe(2);
  });

  it('says plainly when the server has no Python kernel', async () => {
    const none = new MonitorKernelTransport(
      services(
        {
          default: 'ir',
          kernelspecs: {
            ir: {
              name: 'ir',
              display_name: 'R',
              language: 'R',
              argv: [],
              resources: {}
            }
          }
        },
        kernels
      ),
      PROBE_SOURCE,
      () => 'ir'
    );
    expect(await none.request(REQUEST, 1000)).toEqual({
      kind: 'unavailable',
      error: NO_PYTHON_KERNELSPEC
    });
    expect(kernels.length).toBe(0);
    none.dispose();
  });

  it('reports a probe that fails to load', async () => {
    const broken = new MonitorKernelTransport(
      services(PYTHON_SPECS, kernels),
      'raise RuntimeError("driver exploded")',
      () => null
    );
    const outcome = await broken.request(REQUEST, 20000);
    expect(outcome.kind).toBe('unavailable');
    expect(outcome.kind === 'unavailable' && outcome.error).toContain(
      'RuntimeError: driver exploded'
    );
    broken.dispose();
  });

  it('shuts its kernel down on stop and refuses work after dispose', async () => {
    expectSample(await transport.request(REQUEST, 20000));
    await transport.stop();
    expect(kernels[0].shutdownCount).toBe(1);
    transport.dispose();
    expect(await transport.request(REQUEST, 1000)).toEqual({
      kind: 'unavailable',
      error: 'The monitor was closed.'
    });
  });
});
