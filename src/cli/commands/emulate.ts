import type { Command } from 'commander';
import { startEmulator } from '../../emulator/index.js';
import type { Logger } from '../../runtime/logger.js';
import { CliError } from '../io.js';

/** Where long-running ws commands write, and what stops them (default: SIGINT or SIGTERM). */
export interface CommandIO {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Resolves when the command should stop. */
  until?: Promise<unknown>;
}

export const writeStdout = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};
export const writeStderr = (text: string): void => {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
};

/** Resolves on the first SIGINT or SIGTERM, then stops listening for them. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function stderrLogger(write: (text: string) => void, verbose = false): Logger {
  const line = (level: string) => (message: string, data?: Record<string, unknown>) => write(`${level} ${message}${data ? ' ' + JSON.stringify(data) : ''}`);
  return { debug: verbose ? line('debug') : () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

export function parseNumber(name: string, value: string, check: (n: number) => boolean = Number.isFinite): number {
  const n = Number(value);
  if (value.trim() === '' || !check(n)) throw new CliError(`${name}: invalid value ${JSON.stringify(value)}`);
  return n;
}

/** `--webhook` must be an absolute http(s) URL: the emulator POSTs deliveries to it. */
export function checkWebhookUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError(`--webhook: ${JSON.stringify(value)} is not an http(s) URL (e.g. http://127.0.0.1:3000/webhook/event)`);
  }
}

interface EmulateOptions {
  app: string[];
  port: string;
  host: string;
  appId?: string;
  appSecret?: string;
  webhook?: string;
  encryptKey?: string;
  verificationToken?: string;
  pingInterval?: string;
  redeliveryMs?: string;
  fragmentSize?: string;
  compress?: boolean;
  dropRate?: string;
  verbose?: boolean;
}

export function registerEmulate(program: Command, io: CommandIO = {}): void {
  program
    .command('emulate')
    .description('run a fake Open Platform on loopback: endpoint discovery, the long connection, webhook pushes (stops on SIGINT/SIGTERM)')
    .option('--app-id <id>', 'the app id clients must present (default $LARK_APP_ID)')
    .option('--app-secret <secret>', 'the app secret clients must present (default $LARK_APP_SECRET)')
    .option('--app <id:secret>', 'serve this app too (repeatable: several apps on one emulator)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--port <n>', 'port (0: any free port)', '0')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--webhook <url>', 'push deliveries triggered with --via webhook to this URL')
    .option('--encrypt-key <key>', 'encrypt and sign webhook pushes with this Encrypt Key (default $LARK_ENCRYPT_KEY)')
    .option('--verification-token <token>', 'Verification Token put into generated payloads (default $LARK_VERIFICATION_TOKEN)')
    .option('--ping-interval <s>', 'PingInterval handed to clients, in seconds (default 120)')
    .option('--redelivery-ms <list>', 'comma-separated delays before retries of failed deliveries (default 15000,300000,3600000,21600000)')
    .option('--fragment-size <bytes>', 'split data payloads larger than this')
    .option('--compress', 'negotiate permessage-deflate')
    .option('--drop-rate <p>', 'chaos: probability of dropping a connection after a delivery')
    .option('--verbose', 'log debug messages')
    .action(async (opts: EmulateOptions) => {
      const stderr = io.stderr ?? writeStderr;
      // Secrets may come from the environment, to keep them out of shell history and process lists.
      const apps = opts.app.map((spec) => {
        const colon = spec.indexOf(':');
        if (colon <= 0 || colon === spec.length - 1) throw new CliError(`--app ${JSON.stringify(spec)}: write <app id>:<app secret>`);
        return { appId: spec.slice(0, colon), appSecret: spec.slice(colon + 1) };
      });
      const fromEnv = apps.length === 0;
      const appId = opts.appId ?? (fromEnv ? process.env.LARK_APP_ID : undefined);
      const appSecret = opts.appSecret ?? (fromEnv ? process.env.LARK_APP_SECRET : undefined);
      const encryptKey = opts.encryptKey ?? process.env.LARK_ENCRYPT_KEY;
      const verificationToken = opts.verificationToken ?? process.env.LARK_VERIFICATION_TOKEN;
      if (apps.length === 0 && (!appId || !appSecret)) throw new CliError('--app-id and --app-secret (or $LARK_APP_ID / $LARK_APP_SECRET, or --app <id>:<secret>) are required');
      if ((appId === undefined) !== (appSecret === undefined)) throw new CliError('--app-id and --app-secret go together');
      const ids = [...(appId ? [appId] : []), ...apps.map((a) => a.appId)];
      const twice = ids.find((id, i) => ids.indexOf(id) !== i);
      if (twice !== undefined) throw new CliError(`--app: app ${JSON.stringify(twice)} is given twice`);
      const port = parseNumber('--port', opts.port, (n) => Number.isInteger(n) && n >= 0 && n < 65536);
      if (opts.webhook !== undefined) checkWebhookUrl(opts.webhook);
      const schedule = opts.redeliveryMs?.split(',').map((v) => parseNumber('--redelivery-ms', v, (n) => Number.isFinite(n) && n >= 0));
      const emulator = await startEmulator({
        port,
        host: opts.host,
        ...(appId && appSecret ? { appId, appSecret } : {}),
        ...(apps.length ? { apps } : {}),
        ...(opts.webhook ? { webhook: opts.webhook } : {}),
        ...(encryptKey ? { encryptKey } : {}),
        ...(verificationToken ? { verificationToken } : {}),
        ...(opts.pingInterval ? { pingIntervalS: parseNumber('--ping-interval', opts.pingInterval, (n) => n > 0) } : {}),
        ...(schedule ? { redeliveryScheduleMs: schedule } : {}),
        ...(opts.fragmentSize ? { fragmentSize: parseNumber('--fragment-size', opts.fragmentSize, (n) => Number.isInteger(n) && n > 0) } : {}),
        ...(opts.compress ? { compress: true } : {}),
        ...(opts.dropRate ? { dropRate: parseNumber('--drop-rate', opts.dropRate, (n) => n >= 0 && n <= 1) } : {}),
        logger: stderrLogger(stderr, opts.verbose),
      }).catch((err: unknown) => {
        throw new CliError(`cannot start the emulator: ${err instanceof Error ? err.message : String(err)}`);
      });
      stderr(`emulator listening on ${emulator.url}`);
      if (emulator.appIds.length > 1) stderr(`apps: ${emulator.appIds.join(', ')}`);
      await (io.until ?? untilSignal());
      await emulator.close();
      stderr('emulator stopped');
    });
}
