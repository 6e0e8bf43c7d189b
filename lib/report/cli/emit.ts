import * as fs from 'fs';

/** Writes a command's output and sets the exit code; exitCode (not exit()) lets stdout drain. */
export function emit(result: { output: string; exitCode: number }, outFile?: string): void {
  if (outFile) fs.writeFileSync(outFile, result.output);
  process.stdout.write(result.output);
  process.exitCode = result.exitCode;
}
