import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WRITER = fileURLToPath(new URL('./storeWriterProcess.ts', import.meta.url));

/**
 * Another process that takes and lets go of the store's write lock on command, as a replay or a sweep does while it
 * writes (DuckDB's lock is per process, so it must be another process). One process serves a whole test file.
 */
export class StoreWriter {
  private readonly child: ChildProcess;
  private output = '';
  private waiting: { word: string; resolve: () => void; reject: (e: Error) => void } | undefined;

  private constructor(readonly path: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      const waiting = this.waiting;
      if (waiting && this.output.includes(waiting.word)) {
        this.output = '';
        this.waiting = undefined;
        waiting.resolve();
      }
    });
    let stderr = '';
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    this.child.once('exit', (code) => this.waiting?.reject(new Error(`the store writer exited (${code}): ${stderr}`)));
  }

  static async start(path: string): Promise<StoreWriter> {
    const writer = new StoreWriter(path);
    await writer.command('ping', 'pong');
    return writer;
  }

  /** Resolves once the other process holds the store read-write. */
  hold(): Promise<void> {
    return this.command('hold', 'held');
  }

  release(): Promise<void> {
    return this.command('release', 'released');
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }

  private command(word: string, answer: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { word: answer, resolve, reject };
      this.child.stdin!.write(`${word}\n`);
    });
  }
}
