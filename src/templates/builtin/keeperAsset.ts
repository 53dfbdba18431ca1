/**
 * The checkpoint helper (jupyterlab_gpu_session/checkpoint.py) that the
 * `checkpoint-train` template pastes, as the labextension ships it: a file
 * of its own next to the JS chunks (not JS), fetched with the templates'
 * code. scripts/embed-keeper.js writes it to
 * lib/templates/builtin/checkpoint.py; rspack emits it as an asset, like
 * the probe's source (see src/monitor/probeAsset.ts).
 */
import { fetchText } from '../../ui/staticAsset';

let lines: Promise<ReadonlyArray<string>> | null = null;

/**
 * The helper's lines, as scripts/embed-keeper.js splits them for the
 * tests (trailing newlines dropped); fetched once, again after a failure.
 */
export function fetchKeeperLines(): Promise<ReadonlyArray<string>> {
  return (lines ??= fetchText(
    new URL('./checkpoint.py', import.meta.url),
    'the checkpoint helper'
  ).then(
    source => source.replace(/\n+$/, '').split('\n'),
    reason => {
      lines = null;
      throw reason;
    }
  ));
}
