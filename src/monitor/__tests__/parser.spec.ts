import { decodeReply, parseSample } from '../parser';
import { MAX_LIST_LENGTH, MAX_STRING_LENGTH } from '../validate';
import {
  noGpuSample,
  RawSample,
  replyText,
  teslaT4Sample
} from '../../__tests__/samples';

/** Set `value` at a dotted path like `gpus.0.name`; `undefined` deletes. */
function withField(path: string, value: unknown): RawSample {
  const sample = teslaT4Sample();
  const keys = path.split('.');
  let target = sample as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    target = target[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) {
    delete target[last];
  } else {
    target[last] = value;
  }
  return sample;
}

function errorOf(sample: unknown): string {
  const result = parseSample(sample);
  if (result.ok) {
    throw new Error('expected the sample to be rejected');
  }
  return result.error;
}

describe('parseSample', () => {
  it('accepts a sample with a GPU and keeps every value', () => {
    const result = parseSample(teslaT4Sample());
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    const gpu = result.sample.gpus[0];
    expect(gpu.name).toBe('Tesla T4');
    expect(gpu.memory_total_bytes).toBe(15360 * 1024 ** 2);
    expect(gpu.processes[0].kernel_id).toBe('kernel-a');
    expect(result.sample.kernels['kernel-a']?.pids).toEqual([5762, 5790]);
    expect(result.sample.host.disks[0].path).toBe('/home/user');
  });

  it('accepts a CPU-only sample with a container limit', () => {
    const result = parseSample(noGpuSample());
    expect(result.ok && result.sample.gpus).toEqual([]);
    expect(result.ok && result.sample.host.memory_limit_bytes).toBe(
      16 * 1024 ** 3
    );
  });

  it('keeps nulls for values the driver does not report', () => {
    const sample = withField('gpus.0.utilization_gpu_percent', null);
    const result = parseSample(sample);
    expect(result.ok && result.sample.gpus[0].utilization_gpu_percent).toBe(
      null
    );
  });

  it('ignores extra fields', () => {
    const sample = teslaT4Sample();
    sample.tpus = [];
    (sample.host as RawSample).numa_nodes = 2;
    expect(parseSample(sample).ok).toBe(true);
  });

  it('reads the detected platform and the checkpoint report', () => {
    const sample = teslaT4Sample();
    sample.platform = {
      id: 'slurm',
      name: 'Slurm job 42',
      source: 'environment variable SLURM_JOB_ID; end time from squeue',
      runtime_started_at: 1795000000,
      deadline_at: 1795003600,
      idle_timeout_s: null
    };
    sample.checkpoint = {
      patterns: ['~/ckpt/*.pt'],
      newest_path: '/home/u/ckpt/step-100.pt',
      newest_mtime: 1795000100,
      newest_size_bytes: 123,
      matched: 3,
      error: null
    };
    const result = parseSample(sample);
    expect(result.ok && result.sample.platform?.deadline_at).toBe(1795003600);
    expect(result.ok && result.sample.checkpoint?.matched).toBe(3);
    expect(parseSample(teslaT4Sample()).ok && true).toBe(true);
  });

  it('rejects a malformed platform', () => {
    const sample = teslaT4Sample();
    sample.platform = { id: 'colab' };
    expect(errorOf(sample)).toContain('sample.platform.name should be present');
  });

  it('takes a kernel that was not found as null', () => {
    const sample = teslaT4Sample();
    sample.kernels = { 'kernel-b': null };
    const result = parseSample(sample);
    expect(result.ok && result.sample.kernels).toEqual({ 'kernel-b': null });
  });

  const required = [
    'schema_version',
    'timestamp',
    'gpu_source',
    'gpu_error',
    'gpus',
    'host',
    'kernels',
    'gpus.0.index',
    'gpus.0.name',
    'gpus.0.memory_total_bytes',
    'gpus.0.memory_used_bytes',
    'gpus.0.utilization_gpu_percent',
    'gpus.0.mig_enabled',
    'gpus.0.processes',
    'gpus.0.processes.0.pid',
    'gpus.0.processes.0.used_memory_bytes',
    'host.memory_total_bytes',
    'host.memory_limit_bytes',
    'host.disks',
    'host.disks.0.path',
    'kernels.kernel-a.pid',
    'kernels.kernel-a.rss_bytes'
  ];
  it.each(required)('names the missing field %s', path => {
    const error = errorOf(withField(path, undefined));
    const last = path.split('.').pop()!;
    expect(error).toContain(last);
    expect(error).toContain('should be present');
  });

  const wrongTypes: [string, unknown, string][] = [
    ['schema_version', '1', 'a finite number'],
    ['timestamp', 'yesterday', 'a finite number'],
    ['gpu_source', 'rocm', '"nvml", "nvidia-smi" or null'],
    ['gpu_error', 42, 'a string'],
    ['gpus', {}, 'a list'],
    ['gpus.0', 'Tesla T4', 'an object'],
    ['gpus.0.index', -1, 'a non-negative integer'],
    ['gpus.0.index', 1.5, 'a non-negative integer'],
    ['gpus.0.name', ['Tesla'], 'a string'],
    ['gpus.0.memory_used_bytes', '1024 MiB', 'a finite number'],
    ['gpus.0.utilization_gpu_percent', '[N/A]', 'a finite number'],
    ['gpus.0.utilization_gpu_percent', 'N/A', 'a finite number'],
    ['gpus.0.mig_enabled', 'Enabled', 'a boolean or null'],
    ['gpus.0.processes.0.pid', '5762', 'a finite number'],
    ['host', null, 'an object'],
    ['host.memory_used_bytes', true, 'a finite number'],
    ['host.disks.0.path', null, 'a string'],
    ['kernels', [], 'an object'],
    ['kernels.kernel-a.cpu_percent', {}, 'a finite number']
  ];
  it.each(wrongTypes)('rejects %s = %p', (path, value, expected) => {
    const error = errorOf(withField(path, value));
    expect(error).toContain(expected);
    expect(error).toMatch(/^The probe sample is malformed: sample\./);
  });

  it.each([NaN, Infinity, -Infinity])('rejects the number %p', value => {
    const error = errorOf(withField('gpus.0.temperature_c', value));
    expect(error).toContain('gpus[0].temperature_c');
  });

  it('rejects an unknown schema version', () => {
    const error = errorOf(withField('schema_version', 2));
    expect(error).toContain('the version this extension understands');
  });

  it.each([null, 'text', 12, []])('rejects a non-object sample %p', value => {
    expect(errorOf(value)).toContain('sample should be an object');
  });

  it('cuts huge strings instead of rejecting the sample', () => {
    const huge = 'A'.repeat(1_000_000);
    const result = parseSample(withField('gpus.0.name', huge));
    expect(result.ok).toBe(true);
    const name = result.ok ? result.sample.gpus[0].name! : '';
    expect(name.length).toBe(MAX_STRING_LENGTH);
    expect(name.endsWith('…')).toBe(true);
  });

  it('cuts huge lists', () => {
    const processes = Array.from({ length: 5000 }, (_, pid) => ({
      pid,
      name: 'python',
      used_memory_bytes: 1
    }));
    const result = parseSample(withField('gpus.0.processes', processes));
    expect(result.ok && result.sample.gpus[0].processes.length).toBe(
      MAX_LIST_LENGTH
    );
  });

  it('keeps HTML in names as plain text', () => {
    const html = '<img src=x onerror="alert(1)">';
    const result = parseSample(withField('gpus.0.processes.0.name', html));
    expect(result.ok && result.sample.gpus[0].processes[0].name).toBe(html);
  });
});

