/** What `xylen report` can report on: a run, a sweep or a walk-forward. */
export const REPORT_KINDS = ['run', 'sweep', 'walkforward'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
