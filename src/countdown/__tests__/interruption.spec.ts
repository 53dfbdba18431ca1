import { resolvePolicy } from '../policy';
import { computeCountdown } from '../countdown';
import { interruptionDeadline } from '../interruption';
import { DEFAULT_COUNTDOWN_SETTINGS } from '../settings';
import { IProbeSample } from '../../monitor/protocol';
import { parseSample } from '../../monitor/parser';
import { teslaT4Sample } from '../../__tests__/samples';

const T0 = Date.UTC(2026, 10, 27, 21, 40, 0);

function sampleWith(interruption: unknown): IProbeSample {
  const raw = teslaT4Sample();
  raw.interruption = interruption;
  const result = parseSample(raw);
  if (!result.ok) {
    throw new Error(result.error);
  }
  return result.sample;
}

const SLURM = {
  id: 'slurm',
  name: 'Slurm job 7',
  source: 'environment variable SLURM_JOB_ID; end time from squeue',
  runtime_started_at: T0 / 1000 - 3600,
  deadline_at: T0 / 1000 + 3600,
  idle_timeout_s: null
};

describe('an interruption notice as the session deadline', () => {
  it('becomes the hard end when it comes before any other', () => {
    const notice = interruptionDeadline(
      sampleWith({
        cloud: 'aws',
        kind: 'spot-terminate',
        deadline_at: T0 / 1000 + 118,
        detail: 'spot instance-action terminate at 2026-11-27T21:42:00Z',
        error: null
      })
    );
    const policy = resolvePolicy(
      DEFAULT_COUNTDOWN_SETTINGS,
      SLURM,
      null,
      notice
    );
    expect(policy.hardEnd).toEqual({
      value: T0 + 118_000,
      source: 'interruption',
      detail:
        'Spot instance reclaimed (terminate) on aws: spot instance-action terminate at 2026-11-27T21:42:00Z'
    });
    const countdown = computeCountdown(policy, T0, T0);
    expect(countdown.nearest?.remainingMs).toBe(118_000);
  });

  it('does not move an end that comes sooner', () => {
    const notice = { deadline_at: T0 / 1000 + 7200, detail: 'later' };
    const policy = resolvePolicy(
      DEFAULT_COUNTDOWN_SETTINGS,
      SLURM,
      null,
      notice
    );
    expect(policy.hardEnd?.source).toBe('detected');
  });

  it('sets no deadline without a notice or without a time', () => {
    expect(interruptionDeadline(null)).toBeNull();
    expect(
      interruptionDeadline(
        sampleWith({
          cloud: 'gcp',
          kind: null,
          deadline_at: null,
          detail: null,
          error: null
        })
      )
    ).toBeNull();
    expect(
      interruptionDeadline(
        sampleWith({
          cloud: 'gcp',
          kind: 'maintenance-terminate',
          deadline_at: null,
          detail: 'TERMINATE_ON_HOST_MAINTENANCE',
          error: null
        })
      )
    ).toBeNull();
  });
});