describe('decodeReply', () => {
  it('decodes the base64 repr of a sample', () => {
    const result = decodeReply(replyText(JSON.stringify(teslaT4Sample())));
    expect(result.ok && result.sample.gpus[0].name).toBe('Tesla T4');
  });

  it('decodes non-ASCII, quotes, backslashes and newlines intact', () => {
    const name = 'Tränä "quoted" \\back\nline \u{1F525}';
    const result = decodeReply(
      replyText(JSON.stringify(withField('gpus.0.name', name)))
    );
    expect(result.ok && result.sample.gpus[0].name).toBe(name);
  });

  it.each([
    ['a plain repr', "{'gpus': []}", 'not base64 text'],
    ['an unquoted value', 'eyJhIjoxfQ==', 'not base64 text'],
    [
      'truncated JSON',
      replyText('{"schema_version": 1, "gp'),
      'not valid JSON'
    ],
    ['NaN in JSON', replyText('{"schema_version": NaN}'), 'not valid JSON'],
    [
      'bytes that are not UTF-8',
      `'${Buffer.from([0xff, 0xfe]).toString('base64')}'`,
      'not valid JSON'
    ]
  ])('rejects %s', (_, text, message) => {
    const result = decodeReply(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });

  it('rejects a reply that is too large without decoding it', () => {
    const result = decodeReply(`'${'A'.repeat(5 * 1024 * 1024)}'`);
    expect(!result.ok && result.error).toContain('too large');
  });
});
