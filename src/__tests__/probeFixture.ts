/**
 * The probe's source and a request that needs no GPU, for transport tests
 * that run the probe in a real Python process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { IProbeRequest } from '../monitor/protocol';

/** The Python source of probe.py. */
export const PROBE = fs.readFileSync(
  path.join(__dirname, '../../jupyterlab_gpu_session/probe.py'),
  'utf-8'
);

/** A probe request that finds no nvidia-smi. */
export const REQUEST: IProbeRequest = {
  kernel_ids: [],
  disks: null,
  gpu_source: 'auto',
  nvidia_smi: '/nonexistent/nvidia-smi',
  checkpoint_globs: null
};
