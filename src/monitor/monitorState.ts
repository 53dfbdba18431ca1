/**
 * What the monitor shows: its phase, the latest sample and what went wrong,
 * updated from each transport outcome. Plain data; the monitor model owns
 * one and exposes it through its getters.
 */
import { ProbeOutcome, TransportKind } from './outcome';
import { IProbeSample } from './protocol';
import { ISectionError, sectionErrors } from './sectionErrors';

/** Where the monitor is in its life. */
export type MonitorPhase =
  /** Not started: nothing needs monitoring yet. */
  | 'idle'
  /** Waiting for the first sample (the monitor kernel is starting). */
  | 'starting'
  /** Samples arrive (the latest one may be stale; see `stale`). */
  | 'running'
  /** The monitor kernel cannot run; `message` says why. */
  | 'unavailable'
  /**
   * Paused after a while with no user input and no busy kernel; the
   * monitor kernel is shut down. Any input resumes it.
   */
  | 'paused'
  /** The server cannot be reached; see `disconnectedSince`. */
  | 'disconnected';

/** How many samples a notice stays up for. */
const NOTICE_SAMPLES = 15;

/** The monitor's visible state; see the module notes. */
export class MonitorState {
  phase: MonitorPhase = 'idle';
  message: string | null = null;
  sample: IProbeSample | null = null;
  sampleTime: number | null = null;
  sampleCount = 0;
  probeError: string | null = null;
  sectionErrors: ReadonlyArray<ISectionError> = [];
  stale = false;
  disconnectedSince: number | null = null;
  notice: string | null = null;
  noticeSamples = 0;
  transportKind: TransportKind | null = null;

  /** Take in a valid sample that arrived at `now`. */
  record(sample: IProbeSample, now: number): void {
    this.sample = sample;
    this.sampleTime = now;
    this.sampleCount++;
    this.probeError = null;
    this.sectionErrors = sectionErrors(sample.error ?? null);
    this.stale = false;
    this.phase = 'running';
    this.message = null;
  }
  /**
   * Take in one outcome (a sample already went through `record`); false
   * when nothing a view shows changed.
   */
  apply(
    outcome: ProbeOutcome,
    now: number,
    timeoutMs: number,
    transportKind: TransportKind | null
  ): boolean {
    if (outcome.kind === 'busy') {
      // The previous request is still on its way and will record its own
      // answer: nothing changed, and it is no timeout either.
      return false;
    }
    if (outcome.kind !== 'disconnected') {
      this.disconnectedSince = null;
    }
    if (outcome.kind === 'sample') {
      this.transportKind = transportKind;
    }
    switch (outcome.kind) {
      case 'sample':
        if (outcome.notice) {
          this.notice = outcome.notice;
          this.noticeSamples = NOTICE_SAMPLES;
        } else if (this.noticeSamples > 0 && --this.noticeSamples === 0) {
          this.notice = null;
        }
        break;
      case 'waiting':
        this.stale = this.sample !== null;
        this.phase = this.sample ? 'running' : 'starting';
        this.message = outcome.error;
        break;
      case 'disconnected':
        this.phase = 'disconnected';
        this.stale = this.sample !== null;
        this.message = outcome.error;
        if (this.disconnectedSince === null) {
          this.disconnectedSince = now;
        }
        break;
      case 'invalid':
        this.probeError = outcome.error;
        this.stale = true;
        if (this.phase !== 'running') {
          this.phase = 'running';
        }
        break;
      case 'timeout':
        this.stale = true;
        if (this.phase === 'unavailable' || this.phase === 'disconnected') {
          this.phase = this.sample ? 'running' : 'starting';
        }
        this.message = `No answer from the probe within ${Math.round(timeoutMs / 1000)} s.`;
        break;
      case 'unavailable':
        this.phase = 'unavailable';
        this.message = outcome.error;
        this.stale = this.sample !== null;
        break;
    }
    return true;
  }
}
