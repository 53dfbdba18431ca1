/**
 * The probe's schema version is written in probe.py and in protocol.ts;
 * the two must be the same number, or every sample is rejected.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROBE_SCHEMA_VERSION } from '../protocol';

it('is the same in probe.py and in the front end', () => {
  const probe = fs.readFileSync(
    path.resolve(
      __dirname,
      '..',
      '..',
      '..',
      'jupyterlab_gpu_session',
      'probe.py'
    ),
    'utf8'
  );
  const found = /^PROBE_SCHEMA_VERSION = (\d+)$/m.exec(probe);
  expect(found).not.toBeNull();
  expect(Number(found![1])).toBe(PROBE_SCHEMA_VERSION);
});
