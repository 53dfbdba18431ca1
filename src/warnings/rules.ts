/**
 * The warning rules: pure functions of the history, the latest sample, the
 * page's kernels, the settings and the time. Each returns the warnings that
 * hold now, with their numbers, what to do, and the actions to offer.
 *
 * Hysteresis: a rule raises at its threshold, and a warning already active
 * (its key in `input.active`) clears only once the value is back past the
 * threshold by `hysteresisPercent`, so data hovering at a threshold does
 * not make a warning flap.
 */
import {
  gpuIdleRule,
  gpuMemoryFullRule,
  idleKernelGpuMemoryRule
} from './gpuRules';
import {
  diskFullRule,
  kernelDiedNearLimitRule,
  ramFullRule,
  ramUnusedRule
} from './hostRules';
import { IRuleInput, IWarningFinding, WarningRule } from './types';

/** All rules of the monitor, in the order their warnings are listed. */
const RULES: WarningRule[] = [
  kernelDiedNearLimitRule,
  ramFullRule,
  gpuMemoryFullRule,
  diskFullRule,
  idleKernelGpuMemoryRule,
  gpuIdleRule,
  ramUnusedRule
];

/** Run every rule. */
export function evaluateRules(input: IRuleInput): IWarningFinding[] {
  return RULES.flatMap(rule => rule(input));
}
