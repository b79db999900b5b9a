import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../test/paths.ts';

/** `xylen studio` running in a child process, as a user starts it. */
export interface StudioProcess {
  url: string;
  process: ChildProcess;
  /** Everything it wrote to stderr so far (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Start `xylen --db DB studio --port 0 --json` and resolve with its URL once it listens. */
export function startStudioProcess(dbPath: string, options: { token: string; liveUrl?: string; args?: string[]; env?: Record<string, string> }): Promise<StudioProcess> {
  const args = [join(REPO_ROOT, 'bin', 'xylen.js'), '--db', dbPath, 'studio', '--port', '0', '--json', ...(options.args ?? [])];
  const env = { ...process.env, XYLEN_STUDIO_TOKEN: options.token, XYLEN_LIVE_URL: options.liveUrl ?? 'http://127.0.0.1:9', ...options.env };
  const child = spawn(process.execPath, args, { cwd: dirname(dbPath), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url: url.replace(/\/$/, ''),
        process: child,
        stderr: () => stderr,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`xylen studio exited (${code}) before listening:\n${stderr}`)));
  });
}
