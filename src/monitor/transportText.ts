/**
 * The sentence that says where the numbers were read, for the sidebar.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { TransportKind } from './outcome';

/**
 * Where the latest sample was read, in words; empty before the first.
 *
 * @param kind - `ResourceMonitor.transportKind`.
 * @param trans - a bundle of the `jupyterlab_gpu_session` domain.
 */
export function transportSentence(
  kind: TransportKind | null,
  trans: TranslationBundle
): string {
  switch (kind) {
    case 'subshell':
      return trans.__("Read in this notebook's kernel (subshell)");
    case 'monitor-kernel':
      return trans.__('Read in a separate monitor kernel');
    case 'server':
      return trans.__('Read by the Jupyter server (no kernel)');
    default:
      return '';
  }
}
