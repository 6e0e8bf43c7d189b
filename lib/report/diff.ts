/**
 * Semantic diff of two synth outputs (base and head cdktf.out folders): what a reviewer needs to know
 * before `cdktf deploy`, in the provider's terms. Replacements come first, each with its blast radius,
 * because a replaced docker_network silently disconnects every container attached to it.
 */
import { diffSynthDirs } from './diff-compute';
import { exitCodeFor, renderDiffJson, renderDiffMarkdown } from './diff-render';
import { FailOn } from './diff-types';

export * from './diff-types';
export * from './diff-compute';
export * from './diff-render';

export enum OutputFormat {
  MARKDOWN = 'md',
  JSON = 'json',
}

/** `docknet diff` without the command line: output text and exit code. */
export function runDiff(options: { base: string; head: string; format?: OutputFormat; failOn?: FailOn }): { output: string; exitCode: number } {
  const result = diffSynthDirs(options.base, options.head);
  const failOn = options.failOn ?? FailOn.CHANGE;
  const output = options.format === OutputFormat.JSON ? renderDiffJson(result, failOn) : renderDiffMarkdown(result);
  return { output, exitCode: exitCodeFor(result, failOn) };
}
