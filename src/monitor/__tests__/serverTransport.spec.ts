/**
 * The server transport's reading of the server's answers, and the auto
 * transport's choice between the subshell, the server and the monitor
 * kernel. (tests/test_server_sample.py runs the real handler; the browser
 * tests run both ends together.)
 */
import { ServerConnection } from '@jupyterlab/services';
import { AutoTransport } from '../autoTransport';
import { parseSample } from '../parser';
import { ServerTransport } from '../serverTransport';
import { TransportSetting } from '../settings';
import { SubshellTransport } from '../subshell';
import { QueuedTransport } from '../../__tests__/fakeTransport';
import { PROBE, REQUEST } from '../../__tests__/probeFixture';
import { teslaT4Sample } from '../../__tests__/samples';
import { SubshellKernel } from '../../__tests__/subshellKernel';

/** What the page's fetch answers, per request, in order. */
type Answer = { status: number; body: string } | 'network-error' | 'never';

/** Server settings whose fetch answers from a list and records requests. */
function serverAnswering(answers: Answer[]) {
  const requests: { url: string; method: string; body: unknown }[] = [];
  const fetch = (async (input: RequestInfo) => {
    const request = input as Request;
    requests.push({
      // ServerConnection adds a cache-busting query.
      url: request.url.replace(/\?\d+$/, ''),
      method: request.method,
      body: JSON.parse(await request.text())
    });
    const answer = answers.shift() ?? 'network-error';
    if (answer === 'network-error') {
      throw new TypeError('Failed to fetch');
    }
    if (answer === 'never') {
      return new Promise<Response>((_, reject) =>
        request.signal.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError'))
        )
      );
    }
    return new Response(answer.body, { status: answer.status });
  }) as typeof window.fetch;
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/user/a/',
    fetch
  });
  return { settings, requests };
}

const SAMPLE = JSON.stringify(teslaT4Sample());

describe('ServerTransport', () => {
  it('posts the request without its nulls and reads the sample', async () => {
    const { settings, requests } = serverAnswering([
      { status: 200, body: SAMPLE }
    ]);
    const transport = new ServerTransport(settings);
    const outcome = await transport.request(REQUEST, 10_000);
    expect(outcome.kind).toBe('sample');
    expect(outcome.kind === 'sample' && outcome.sample.gpus[0].name).toBe(
      'Tesla T4'
    );
    expect(requests).toEqual([
      {
        url: 'http://localhost:8888/user/a/gpu-session/sample',
        method: 'POST',
        body: {
          kernel_ids: [],
          gpu_source: 'auto',
          nvidia_smi: '/nonexistent/nvidia-smi'
        }
      }
    ]);
    expect(transport.kind).toBe('server');
    expect(transport.canServe()).toBe(true);
  });

  it.each([
    [404, '', 'is not enabled'],
    [409, '{"message": "Kernels run behind a gateway"}', 'gateway'],
    [403, '{"message": "Forbidden"}', '(403): Forbidden'],
    [500, '<html>Internal error</html>', '(500).']
  ])(
    'a %d is a refusal that lasts, with its reason',
    async (status, body, words) => {
      const { settings, requests } = serverAnswering([{ status, body }]);
      const transport = new ServerTransport(settings);
      const first = await transport.request(REQUEST, 10_000);
      expect(first.kind).toBe('unavailable');
      expect(first.kind === 'unavailable' && first.error).toContain(words);
      expect(transport.canServe()).toBe(false);
      expect(transport.whyNot()).toContain(words);
      // Nothing is asked again.
      expect((await transport.request(REQUEST, 10_000)).kind).toBe(
        'unavailable'
      );
      expect(requests.length).toBe(1);
    }
  );

  it.each([
    [{ status: 502, body: 'Bad Gateway' } as Answer, 'disconnected'],
    ['network-error' as Answer, 'disconnected'],
    ['never' as Answer, 'timeout'],
    [{ status: 200, body: 'not json' } as Answer, 'invalid'],
    [{ status: 200, body: '{"schema_version": 1}' } as Answer, 'invalid']
  ])('%p gives %s and the server is asked again', async (answer, kind) => {
    const { settings } = serverAnswering([
      answer,
      { status: 200, body: SAMPLE }
    ]);
    const transport = new ServerTransport(settings);
    expect((await transport.request(REQUEST, 50)).kind).toBe(kind);
    expect(transport.canServe()).toBe(true);
    expect((await transport.request(REQUEST, 10_000)).kind).toBe('sample');
  });

  it("shows the probe's own words when the probe failed", async () => {
    const failed = { ...teslaT4Sample(), host: null, error: 'probe failed: X' };
    const { settings } = serverAnswering([
      { status: 200, body: JSON.stringify(failed) }
    ]);
    const outcome = await new ServerTransport(settings).request(
      REQUEST,
      10_000
    );
    expect(outcome.kind === 'invalid' && outcome.error).toContain(
      'probe failed: X'
    );
  });
});

