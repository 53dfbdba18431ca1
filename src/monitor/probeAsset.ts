/**
 * The probe's Python source, as the labextension ships it: a file of its
 * own next to the JS chunks (not JS), fetched from the extension's static
 * URL with the first sample. scripts/embed-probe.js writes it to
 * lib/monitor/probe.py; rspack emits it as an asset and resolves the URL
 * below against the extension's public path, the same one the chunks are
 * loaded from (so under any base_url, in JupyterLab and Notebook 7).
 */
import { fetchText } from '../ui/staticAsset';

/** Fetch the probe's source; rejects with the reason when it cannot. */
export function fetchProbeSource(): Promise<string> {
  return fetchText(
    new URL('./probe.py', import.meta.url),
    "the probe's source"
  );
}
