import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { DeliveryCapture } from '../capture.js';
import { acceptAllDispatcher, driftText } from '../drift.js';
import { loadHandlersModule } from '../handlers-module.js';
import type { DispatchResult } from '../../runtime/dispatcher.js';
import { webhookAnswer } from '../../transport/webhook/answer.js';
import { createNodeHandler } from '../../transport/webhook/node-http.js';
import type { ServerLimits } from '../../transport/webhook/server-limits.js';
import { applyServerLimits, DEFAULT_SERVER_LIMITS, nodeServerOptions, resolveServerLimits } from '../../transport/webhook/server-limits.js';
import type { WebhookDispatcher } from '../../transport/webhook/receiver.js';
import type { RotatingSecret } from '../../transport/webhook/signature.js';
import { createWebhookHandler } from '../../transport/webhook/receiver.js';
import { CliError, nonNegativeInteger } from '../io.js';
import type { InboxCliOptions } from './work.js';
import { addQueueOption, loadInboxModule } from './work.js';

export interface ServeOptions extends InboxCliOptions, ServerLimits {
  port: number;
  /** Record properties the schemas do not know (default dispatcher) and print the report on close. */
  drift?: boolean;
  host?: string;
  path?: string;
  /** A list during a rotation, the current one first (`--encrypt-key` given more than once). */
  encryptKey?: RotatingSecret;
  verificationToken?: RotatingSecret;
  /** A module whose default export is the dispatcher (an EventDispatcher) that handles deliveries. */
  handlers?: string;
  /** Write each accepted delivery (decrypted, `token` fields blanked) as one JSON file here, for `lark-events learn`. */
  capture?: string | undefined;
  /** Where delivery lines go (default stdout) and notices (default stderr). */
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

export interface RunningServer {
  readonly dispatcher: WebhookDispatcher;
  readonly server: http.Server;
  readonly url: string;
  /** Stops accepting, waits for handlers still running, resolves when closed. */
  close(): Promise<void>;
  /** Resolves when the server has closed (by close() or a signal). */
  readonly closed: Promise<void>;
}

async function loadDispatcher(file: string | undefined, drift: boolean): Promise<WebhookDispatcher> {
  return file === undefined ? acceptAllDispatcher(drift) : loadHandlersModule(file, ['dispatch', 'isCallback']);
}

/** The JSON line printed per accepted delivery. */
export function deliveryLine(result: DispatchResult): string {
  return JSON.stringify({ transport: 'webhook', kind: result.kind ?? null, event_type: result.eventType ?? null, id: result.id ?? null, status: result.status });
}

/** Starts the receiver `lark-events serve` runs; resolves once it listens. */
export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const host = options.host ?? '127.0.0.1';
  const route = options.path ?? '/webhook/event';
  if (!route.startsWith('/')) throw new CliError(`--path must start with "/": ${route}`);
  let limits: ServerLimits;
  try {
    limits = resolveServerLimits(options);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const dispatcher = await loadDispatcher(options.handlers, options.drift ?? false);
  const unverified = options.encryptKey === undefined && options.verificationToken === undefined;
  if (unverified) err.write('lark-events serve: no --encrypt-key or --verification-token: accepting unverified requests (local development only)\n');
  // --inbox: events are answered once queued; `lark-events work` runs the handlers.
  const inboxModule = options.inbox === undefined ? undefined : await loadInboxModule();
  const inbox = inboxModule && (await inboxModule.createInbox({ connection: options.inbox ?? '', queueName: options.queue }));
  const inner = inboxModule && inbox ? inboxModule.inboxDispatcher(inbox, dispatcher) : dispatcher;
  const capture = options.capture === undefined ? undefined : new DeliveryCapture(options.capture);
  const receiving: WebhookDispatcher = capture
    ? {
        isCallback: (eventType) => inner.isCallback(eventType),
        dispatch: async (input, transport) => {
          const outcome = await inner.dispatch(input, transport);
          capture.write(input, outcome);
          return outcome;
        },
      }
    : inner;
  const handler = createWebhookHandler(receiving, {
    path: route,
    encryptKey: options.encryptKey,
    verificationToken: options.verificationToken,
    allowUnverified: unverified,
    onDispatch: (result) => {
      if (webhookAnswer(result).status < 300) out.write(deliveryLine(result) + '\n');
    },
  });
  const server = applyServerLimits(http.createServer(nodeServerOptions(limits), createNodeHandler(handler)), limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new CliError(`cannot listen on ${host}:${options.port}: ${e.code ?? e.message}`)));
    server.listen(options.port, host, () => resolve());
  }).catch(async (e: unknown) => {
    await inbox?.close();
    throw e;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${route}`;
  err.write(`listening on ${url}\n`);

  let closing: Promise<void> | undefined;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const onSignal = () => void close();
  const close = () => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await handler.drain();
      await inbox?.close();
      markClosed();
    })();
    return closing;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { server, url, close, closed, dispatcher };
}

const parseLimit = (flag: string): ((value: string) => number) => nonNegativeInteger(flag, '(0 turns the limit off)');

/** A repeatable secret flag: each occurrence adds one, in order (the first is the current one). */
function collectSecret(flag: string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    if (value === '') throw new CliError(`${flag} must not be empty`);
    return [...(previous ?? []), value];
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new CliError(`--port must be an integer from 0 to 65535: ${value}`);
  return port;
}

export function registerServe(program: Command): Command {
  const command = program
    .command('serve')
    .description('receive webhook deliveries on a local HTTP endpoint; prints one JSON line per accepted delivery')
    .requiredOption('--port <n>', 'port to listen on (0 picks a free one)', parsePort)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--path <path>', 'request path', '/webhook/event')
    .option('--encrypt-key <key>', "the app's Encrypt Key (decrypts bodies, checks X-Lark-Signature; default $LARK_ENCRYPT_KEY); repeat it during a rotation, the current key first", collectSecret('--encrypt-key'))
    .option('--verification-token <token>', "the app's Verification Token (checked on every body; default $LARK_VERIFICATION_TOKEN); repeat it during a rotation, the current token first", collectSecret('--verification-token'))
    .option('--handlers <module>', 'module whose default export is the EventDispatcher to use (default: accept everything)')
    .option('--drift', 'record drift (what deliveries carry that the schemas do not know) and print the drift report on exit')
    .option('--capture <dir>', 'write each accepted delivery (decrypted, token fields blanked) as one JSON file in <dir>, for `lark-events learn`')
    .option('--inbox <url>', 'answer events once queued in the durable inbox at this Redis URL; `lark-events work` runs them')
    .option('--header-timeout <ms>', 'close a connection whose request line and headers have not arrived after this long (0: off)', parseLimit('--header-timeout'), DEFAULT_SERVER_LIMITS.headersTimeoutMs)
    .option('--body-timeout <ms>', 'close a connection whose whole request, headers and body, has not arrived after this long (0: off)', parseLimit('--body-timeout'), DEFAULT_SERVER_LIMITS.requestTimeoutMs)
    .option('--keep-alive-timeout <ms>', 'close an idle keep-alive connection after this long (0: off)', parseLimit('--keep-alive-timeout'), DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs)
    .option('--max-connections <n>', 'connections open at once; further ones are closed on arrival (0: no cap)', parseLimit('--max-connections'), DEFAULT_SERVER_LIMITS.maxConnections);
  return addQueueOption(command)
    .action(async (opts: { port: number; host: string; path: string; encryptKey?: string[]; verificationToken?: string[]; handlers?: string; drift?: boolean; capture?: string; inbox?: string; queue?: string; headerTimeout: number; bodyTimeout: number; keepAliveTimeout: number; maxConnections: number }) => {
      // Secrets from the environment keep them out of `ps` and shell history.
      const encryptKey = opts.encryptKey ?? process.env.LARK_ENCRYPT_KEY;
      const verificationToken = opts.verificationToken ?? process.env.LARK_VERIFICATION_TOKEN;
      if (encryptKey === '') throw new CliError('--encrypt-key (or $LARK_ENCRYPT_KEY) must not be empty');
      if (verificationToken === '') throw new CliError('--verification-token (or $LARK_VERIFICATION_TOKEN) must not be empty');
      const { headerTimeout, bodyTimeout, keepAliveTimeout, ...rest } = opts;
      if (bodyTimeout > 0 && headerTimeout > bodyTimeout) throw new CliError(`--header-timeout (${headerTimeout} ms) must not exceed --body-timeout (${bodyTimeout} ms)`);
      const running = await startServe({ ...rest, encryptKey, verificationToken, headersTimeoutMs: headerTimeout, requestTimeoutMs: bodyTimeout, keepAliveTimeoutMs: keepAliveTimeout });
      await running.closed;
      if (opts.drift) process.stderr.write(driftText(running.dispatcher));
    });
}
