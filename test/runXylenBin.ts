import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.ts';
import type { XylenRun } from './runXylen.ts';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin', 'xylen.js');

/**
 * Run the real `bin/xylen.js` in a child process, as a user's shell does, and resolve with its exit
 * status and output instead of throwing on a non-zero one. Each call costs a Node start (about a
 * second here): prefer runXylen unless the test is about the process itself.
 */
export async function runXylenBin(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<XylenRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
