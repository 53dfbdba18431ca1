/**
 * The malformed-reply corpus through the whole path a reply takes:
 * decodeReply -> monitor -> sidebar render. No entry may break the UI; each
 * gives a clear state, and the next good sample recovers.
 */
import { Widget } from '@lumino/widgets';
import { ResourceMonitor } from '../monitor';
import { decodeReply } from '../parser';
import { IProbeTransport, ProbeOutcome } from '../outcome';
import { GpuSessionPanel } from '../../sidebar/panel';
import { replyText, teslaT4Sample } from '../../__tests__/samples';
import { sampleNow } from '../../__tests__/fakeTransport';

// The corpus: malformed replies as the kernel's `text/plain` repr would
// carry them (a broken or hostile probe, a kernel that prints something
// else, a probe of another version). `reject`: the parser must refuse it;
// `accept`: it may pass, with the bad part made harmless.

/** One corpus entry. */
interface IMalformedReply {
  name: string;
  /** The repr text as `user_expressions[...].data['text/plain']`. */
  text: string;
  expect: 'reject' | 'accept';
}

const good = () => teslaT4Sample('kernel-a');
const encode = (value: unknown) => replyText(JSON.stringify(value));
const raw = (json: string) => replyText(json);

/** A good sample with one change made by `edit`. */
// The edits break the sample on purpose, so it is typed loosely.
/* eslint-disable @typescript-eslint/no-explicit-any */
function edited(edit: (sample: any) => void): string {
  const sample: any = good();
  edit(sample);
  return encode(sample);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function nested(depth: number, leaf: string): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

const HOSTILE =
  '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
const GOOD_JSON = JSON.stringify(good());

const MALFORMED_REPLIES: IMalformedReply[] = [
  // Not the base64 repr at all.
  { name: 'empty text', text: '', expect: 'reject' },
  { name: 'None', text: 'None', expect: 'reject' },
  { name: 'a bare JSON object', text: GOOD_JSON, expect: 'reject' },
  {
    name: 'double-quoted repr',
    text: `"${btoa(GOOD_JSON)}"`,
    expect: 'reject'
  },
  { name: 'bytes repr', text: `b'${btoa(GOOD_JSON)}'`, expect: 'reject' },
  {
    name: 'HTML error page',
    text: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    expect: 'reject'
  },
  { name: 'script tag', text: '<script>alert(1)</script>', expect: 'reject' },
  {
    name: 'a traceback',
    text: 'Traceback (most recent call last):\n  File "<stdin>", line 1',
    expect: 'reject'
  },
  {
    name: 'base64 with a bad character',
    text: "'eyJh*GVsbG8ifQ=='",
    expect: 'reject'
  },
  { name: 'unterminated repr', text: `'${btoa(GOOD_JSON)}`, expect: 'reject' },
  {
    name: 'longer than the limit (5 MB)',
    text: `'${'A'.repeat(5 * 1024 * 1024)}'`,
    expect: 'reject'
  },
  // Base64 of something that is not JSON.
  ...[1, 10, 100, 1000, GOOD_JSON.length - 1].map(cut => ({
    name: `JSON truncated after ${cut} characters`,
    text: raw(GOOD_JSON.slice(0, cut)),
    expect: 'reject' as const
  })),
  {
    name: 'NaN (Python json.dumps)',
    text: raw(GOOD_JSON.replace('"load_avg_1m":1.25', '"load_avg_1m":NaN')),
    expect: 'reject'
  },
  {
    name: 'Infinity',
    text: raw(
      GOOD_JSON.replace('"temperature_c":40', '"temperature_c":Infinity')
    ),
    expect: 'reject'
  },
  {
    name: '-Infinity',
    text: raw(
      GOOD_JSON.replace('"power_draw_w":27.5', '"power_draw_w":-Infinity')
    ),
    expect: 'reject'
  },
  {
    name: 'trailing comma',
    text: raw(GOOD_JSON.slice(0, -1) + ',}'),
    expect: 'reject'
  },
  {
    name: 'single-quoted keys (a Python dict repr)',
    text: raw("{'schema_version': 1}"),
    expect: 'reject'
  },
  {
    name: 'invalid UTF-8',
    text: `'${btoa('{"a":"\xff\xfe"}')}'`,
    expect: 'reject'
  },
  { name: 'empty base64', text: "''", expect: 'reject' },
  // Valid JSON, wrong shape.
  { name: 'a JSON list', text: encode([good()]), expect: 'reject' },
  { name: 'a JSON string', text: encode('sample'), expect: 'reject' },
  { name: 'JSON null', text: encode(null), expect: 'reject' },
  { name: 'an empty object', text: encode({}), expect: 'reject' },
  {
    name: 'schema_version 2',
    text: edited(s => (s.schema_version = 2)),
    expect: 'reject'
  },
  {
    name: 'schema_version 0',
    text: edited(s => (s.schema_version = 0)),
    expect: 'reject'
  },
  {
    name: 'schema_version as a string',
    text: edited(s => (s.schema_version = '1')),
    expect: 'reject'
  },
  {
    name: 'schema_version 1.5',
    text: edited(s => (s.schema_version = 1.5)),
    expect: 'reject'
  },
  {
    name: 'no schema_version',
    text: edited(s => delete s.schema_version),
    expect: 'reject'
  },
  {
    name: 'timestamp as a string',
    text: edited(s => (s.timestamp = 'now')),
    expect: 'reject'
  },
  {
    name: 'timestamp 1e400 (Infinity)',
    text: raw(
      GOOD_JSON.replace('"timestamp":1795000000.5', '"timestamp":1e400')
    ),
    expect: 'reject'
  },
  {
    name: 'gpu_source "rocm"',
    text: edited(s => (s.gpu_source = 'rocm')),
    expect: 'reject'
  },
  {
    name: 'gpu_error a number',
    text: edited(s => (s.gpu_error = 12)),
    expect: 'reject'
  },
  {
    name: 'gpus an object',
    text: edited(s => (s.gpus = { 0: s.gpus[0] })),
    expect: 'reject'
  },
  {
    name: 'gpus [null]',
    text: edited(s => (s.gpus = [null])),
    expect: 'reject'
  },
  {
    name: 'GPU memory "15 GB"',
    text: edited(s => (s.gpus[0].memory_total_bytes = '15 GB')),
    expect: 'reject'
  },
  {
    name: 'GPU utilization "N/A"',
    text: edited(s => (s.gpus[0].utilization_gpu_percent = 'N/A')),
    expect: 'reject'
  },
  {
    name: 'GPU memory 1e400',
    text: raw(
      GOOD_JSON.replace(/"memory_used_bytes":\d+/, '"memory_used_bytes":1e400')
    ),
    expect: 'reject'
  },
  {
    name: 'GPU index a string',
    text: edited(s => (s.gpus[0].index = '0')),
    expect: 'reject'
  },
  {
    name: 'mig_enabled "Yes"',
    text: edited(s => (s.gpus[0].mig_enabled = 'Yes')),
    expect: 'reject'
  },
  {
    name: 'GPU name a number',
    text: edited(s => (s.gpus[0].name = 12)),
    expect: 'reject'
  },
  {
    name: 'processes a string',
    text: edited(s => (s.gpus[0].processes = 'none')),
    expect: 'reject'
  },
  {
    name: 'process pid a string',
    text: edited(s => (s.gpus[0].processes[0].pid = '5762')),
    expect: 'reject'
  },
  { name: 'host null', text: edited(s => (s.host = null)), expect: 'reject' },
  { name: 'host a list', text: edited(s => (s.host = [])), expect: 'reject' },
  { name: 'no host', text: edited(s => delete s.host), expect: 'reject' },
  {
    name: 'memory total negative text',
    text: edited(s => (s.host.memory_total_bytes = '-1')),
    expect: 'reject'
  },
  {
    name: 'disks a string',
    text: edited(s => (s.host.disks = '/home')),
    expect: 'reject'
  },
  {
    name: 'disk path null',
    text: edited(s => (s.host.disks[0].path = null)),
    expect: 'reject'
  },
  {
    name: 'kernels a list',
    text: edited(s => (s.kernels = ['kernel-a'])),
    expect: 'reject'
  },
  {
    name: 'kernel entry a string',
    text: edited(s => (s.kernels['kernel-a'] = 'x')),
    expect: 'reject'
  },
  {
    name: 'kernel rss a boolean',
    text: edited(s => (s.kernels['kernel-a'].rss_bytes = true)),
    expect: 'reject'
  },
  // Deeply nested values where objects are expected.
  {
    name: 'gpus nested 5,000 deep',
    text: raw(
      GOOD_JSON.replace(
        /"gpus":\[.*\],"host"/,
        `"gpus":${nested(5000, '1')},"host"`
      )
    ),
    expect: 'reject'
  },
  {
    name: 'host nested 100,000 deep',
    text: raw(
      GOOD_JSON.replace(
        /"host":\{.*\},"kernels"/,
        `"host":${nested(100000, '{}')},"kernels"`
      )
    ),
    expect: 'reject'
  },
  // Accepted, with the hostile or huge part made harmless.
  {
    name: 'HTML and script in the GPU name',
    text: edited(s => (s.gpus[0].name = HOSTILE)),
    expect: 'accept'
  },
  {
    name: 'HTML and script in a process name',
    text: edited(s => (s.gpus[0].processes[0].name = HOSTILE)),
    expect: 'accept'
  },
  {
    name: 'HTML in the hostname and a disk path',
    text: edited(
      s => ((s.host.hostname = HOSTILE), (s.host.disks[0].path = HOSTILE))
    ),
    expect: 'accept'
  },
  {
    name: 'a 2 MB hostname',
    text: edited(s => (s.host.hostname = 'x'.repeat(2 * 1024 * 1024))),
    expect: 'accept'
  },
  {
    name: '20,000 GPU processes (about 2 MB)',
    text: edited(
      s =>
        (s.gpus[0].processes = Array.from({ length: 20000 }, (_, i) => ({
          pid: i + 1,
          name: 'p',
          used_memory_bytes: 1,
          kernel_id: null
        })))
    ),
    expect: 'accept'
  },
  {
    name: 'unknown extra keys, deeply nested',
    text: raw(GOOD_JSON.slice(0, -1) + `,"extra":${nested(1000, '0')}}`),
    expect: 'accept'
  }
];

/** A transport that answers with whatever repr text the test gives it. */
class ReplyTransport implements IProbeTransport {
  next = '';
  isDisposed = false;
  description = 'reply text transport';
  async request(): Promise<ProbeOutcome> {
    const parsed = decodeReply(this.next);
    return parsed.ok
      ? { kind: 'sample', sample: parsed.sample }
      : { kind: 'invalid', error: parsed.error };
  }
  async stop(): Promise<void> {
    // Nothing to stop.
  }
  dispose(): void {
    this.isDisposed = true;
  }
}

const GOOD = replyText(JSON.stringify(teslaT4Sample('kernel-a')));

beforeAll(() => {
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

describe('malformed probe replies', () => {
  let transport: ReplyTransport;
  let monitor: ResourceMonitor;
  let panel: GpuSessionPanel;
  const status = () => panel.node.querySelector('.jp-GpuSession-status')!;

  beforeEach(() => {
    transport = new ReplyTransport();
    monitor = new ResourceMonitor({ transport });
    monitor.setContext({
      notebookOpen: true,
      activeKernelId: 'kernel-a',
      activeNotebookPath: 'train.ipynb',
      kernelIds: ['kernel-a']
    });
    panel = new GpuSessionPanel({ monitor });
    Widget.attach(panel, document.body);
  });

  afterEach(() => {
    panel.dispose();
    monitor.dispose();
  });

  it('has at least 50 entries', () => {
    expect(MALFORMED_REPLIES.length).toBeGreaterThanOrEqual(50);
    const names = new Set(MALFORMED_REPLIES.map(entry => entry.name));
    expect(names.size).toBe(MALFORMED_REPLIES.length);
  });

  it.each(MALFORMED_REPLIES.map(entry => [entry.name, entry]))(
    '%s',
    async (_, entry) => {
      // As the first reply: a plain error, no numbers.
      transport.next = entry.text;
      await sampleNow(monitor);
      const parsed = decodeReply(entry.text);
      expect(parsed.ok).toBe(entry.expect === 'accept');
      if (entry.expect === 'reject') {
        expect(monitor.probeError).toBeTruthy();
        expect(status().getAttribute('data-level')).toBe('error');
        expect(status().textContent).toMatch(/^Probe error: The probe /);
        // The message is short enough to read, whatever the reply was.
        expect(status().textContent!.length).toBeLessThan(400);
        expect(panel.node.querySelector('.jp-GpuSession-gpu')).toBeNull();
      } else {
        expect(monitor.probeError).toBeNull();
        expect(status().getAttribute('data-level')).toBe('ok');
      }
      // Nothing from the kernel becomes markup.
      expect(panel.node.querySelector('script, img, iframe')).toBeNull();
      expect(
        (window as unknown as { __pwned?: number }).__pwned
      ).toBeUndefined();
      for (const node of panel.node.querySelectorAll('*')) {
        expect((node.textContent ?? '').length).toBeLessThan(100_000);
      }

      // The next good sample recovers.
      transport.next = GOOD;
      await sampleNow(monitor);
      expect(monitor.probeError).toBeNull();
      expect(status().textContent).toMatch(/^Live/);
      expect(
        panel.node.querySelector('.jp-GpuSession-gpuName')?.textContent
      ).toBe('Tesla T4');

      // After a good sample, a bad one keeps the numbers and says so.
      transport.next = entry.text;
      await sampleNow(monitor);
      if (entry.expect === 'reject') {
        expect(status().textContent).toMatch(
          /^Probe error; numbers below are from /
        );
        expect(
          panel.node.querySelector('.jp-GpuSession-gpuName')?.textContent
        ).toBe('Tesla T4');
      }
      transport.next = GOOD;
      await sampleNow(monitor);
      expect(status().textContent).toMatch(/^Live/);
    }
  );
});
