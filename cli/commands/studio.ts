import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../../config/index.ts';
import { formatTime, inputError } from '../../engine/index.ts';
import { globalOptions, resolveConfig, resolveDbPath } from '../context.ts';
import { parseInteger } from '../flags.ts';
import { Progress } from '../Progress.ts';

interface StudioFlags {
  port: string;
  host: string;
  liveUrl?: string;
  rebuild?: boolean;
  json?: boolean;
}

/** `xylen studio`: the SvelteKit studio over the store, on 127.0.0.1 by default. */
export function registerStudioCommand(program: Command): void {
  program
    .command('studio')
    .description('serve the studio: runs, comparisons, models (champion vs challenger, promotion), sweeps, live')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '5173')
    .option('--host <host>', 'address to bind; anything but 127.0.0.1 exposes the store to the network', '127.0.0.1')
    .option('--live-url <url>', 'control API of the live process (default $XYLEN_LIVE_URL, else 127.0.0.1 on the config\'s live.control_port)')
    .option('--rebuild', 'build the app even when the build is up to date')
    .option('--json', 'print one JSON line (url, port, store, tokenUrl) when ready instead of the text')
    .addHelpText(
      'after',
      `
The studio reads the store read-only, a request at a time, so replays and sweeps can write between its reads;
while one writes, its pages say the store is busy and retry. Actions that change state (starting a comparison,
promoting a model) need a token: XYLEN_STUDIO_TOKEN, or a fresh one printed at start as a link that sets it.

The live page watches the live process's control API (--live-url); its emergency stop sends the live process's
token, read from the variable the config names (live.control_token_env, XYLEN_LIVE_TOKEN by default) and never
sent to the browser.

The app is built on first start (and again when its sources changed), which takes ~20 s; \`npm run studio:build\`
builds it ahead of time.

Examples:
  xylen studio                                  # http://127.0.0.1:5173/
  xylen --db research.duckdb studio --port 0    # any free port
  XYLEN_LIVE_TOKEN=… xylen studio --live-url http://127.0.0.1:8780   # the live page, with its emergency stop
  XYLEN_STUDIO_TOKEN=… xylen studio --host 0.0.0.0   # reachable from the network: reads are open, actions need the token`,
    )
    .action(async (flags: StudioFlags, command: Command) => {
      const port = parseInteger(flags.port, '--port', { min: 0, max: 65_535 });
      const liveUrl = flags.liveUrl ?? process.env['XYLEN_LIVE_URL'];
      if (liveUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(liveUrl)) {
        throw inputError('BAD_URL', `"${liveUrl}" is not an http(s) URL`, { where: '--live-url', hint: 'e.g. http://127.0.0.1:8780' });
      }
      const config = await resolveConfig(command); // a broken config fails here, before the build
      const dbPath = await resolveDbPath(command);
      const configFlag = globalOptions(command).config;
      const configPath = configFlag ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined);

      // Loaded here, not with the CLI: only this command needs the studio's server code.
      const { BUILD_STEPS, ensureStudioBuilt, startStudio } = await import('../../studio/index.ts');
      let progress: Progress | undefined;
      await ensureStudioBuilt({
        force: flags.rebuild === true,
        onStart: (state) => {
          const why = state.builtAt === null ? 'first start' : `changed since: ${state.newest?.path ?? 'sources'}`;
          process.stderr.write(`building the studio (${why}); this takes ~20 s…\n`);
          progress = new Progress({ label: 'studio build', total: BUILD_STEPS, unit: 'steps' });
        },
        onStep: (done) => progress?.update(done),
      }).finally(() => progress?.stop());

      const envToken = process.env['XYLEN_STUDIO_TOKEN'];
      const studio = await startStudio({
        dbPath,
        configPath,
        host: flags.host,
        port,
        token: envToken || undefined,
        liveUrl: liveUrl ?? `http://127.0.0.1:${config.live.control_port || 8780}`,
        // The same variable the live process reads its control token from: the studio's emergency stop sends it.
        liveToken: process.env[config.live.control_token_env] || undefined,
        modelServers: Object.fromEntries(config.models.filter((m) => m.kind === 'http' && m.endpoint).map((m) => [m.name, m.endpoint!])),
      });
      const tokenUrl = envToken ? null : `${studio.url}?token=${studio.token}`;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ url: studio.url, port: studio.port, host: studio.host, store: dbPath, tokenUrl, notes: studio.notes })}\n`);
      } else {
        process.stdout.write(
          `Xylen studio on ${studio.url}  (store ${dbPath}, read between writers; ${formatTime(Date.now())})\n` +
            (tokenUrl ? `  actions (comparisons, promotion) need the token: open ${tokenUrl}\n` : `  actions need the token in XYLEN_STUDIO_TOKEN (open ${studio.url}?token=… once)\n`) +
            studio.notes.map((n) => `  note: ${n}\n`).join('') +
            (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1' ? `  warning: bound to ${flags.host}: anyone who reaches it can read the store\n` : '') +
            `  Ctrl-C stops it\n`,
        );
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await studio.close();
    });
}
