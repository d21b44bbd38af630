import type { Command } from 'commander';
import { loadHandlersModule } from '../handlers-module.js';
import { CliError } from '../io.js';
import type { CommandIO } from './emulate.js';
import { parseNumber, stderrLogger, untilSignal, writeStderr, writeStdout } from './emulate.js';

type InboxModule = typeof import('../../inbox/index.js');

/** src/inbox needs the optional peers bullmq and ioredis: loaded only when --inbox is given. */
export async function loadInboxModule(): Promise<InboxModule> {
  try {
    return await import('../../inbox/index.js');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CliError(`--inbox needs the packages bullmq and ioredis: npm install bullmq ioredis (${err instanceof Error ? err.message : String(err)})`);
    }
    throw err;
  }
}

/** Options `serve` and `connect` share with `work` to find the queue. */
export interface InboxCliOptions {
  inbox?: string;
  queue?: string;
}

export function addQueueOption(command: Command): Command {
  return command.option('--queue <name>', 'BullMQ queue name of the inbox', 'lark-events');
}

interface WorkOptions extends InboxCliOptions {
  handlers: string;
  concurrency: string;
  retryLadder?: string;
  lockDuration?: string;
  stalledInterval?: string;
  verbose?: boolean;
}

/** `work`: runs the handlers of a --handlers module on deliveries queued by `serve --inbox` / `connect --inbox`. */
export function registerWork(program: Command, io: CommandIO = {}): void {
  const command = program
    .command('work')
    .description('run queued deliveries of the durable inbox through a --handlers module; prints one JSON line per completed job (stops on SIGINT/SIGTERM)')
    .requiredOption('--inbox <url>', 'Redis URL of the inbox (redis://host:port[/db])')
    .requiredOption('--handlers <module>', 'an ES module whose default export is an EventDispatcher')
    .option('--concurrency <n>', 'jobs run at once in this process', '4')
    .option('--retry-ladder <list>', 'delays between a failing job\'s attempts, then dead letter (default 15s,5m,1h,6h: the platform\'s)')
    .option('--lock-duration <ms>', 'a running job\'s lock; a killed worker\'s jobs run again after it expires (default 30000)')
    .option('--stalled-interval <ms>', 'how often expired locks are looked for (default 15000)')
    .option('--verbose', 'log retries and connection details to stderr');
  addQueueOption(command).action(async (opts: WorkOptions) => {
    const out = io.stdout ?? writeStdout;
    const err = io.stderr ?? writeStderr;
    const inboxModule = await loadInboxModule();
    const concurrency = parseNumber('--concurrency', opts.concurrency, (n) => Number.isInteger(n) && n > 0);
    const ms = (name: string, value: string | undefined) => (value === undefined ? undefined : parseNumber(name, value, (n) => Number.isFinite(n) && n > 0));
    const lockDurationMs = ms('--lock-duration', opts.lockDuration);
    const stalledIntervalMs = ms('--stalled-interval', opts.stalledInterval);
    const retryLadderMs = opts.retryLadder === undefined ? undefined : inboxModule.parseLadder(opts.retryLadder);
    // Redis first: the handlers module may open connections of its own that would keep a failed command alive.
    await inboxModule.pingRedis(opts.inbox ?? '');
    const dispatcher = await loadHandlersModule(opts.handlers, ['dispatch']);
    const logger = stderrLogger(err, opts.verbose);
    const worker = await inboxModule.createInboxWorker({
      dispatcher,
      connection: opts.inbox ?? '',
      queueName: opts.queue,
      concurrency,
      logger: opts.verbose ? logger : { ...logger, warn: () => undefined },
      ...(retryLadderMs ? { retryLadderMs } : {}),
      ...(lockDurationMs ? { lockDurationMs } : {}),
      ...(stalledIntervalMs ? { stalledIntervalMs } : {}),
      // Written after BullMQ recorded the completion: a line per job that completed here.
      onCompleted: (job, status) => out(JSON.stringify({ transport: job.transport, kind: job.kind, event_type: job.eventType, id: job.id ?? null, status: 'completed', outcome: status, attempts: job.attempts })),
    });
    err(`working on queue ${opts.queue} at ${inboxModule.redactRedisUrl(opts.inbox ?? '')} (concurrency ${concurrency})`);
    await (io.until ?? untilSignal());
    await worker.close();
    err('worker stopped');
    // The handlers module may hold connections of its own (a database, Redis) that would keep a stopped
    // worker alive forever: once every job has finished, leave even if they are still open.
    if (io.until === undefined) setTimeout(() => process.exit(), 1_000).unref();
  });
}