describe('AutoTransport with the server', () => {
  const good = parseSample(teslaT4Sample());

  function setup(
    setting: TransportSetting,
    supports: boolean,
    answers: Answer[]
  ) {
    const kernel = new SubshellKernel();
    kernel.supportsSubshells = supports;
    const subshell = new SubshellTransport(
      () => kernel as never,
      PROBE,
      async () => 'running'
    );
    const monitorKernel = new QueuedTransport();
    if (good.ok) {
      monitorKernel.fallback = { kind: 'sample', sample: good.sample };
    }
    const { settings, requests } = serverAnswering(answers);
    let startKey: string | null = null;
    const auto = new AutoTransport(
      subshell,
      monitorKernel,
      () => setting,
      undefined,
      { startKey: () => startKey },
      new ServerTransport(settings)
    );
    const waitFor = (key: string | null) => (startKey = key);
    return { kernel, monitorKernel, auto, requests, waitFor };
  }

  const OK: Answer = { status: 200, body: SAMPLE };

  it.each([
    ['auto', true, 'subshell', 0],
    ['auto', false, 'server', 1],
    ['server', true, 'server', 1],
    ['monitor-kernel', false, 'monitor-kernel', 0],
    ['subshell', false, 'subshell', 0]
  ] as [TransportSetting, boolean, string, number][])(
    'setting %s, subshells %p: uses %s (%d server requests)',
    async (setting, supports, expected, serverRequests) => {
      const { kernel, auto, monitorKernel, requests } = setup(
        setting,
        supports,
        [OK]
      );
      try {
        await auto.request(REQUEST, 20_000);
        expect(auto.kind).toBe(expected);
        expect(requests.length).toBe(serverRequests);
        expect(monitorKernel.requests.length).toBe(
          expected === 'monitor-kernel' ? 1 : 0
        );
      } finally {
        auto.dispose();
        kernel.dispose();
      }
    }
  );

  it.each([
    [404, ''],
    [409, '{"message": "Kernels run behind a gateway"}']
  ])(
    'auto: a server that refuses (%d) hands the same request to the monitor kernel, and is not asked again',
    async (status, body) => {
      const { kernel, auto, monitorKernel, requests } = setup('auto', false, [
        { status, body }
      ]);
      try {
        expect((await auto.request(REQUEST, 20_000)).kind).toBe('sample');
        expect(auto.kind).toBe('monitor-kernel');
        expect(monitorKernel.requests.length).toBe(1);
        await auto.request(REQUEST, 20_000);
        expect(requests.length).toBe(1);
        expect(monitorKernel.requests.length).toBe(2);
      } finally {
        auto.dispose();
        kernel.dispose();
      }
    }
  );

  it('setting server: a refusal is shown, and no kernel is started', async () => {
    const { kernel, auto, monitorKernel } = setup('server', false, [
      { status: 404, body: '' }
    ]);
    try {
      const outcome = await auto.request(REQUEST, 20_000);
      expect(outcome.kind === 'unavailable' && outcome.error).toContain(
        'not enabled'
      );
      expect(monitorKernel.requests.length).toBe(0);
    } finally {
      auto.dispose();
      kernel.dispose();
    }
  });

  it("serves while the notebook's kernel starts, then leaves it to the subshell and stops the monitor kernel", async () => {
    const { kernel, auto, monitorKernel, requests, waitFor } = setup(
      'auto',
      false,
      [OK, OK]
    );
    try {
      waitFor('notebook-1:start-1');
      expect(auto.choose()).toBe('server');
      expect((await auto.request(REQUEST, 20_000)).kind).toBe('sample');
      expect(requests.length).toBe(1);
      // The kernel says it has subshells.
      kernel.supportsSubshells = true;
      waitFor(null);
      expect(auto.choose()).toBe('subshell');
      await auto.request(REQUEST, 20_000);
      expect(auto.kind).toBe('subshell');
      expect(requests.length).toBe(1);
      expect(monitorKernel.requests.length).toBe(0);
      expect(monitorKernel.stopCount).toBeGreaterThan(0);
    } finally {
      auto.dispose();
      kernel.dispose();
    }
  });
});
