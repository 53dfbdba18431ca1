/**
 * A probe transport whose code is fetched on the first request.
 *
 * The transports (subshell, monitor kernel, their choice), the reply parser
 * and the probe's source are most of the monitor's code, and nothing needs
 * them before the monitor takes its first sample: a JupyterLab that never
 * opens a notebook or the sidebar never fetches them.
 */
import { IProbeTransport, ProbeOutcome, TransportKind } from './outcome';
import { IProbeRequest } from './protocol';

/** Forwards to the transport `load` resolves to, loaded once. */
export class LazyTransport implements IProbeTransport {
  /**
   * @param _load - fetches the transport's code and makes the transport;
   *   called on the first request, and again after a failed load.
   */
  constructor(private readonly _load: () => Promise<IProbeTransport>) {}

  /** Where the last request ran; null until the transport is loaded. */
  get kind(): TransportKind | null {
    return this._inner?.kind ?? null;
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Load the transport if need be, then run the probe once. */
  async request(
    request: IProbeRequest,
    timeoutMs: number
  ): Promise<ProbeOutcome> {
    let inner: IProbeTransport;
    try {
      inner = await this._get();
    } catch (reason) {
      // A chunk that failed to load (the server went away) is fetched
      // again on the next request.
      return {
        kind: 'unavailable',
        error: `The monitor's code could not be loaded: ${String(reason)}`
      };
    }
    return inner.request(request, timeoutMs);
  }

  /** Stop the loaded transport; nothing to do when none was loaded. */
  async stop(): Promise<void> {
    const inner = this._inner ?? (await this._loading?.catch(() => null));
    await inner?.stop();
  }

  /** Dispose of the loaded transport; one still loading is disposed once loaded. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._inner?.dispose();
  }

  private _get(): Promise<IProbeTransport> {
    if (this._inner) {
      return Promise.resolve(this._inner);
    }
    return (this._loading ??= this._load().then(
      inner => {
        if (this._isDisposed) {
          inner.dispose();
          throw new Error('the monitor was disposed');
        }
        this._inner = inner;
        return inner;
      },
      reason => {
        this._loading = null;
        throw reason;
      }
    ));
  }

  private _inner: IProbeTransport | null = null;
  private _loading: Promise<IProbeTransport> | null = null;
  private _isDisposed = false;
}
