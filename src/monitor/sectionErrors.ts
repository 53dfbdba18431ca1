/**
 * The probe's `error` field, split into the sections it names.
 *
 * #### Notes
 * probe.py joins one message per failed section with "; ", each starting
 * with the section's name ("meminfo: ...; kernel abc: ...; disks: ...",
 * see docs/probe.md). The split happens only before a known name, so a
 * message that itself contains "; " stays whole.
 */

/** The sidebar section a probe failure belongs beside. */
export type ProbeSection =
  'host' | 'kernels' | 'gpus' | 'disks' | 'platform' | 'checkpoint' | 'other';

/** One failed part of a sample, in the probe's own words. */
export interface ISectionError {
  /** The sidebar section it belongs beside. */
  section: ProbeSection;
  /** The probe's message, e.g. `meminfo: [Errno 13] Permission denied`. */
  message: string;
}

/** Which section each name the probe uses belongs to. */
const SECTION_OF: ReadonlyArray<[RegExp, ProbeSection]> = [
  [/^(host|hostname|load average|boot time|meminfo|cgroup)$/, 'host'],
  [/^(kernels|kernel \S+)$/, 'kernels'],
  [/^(gpus|gpu attribution)$/, 'gpus'],
  [/^disks$/, 'disks'],
  [/^platform$/, 'platform'],
  [/^checkpoint$/, 'checkpoint']
];

const SPLIT =
  /; (?=(?:host|hostname|load average|boot time|meminfo|cgroup|kernels|kernel \S+|gpus|gpu attribution|disks|platform|checkpoint|probe failed): )/;

/** Split the probe's `error` text into its sections (empty for null). */
export function sectionErrors(error: string | null): ISectionError[] {
  if (!error) {
    return [];
  }
  return error.split(SPLIT).map(message => {
    const name = message.slice(0, Math.max(0, message.indexOf(': ')));
    const found = SECTION_OF.find(([pattern]) => pattern.test(name));
    return { section: found ? found[1] : 'other', message };
  });
}
