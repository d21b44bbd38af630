import type { Command } from 'commander';
import { DeliveryCapture } from '../capture.js';
import { acceptAllDispatcher, driftText } from '../drift.js';
import { loadHandlersModule } from '../handlers-module.js';
import type { BodyInput } from '../../runtime/delivery.js';
import type { DispatchResult } from '../../runtime/dispatcher.js';
import type { Transport } from '../../runtime/handlers.js';
import { checkDomain, WSClient } from '../../transport/ws/index.js';
import type { WSDispatcher } from '../../transport/ws/index.js';
import { CliError, nonNegativeInteger } from '../io.js';
import type { CommandIO } from './emulate.js';
import type { InboxCliOptions } from './work.js';
import { addQueueOption, loadInboxModule } from './work.js';
import { stderrLogger, untilSignal, writeStderr, writeStdout } from './emulate.js';

interface ConnectOptions extends InboxCliOptions {
  appId?: string;
  appSecret?: string;
  domain?: string;
  handlers?: string;
  verbose?: boolean;
  drift?: boolean;
  connectTimeout?: number;
  capture?: string;
}

const parseConnectTimeout = nonNegativeInteger('--connect-timeout', 'of milliseconds (0: keep retrying)');


/** `connect`: opens the long connection and prints one JSON line per delivery. */
export function registerConnect(program: Command, setExit: (code: number) => void = (code) => { process.exitCode = code; }, io: CommandIO = {}): void {
  const command = program
    .command('connect')
    .description('receive events over the long connection and print one JSON line per delivery (stops on SIGINT/SIGTERM)')
    .option('--app-id <id>', 'app id (default $LARK_APP_ID)')
    .option('--app-secret <secret>', 'app secret (default $LARK_APP_SECRET)')
    .option('--domain <url>', 'feishu, lark, or a base URL such as an emulator\'s', 'feishu')
    .option('--handlers <module>', 'an ES module whose default export is an EventDispatcher (default: acknowledge everything)')
    .option('--connect-timeout <ms>', 'exit 1 when not connected this long after starting, retries included (default 0: keep retrying)', parseConnectTimeout)
    .option('--verbose', 'log connection details to stderr')
    .option('--drift', 'record drift (what deliveries carry that the schemas do not know) and print the drift report on exit')
    .option('--capture <dir>', 'write each accepted delivery (token fields blanked) as one JSON file in <dir>, for `lark-events learn`')
    .option('--inbox <url>', 'answer events once queued in the durable inbox at this Redis URL; `lark-events work` runs them');
  addQueueOption(command)
    .action(async (opts: ConnectOptions) => {
      const out = io.stdout ?? writeStdout;
      const err = io.stderr ?? writeStderr;
      const appId = opts.appId ?? process.env.LARK_APP_ID;
      const appSecret = opts.appSecret ?? process.env.LARK_APP_SECRET;
      if (!appId || !appSecret) throw new CliError('--app-id and --app-secret (or $LARK_APP_ID / $LARK_APP_SECRET) are required');
      // A domain that can never work is a usage error, said before anything starts.
      const badDomain = checkDomain(opts.domain, '--domain');
      if (badDomain) throw new CliError(badDomain.message);
      const handlers = opts.handlers
        ? await loadHandlersModule(opts.handlers, opts.inbox === undefined ? ['dispatch'] : ['dispatch', 'isCallback'])
        : acceptAllDispatcher(opts.drift ?? false);
      // --inbox: events are answered once queued; `lark-events work` runs the handlers.
      const inboxModule = opts.inbox === undefined ? undefined : await loadInboxModule();
      const inbox = inboxModule && (await inboxModule.createInbox({ connection: opts.inbox ?? '', queueName: opts.queue }));
      const inner: WSDispatcher = inboxModule && inbox ? inboxModule.inboxDispatcher(inbox, handlers) : handlers;
      const capture = opts.capture === undefined ? undefined : new DeliveryCapture(opts.capture);
      const dispatcher: WSDispatcher = {
        async dispatch(body: BodyInput, transport?: Transport): Promise<DispatchResult> {
          const result = await inner.dispatch(body, transport);
          capture?.write(body, result);
          out(JSON.stringify({ transport: 'ws', kind: result.kind ?? null, event_type: result.eventType ?? null, id: result.id ?? null, status: result.status }));
          return result;
        },
      };
      const client = new WSClient({ appId, appSecret, dispatcher, logger: stderrLogger(err, opts.verbose), connectTimeoutMs: opts.connectTimeout, ...(opts.domain ? { domain: opts.domain } : {}) });
      // Errors are printed once: a retry's by the `warn ws: connect failed` log line, a fatal one by
      // `connect failed` / `connection lost` below.
      client.on('state', (state, info) => err(`state ${state}${info.deviceId ? ` device_id=${info.deviceId}` : ''}${info.state === 'reconnecting' ? ` attempt=${info.attempt} delay_ms=${info.delayMs}` : ''}`));
      const stop = io.until ?? untilSignal();
      const failed = new Promise<Error>((resolve) => client.on('state', (state, info) => state === 'failed' && resolve(info.error ?? new Error('failed'))));
      try {
        await client.start();
      } catch (e) {
        await client.close();
        await inbox?.close();
        err(`connect failed: ${e instanceof Error ? e.message : String(e)}`);
        setExit(1);
        return;
      }
      const outcome = await Promise.race([stop.then(() => undefined), failed]);
      await client.close();
      await inbox?.close();
      if (opts.drift) err(driftText(handlers).trimEnd());
      if (outcome instanceof Error) {
        err(`connection lost: ${outcome.message}`);
        setExit(1);
        return;
      }
      setExit(0);
    });
}
