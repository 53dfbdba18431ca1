/**
 * The countdown's short text for the status bar. Kept apart from the
 * sidebar section, which is loaded only when the sidebar is first shown.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import type { ICountdown } from './countdown';
import { formatDuration } from '../ui/format';

/** Short text of the nearest end for the status bar, e.g. "3h 12m left". */
export function countdownStatusText(
  clock: { readonly countdown: ICountdown },
  trans: TranslationBundle
): string {
  const nearest = clock.countdown.nearest;
  if (!nearest) {
    return '';
  }
  if (nearest.ended) {
    return nearest.kind === 'idle'
      ? trans.__('idle limit reached')
      : trans.__('session ended');
  }
  return nearest.kind === 'idle'
    ? trans.__('%1 idle left', formatDuration(nearest.remainingMs))
    : trans.__('%1 left', formatDuration(nearest.remainingMs));
}
