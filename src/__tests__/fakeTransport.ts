/**
 * A probe transport for model tests: answers with queued outcomes and
 * records the requests it got.
 */
import { IProbeRequest } from '../monitor/protocol';
import { IProbeTransport, ProbeOutcome } from '../monitor/outcome';

/** A transport whose answers the test decides. */
export class QueuedTransport implements IProbeTransport {
  readonly requests: IProbeRequest[] = [];
  readonly outcomes: ProbeOutcome[] = [];
  stopCount = 0;
  isDisposed = false;
  /** The answer when nothing is queued; without one, a request throws. */
  fallback: ProbeOutcome | null = null;

  async request(request: IProbeRequest): Promise<ProbeOutcome> {
    this.requests.push(request);
    const next = this.outcomes.shift() ?? this.fallback;
    if (!next) {
      throw new Error('no outcome queued for this request');
    }
    return next;
  }

  async stop(): Promise<void> {
    this.stopCount++;
  }

  dispose(): void {
    this.isDisposed = true;
  }
}

/**
 * Take one sample through the monitor's poll, as the refresh command does
 * (starting the monitor first: a stopped monitor takes none).
 */
export async function sampleNow(monitor: {
  start(): void;
  requestSample(): Promise<void>;
}): Promise<void> {
  monitor.start();
  await monitor.requestSample();
}
