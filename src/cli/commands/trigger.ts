import fs from 'node:fs';
import type { Command } from 'commander';
import { CliError, parseJsonText, readInput } from '../io.js';
import type { CommandIO } from './emulate.js';
import { parseNumber, writeStdout } from './emulate.js';

interface TriggerCliOptions {
  emulator?: string;
  via: string;
  retries?: string;
  wait: string;
}

/** `trigger <event_type | payload.json>`: asks a running emulator for one delivery and prints its answer. */
export function registerTrigger(program: Command, setExit: (code: number) => void = (code) => { process.exitCode = code; }, io: CommandIO = {}): void {
  program
    .command('trigger')
    .description('deliver one event through a running emulator and print the answer (exit 0 code 200, 1 otherwise, 2 usage or connection error)')
    .argument('<target>', 'an event type (payload built from its schema example) or a JSON payload file (- for standard input)')
    .option('--emulator <url>', 'the emulator, e.g. http://127.0.0.1:9000 (default $LARK_EMULATOR)')
    .option('--via <transport>', 'ws (long connection) or webhook', 'ws')
    .option('--retries <n>', 'redeliveries after a failed attempt (default: the emulator schedule)')
    .option('--wait <when>', 'first: print the first attempt\'s answer (redeliveries go on in the emulator); final: wait for the last', 'first')
    .action(async (target: string, opts: TriggerCliOptions) => {
      const out = io.stdout ?? writeStdout;
      const base = opts.emulator ?? process.env.LARK_EMULATOR;
      if (!base) throw new CliError('--emulator <url> is required');
      let url: URL;
      try {
        url = new URL('/_emulator/trigger', base);
      } catch {
        throw new CliError(`--emulator: invalid URL ${JSON.stringify(base)}`);
      }
      if (opts.via !== 'ws' && opts.via !== 'webhook') throw new CliError(`--via must be ws or webhook, not ${JSON.stringify(opts.via)}`);
      if (opts.wait !== 'first' && opts.wait !== 'final') throw new CliError(`--wait must be first or final, not ${JSON.stringify(opts.wait)}`);
      const request: Record<string, unknown> = { via: opts.via, wait: opts.wait };
      if (opts.retries !== undefined) request.retries = parseNumber('--retries', opts.retries, (n) => Number.isInteger(n) && n >= 0);
      const isFile = target === '-' || target.endsWith('.json') || (fs.existsSync(target) && fs.statSync(target).isFile());
      if (isFile) {
        const payload = parseJsonText(target, readInput(target));
        if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new CliError(`${target}: the payload must be a JSON object`);
        request.payload = payload;
      } else {
        request.event_type = target;
      }
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      } catch (err) {
        throw new CliError(`cannot reach the emulator at ${url.origin}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const text = await res.text();
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new CliError(`the emulator answered HTTP ${res.status} with a body that is not JSON`);
      }
      if (!res.ok) {
        const error = typeof answer === 'object' && answer !== null ? (answer as { error?: unknown }).error : undefined;
        throw new CliError(`the emulator refused: ${typeof error === 'string' ? error : `HTTP ${res.status}`}`);
      }
      out(JSON.stringify(answer, null, 2));
      setExit((answer as { code?: unknown }).code === 200 ? 0 : 1);
    });
}
