/**
 * The server transport: the probe runs in the Jupyter server's own process,
 * behind the server part's `POST /gpu-session/sample`.
 *
 * #### Notes
 * Where no notebook kernel with subshells can take a sample (no notebook
 * open, or a kernel without subshells), this replaces the monitor kernel
 * when the server part is there and the kernels run on the server's
 * machine: no kernel to start (about 60 MB each), no ZMQ, no kernel
 * websocket, and no busy/idle status messages around every sample. The
 * server answers 404 where its part is absent or turned off, and 409 where
 * kernels run behind a gateway (its machine is not theirs); the transport
 * then says it cannot serve, and the auto transport takes the monitor
 * kernel or the subshell instead.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import {
  CLOSED,
  IProbeTransport,
  ProbeOutcome,
  TransportKind
} from './outcome';
import { parseSample } from './parser';
import { IProbeRequest } from './protocol';
import { withoutNulls } from './sampleRequest';

/** Runs the probe in the Jupyter server, by HTTP request. */
export class ServerTransport implements IProbeTransport {
  /** @param _settings - the server connection settings of the page. */
  constructor(private readonly _settings: ServerConnection.ISettings) {}

  /** Where the probe runs: always in the server. */
  readonly kind: TransportKind = 'server';

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Whether the server may take samples: it has not refused yet. */
  canServe(): boolean {
    return this._refusal === null;
  }

  /** Why the server cannot take samples, in words; null while it may. */
  whyNot(): string | null {
    return this._refusal;
  }

  async request(
    request: IProbeRequest,
    timeoutMs: number
  ): Promise<ProbeOutcome> {
    if (this._isDisposed) {
      return CLOSED;
    }
    if (this._refusal !== null) {
      return { kind: 'unavailable', error: this._refusal };
    }
    const url = URLExt.join(this._settings.baseUrl, 'gpu-session', 'sample');
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await ServerConnection.makeRequest(
        url,
        {
          method: 'POST',
          body: JSON.stringify(withoutNulls(request)),
          signal: abort.signal
        },
        this._settings
      );
      text = await response.text();
    } catch (reason) {
      return abort.signal.aborted
        ? { kind: 'timeout' }
        : {
            kind: 'disconnected',
            error: `The server could not be reached: ${String(reason)}`
          };
    } finally {
      clearTimeout(timer);
    }
    return this._read(response, text);
  }

  /** Nothing is held between samples. */
  async stop(): Promise<void> {
    // Each sample is one request: nothing to let go of.
  }

  dispose(): void {
    this._isDisposed = true;
  }

  private _read(response: Response, text: string): ProbeOutcome {
    if (response.status === 502 || response.status === 503) {
      // A proxy in front of a server that went away.
      return {
        kind: 'disconnected',
        error: `The server did not answer (${response.status}).`
      };
    }
    if (!response.ok) {
      // 404: no server part (or sampling turned off); 409: kernels on a
      // gateway; 403: not allowed to run kernels; 500: the probe could
      // not run in the server. None of these passes by itself.
      this._refusal = Private.refusal(response.status, text);
      return { kind: 'unavailable', error: this._refusal };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return {
        kind: 'invalid',
        error: `The server's sample is not JSON: ${text.slice(0, 80)}`
      };
    }
    const parsed = parseSample(json);
    return parsed.ok
      ? { kind: 'sample', sample: parsed.sample }
      : { kind: 'invalid', error: parsed.error };
  }

  private _refusal: string | null = null;
  private _isDisposed = false;
}

namespace Private {
  /** Why the server refused, from its status and body. */
  export function refusal(status: number, body: string): string {
    if (status === 404) {
      return 'The server does not take samples itself (its part of jupyterlab-gpu-session is not enabled, or c.GpuSessionServer.sample_in_server is off).';
    }
    let message = '';
    try {
      const value = JSON.parse(body) as { message?: unknown };
      message = typeof value.message === 'string' ? value.message : '';
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    return `The server cannot take samples itself (${status})${message ? `: ${message}` : '.'}`;
  }
}
