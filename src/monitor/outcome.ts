/**
 * What a probe transport answers, and the interface every transport (the
 * monitor kernel, a subshell of the notebook's kernel, the server)
 * implements.
 */
import { IDisposable } from '@lumino/disposable';
import { IProbeRequest, IProbeSample } from './protocol';

/** Where the probe runs. */
export type TransportKind =
  /** In a subshell of the active notebook's own kernel (JEP 91). */
  | 'subshell'
  /** In a separate monitor kernel started from a notebook's kernelspec. */
  | 'monitor-kernel'
  /** In the Jupyter server's own process (the server part). */
  | 'server';

/** What one probe request came back with. */
export type ProbeOutcome =
  | {
      kind: 'sample';
      sample: IProbeSample;
      /**
       * Something the person should know about the monitor kernel that
       * happened since the last sample (it was replaced, say), once.
       */
      notice?: string;
    }
  /** The kernel answered, but the reply is not a valid sample. */
  | { kind: 'invalid'; error: string }
  /** No reply within the timeout; the request may still be running. */
  | { kind: 'timeout' }
  /** A previous request has not come back yet; nothing was sent. */
  | { kind: 'busy' }
  /** The monitor kernel is restarting or reconnecting; `error` says which. */
  | { kind: 'waiting'; error: string }
  /** The server cannot be reached. */
  | { kind: 'disconnected'; error: string }
  /** The monitor kernel could not be started or used. */
  | { kind: 'unavailable'; error: string };

/** What a transport answers once disposed. */
export const CLOSED: ProbeOutcome = {
  kind: 'unavailable',
  error: 'The monitor was closed.'
};

/** Something that can run the probe; the monitor model depends on this. */
export interface IProbeTransport extends IDisposable {
  /** Run the probe once. Never rejects. */
  request(request: IProbeRequest, timeoutMs: number): Promise<ProbeOutcome>;
  /** Let go of what the transport holds (a kernel, a subshell). */
  stop(): Promise<void>;
  /**
   * Where the last request ran; null before the first one or when the
   * transport cannot say.
   */
  readonly kind?: TransportKind | null;
}
