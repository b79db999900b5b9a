import type { Command } from 'commander';
import { inputError, operationalError } from '../../engine/index.ts';
import { resolveConfig, resolveDbPath } from '../context.ts';

interface ClientFlags {
  url?: string;
  json?: boolean;
  flatten?: boolean;
}

/** Registers `xylen live` (run the live process) and `xylen live stop|emergency-stop|status` (talk to a running one). */
export function registerLiveCommands(program: Command): Command {
  const live = program
    .command('live')
    .description('trade live with the replay\'s coordinator: paper (dry_run: true), Binance testnet (testnet: true) or, with --mainnet, mainnet; exchange.base_url points it at `xylen exchange-sim`')
    .option('--mainnet', 'allow mainnet when the config says testnet: false (also needs XYLEN_CONFIRM_MAINNET=yes-i-mean-real-money)')
    .option('--host <address>', 'address the control API binds; only this machine by default (0.0.0.0 inside a container whose port is published on the host\'s 127.0.0.1)', '127.0.0.1')
    .action(async (flags: { mainnet?: boolean; host: string }, command: Command) => {
      const config = await resolveConfig(command);
      const { startLiveProcess } = await import('../../live/index.ts'); // ccxt, Fastify, ws: only for this command
      const process_ = await startLiveProcess(config, {
        storePath: await resolveDbPath(command),
        ...(flags.mainnet ? { mainnet: true } : {}),
        controlHost: flags.host,
        print: (line) => process.stdout.write(`${line}\n`),
      });
      const onSignal = () => void process_.stop(false);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      await process_.done;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
  const client = (name: string, description: string) =>
    live
      .command(name)
      .description(description)
      .option('--url <url>', 'control API of the live process (default: http://127.0.0.1:<live.control_port>)')
      .option('--json', 'print the answer as JSON');
  client('status', 'show the running live process: mode, position, equity, orders, exchange health').action(async (flags: ClientFlags, command: Command) => {
    const answer = await callControl(command, flags, 'GET', '/status');
    process.stdout.write(flags.json ? `${JSON.stringify(answer)}\n` : `${Object.entries(answer as Record<string, unknown>).map(([k, v]) => `${k.padEnd(12)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`);
  });
  client('stop', 'stop the live process (orders and position stay on the exchange unless --flatten)')
    .option('--flatten', 'cancel every open order and close the position at market first')
    .action(async (flags: ClientFlags, command: Command) => {
      const answer = await callControl(command, flags, 'POST', `/stop${flags.flatten ? '?flatten=true' : ''}`);
      process.stdout.write(flags.json ? `${JSON.stringify(answer)}\n` : `stopped${(answer as { flattened?: boolean }).flattened ? ', flattened' : ''}\n`);
    });
  client('emergency-stop', 'cancel everything, close the position at market and stop, now').action(async (flags: ClientFlags, command: Command) => {
    const answer = await callControl(command, flags, 'POST', '/emergency-stop');
    process.stdout.write(flags.json ? `${JSON.stringify(answer)}\n` : 'emergency stop done: orders cancelled, position flattened, process stopped\n');
  });
  return live;
}

async function callControl(command: Command, flags: ClientFlags, method: 'GET' | 'POST', path: string): Promise<unknown> {
  const config = await resolveConfig(command);
  const base = (flags.url ?? `http://127.0.0.1:${config.live.control_port}`).replace(/\/+$/, '');
  const token = process.env[config.live.control_token_env];
  if (method === 'POST' && !token) {
    throw inputError('CONTROL_TOKEN_MISSING', `environment variable ${config.live.control_token_env} is not set`, { hint: `export ${config.live.control_token_env}=<the token the live process was started with>` });
  }
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    throw operationalError('LIVE_UNREACHABLE', `no live process answers at ${base}: ${(error as Error).message}`, { where: '--url', hint: 'is `xylen live` running? its control API address is logged at start (control_api)' });
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw operationalError('LIVE_REFUSED', `${method} ${path} answered ${response.status}: ${String(body['message'] ?? body['error'] ?? '')}`);
  return body;
}
