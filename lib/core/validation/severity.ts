/** How bad a finding is: an error stops synth, a warning is annotated once and written to the report. */
export enum Severity {
  ERROR = 'error',
  WARNING = 'warning',
}
