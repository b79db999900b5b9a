import { runCli } from '../cli/main.ts';

export interface XylenRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the `xylen` CLI in this process, as `bin/xylen.js` would but without paying for a Node start
 * per call, with extra environment variables for the duration of the call; returns the exit code
 * and what it wrote. Tests in one file run one after another, so swapping the streams is safe.
 */
export async function runXylen(args: string[], env: Record<string, string> = {}): Promise<XylenRun> {
  const output = { stdout: '', stderr: '' };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write, env: { ...process.env } };
  Object.assign(process.env, env);
  process.stdout.write = ((chunk: string) => ((output.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((output.stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(args), ...output };
  } finally {
    Object.assign(process.stdout, { write: saved.stdout });
    Object.assign(process.stderr, { write: saved.stderr });
    process.env = saved.env;
  }
}
