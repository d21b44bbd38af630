import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, parseJsonText, readInput } from '../io.js';
import type { CommandIO } from './emulate.js';
import { parseNumber, writeStdout } from './emulate.js';

interface TriggerCliOptions {
  emulator?: string;
  appId?: string;
  via: string;
  retries?: string;
  wait: string;
  set: string[];
  keepToken?: boolean;
  fresh?: boolean;
  fixtures?: string;
}

/** One request to `POST /_emulator/trigger`. */
interface TriggerRequest {
  via: string;
  /** The app to deliver to (needed when the emulator serves several). */
  app_id?: string;
  wait: string;
  retries?: number;
  /** "emulator": the emulator puts its own Verification Token into the payload, so the CLI needs no secret. */
  token: 'emulator' | 'keep';
  /** A payload file gets a fresh event_id / uuid and create time (a receiver de-duplicates a resent id). */
  fresh?: boolean;
  set?: Record<string, unknown>;
  event_type?: string;
  payload?: Record<string, unknown>;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `path=value`: the value is JSON when it parses as JSON, a string otherwise. */
export function parseSet(spec: string): [string, unknown] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new CliError(`--set ${JSON.stringify(spec)}: write path=value, e.g. event.message.chat_type=group`);
  const raw = spec.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw) as unknown;
  } catch {
    // not JSON: the string itself
  }
  return [spec.slice(0, eq), value];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readPayload(file: string, label = file): Record<string, unknown> {
  const payload = parseJsonText(label, readInput(file));
  if (!isObject(payload)) throw new CliError(`${label}: the payload must be a JSON object`);
  return payload;
}

function checkVia(via: unknown, where: string): string {
  if (via !== 'ws' && via !== 'webhook') throw new CliError(`${where} must be ws or webhook, not ${JSON.stringify(via)}`);
  return via;
}

function checkWait(wait: unknown, where: string): string {
  if (wait !== 'first' && wait !== 'final') throw new CliError(`${where} must be first or final, not ${JSON.stringify(wait)}`);
  return wait;
}

const FIXTURE_KEYS = ['name', 'event_type', 'payload', 'set', 'via', 'retries', 'wait', 'keep_token', 'fresh'];

interface Fixture {
  name: string;
  request: TriggerRequest;
}

/**
 * A fixtures file: a JSON array of `{name?, event_type | payload, set?, via?, retries?, wait?, keep_token?}`,
 * where `payload` is an object or a JSON file path relative to the fixtures file. Every entry is
 * checked before anything is sent. Options given on the command line are the defaults; `--set`
 * edits apply after the entry's own.
 */
function readFixtures(file: string, defaults: Omit<TriggerRequest, 'event_type' | 'payload'>): Fixture[] {
  const list = parseJsonText(file, readInput(file));
  if (!Array.isArray(list) || list.length === 0) throw new CliError(`${file}: a fixtures file is a non-empty JSON array of {event_type | payload, set, via, …}`);
  return list.map((entry: unknown, i) => {
    const at = (key?: string) => `${file}: /${i}${key === undefined ? '' : `/${key}`}`;
    if (!isObject(entry)) throw new CliError(`${at()}: must be an object`);
    const unknown = Object.keys(entry).find((k) => !FIXTURE_KEYS.includes(k));
    if (unknown !== undefined) throw new CliError(`${at(unknown)}: unknown key (use ${FIXTURE_KEYS.join(', ')})`);
    const request: TriggerRequest = { ...defaults, ...(defaults.set ? { set: { ...defaults.set } } : {}) };
    if ((entry.event_type === undefined) === (entry.payload === undefined)) throw new CliError(`${at()}: give exactly one of "event_type" and "payload"`);
    if (entry.event_type !== undefined) {
      if (typeof entry.event_type !== 'string' || entry.event_type === '') throw new CliError(`${at('event_type')}: must be a non-empty string`);
      request.event_type = entry.event_type;
    } else if (typeof entry.payload === 'string') {
      request.payload = readPayload(path.resolve(path.dirname(file), entry.payload), entry.payload);
    } else if (isObject(entry.payload)) {
      request.payload = entry.payload;
    } else {
      throw new CliError(`${at('payload')}: must be an object or the path of a JSON file`);
    }
    if (entry.set !== undefined) {
      if (!isObject(entry.set)) throw new CliError(`${at('set')}: must be an object of dotted path → value`);
      request.set = { ...entry.set, ...defaults.set };
    }
    if (entry.via !== undefined) request.via = checkVia(entry.via, at('via'));
    if (entry.wait !== undefined) request.wait = checkWait(entry.wait, at('wait'));
    if (entry.retries !== undefined) {
      if (!Number.isInteger(entry.retries) || (entry.retries as number) < 0) throw new CliError(`${at('retries')}: must be a non-negative integer`);
      request.retries = entry.retries as number;
    }
    if (entry.keep_token !== undefined) {
      if (typeof entry.keep_token !== 'boolean') throw new CliError(`${at('keep_token')}: must be true or false`);
      request.token = entry.keep_token ? 'keep' : 'emulator';
    }
    if (entry.fresh !== undefined) {
      if (typeof entry.fresh !== 'boolean') throw new CliError(`${at('fresh')}: must be true or false`);
      request.fresh = entry.fresh;
    }
    if (entry.name !== undefined && typeof entry.name !== 'string') throw new CliError(`${at('name')}: must be a string`);
    const name = typeof entry.name === 'string' ? entry.name : request.event_type ?? (typeof entry.payload === 'string' ? entry.payload : `#${i}`);
    return { name, request };
  });
}

/** Sends one trigger; a refusal (bad request) is a CliError naming the emulator's reason. */
async function send(url: URL, request: TriggerRequest): Promise<{ code?: unknown }> {
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
  if (!res.ok || !isObject(answer)) {
    const error = isObject(answer) ? answer.error : undefined;
    throw new CliError(`the emulator refused: ${typeof error === 'string' ? error : `HTTP ${res.status}`}`);
  }
  return answer;
}

/** `trigger <event_type | payload.json>` / `trigger --fixtures file.json`: deliveries through a running emulator, answers printed. */
export function registerTrigger(program: Command, setExit: (code: number) => void = (code) => { process.exitCode = code; }, io: CommandIO = {}): void {
  program
    .command('trigger')
    .description('deliver events through a running emulator and print the answers (exit 0 all code 200, 1 otherwise, 2 usage or connection error)')
    .argument('[target]', 'an event type (payload built from its schema example) or a JSON payload file (- for standard input)')
    .option('--emulator <url>', 'the emulator, e.g. http://127.0.0.1:9000 (default $LARK_EMULATOR)')
    .option('--app-id <id>', 'the app to deliver to (required when the emulator serves several apps)')
    .option('--via <transport>', 'ws (long connection) or webhook', 'ws')
    .option('--retries <n>', 'redeliveries after a failed attempt (default: the emulator schedule)')
    .option('--wait <when>', 'first: print the first attempt\'s answer (redeliveries go on in the emulator); final: wait for the last', 'first')
    .option('--set <path=value>', 'edit the payload before sending, e.g. event.message.chat_type=group or event.message.mentions.0.name=Tom; the value is JSON when it parses, else a string (repeatable)', collect, [])
    .option('--keep-token', 'send a payload file\'s own header.token / token (default: the emulator puts in its Verification Token)')
    .option('--fresh', 'give a payload file a fresh event_id / uuid and create time (and the emulator\'s app_id and token), so that a receiver does not drop it as a duplicate')
    .option('--fixtures <file>', 'run the triggers of a JSON array of {name, event_type | payload, set, via, retries, wait, keep_token, fresh} in order, one JSON answer line each')
    .addHelpText('after', '\nExamples:\n  lark-events trigger im.message.receive_v1 --set event.message.chat_type=p2p --via webhook\n  lark-events trigger payload.json --set \'event.message.content="{\\"text\\":\\"hi\\"}"\'\n  lark-events trigger --fixtures fixtures.json')
    .action(async (target: string | undefined, opts: TriggerCliOptions) => {
      const out = io.stdout ?? writeStdout;
      const base = opts.emulator ?? process.env.LARK_EMULATOR;
      if (!base) throw new CliError('--emulator <url> is required');
      let url: URL;
      try {
        url = new URL('/_emulator/trigger', base);
      } catch {
        throw new CliError(`--emulator: invalid URL ${JSON.stringify(base)}`);
      }
      const defaults: Omit<TriggerRequest, 'event_type' | 'payload'> = {
        via: checkVia(opts.via, '--via'),
        wait: checkWait(opts.wait, '--wait'),
        token: opts.keepToken ? 'keep' : 'emulator',
      };
      if (opts.fresh) defaults.fresh = true;
      if (opts.appId !== undefined) {
        if (opts.appId === '') throw new CliError('--app-id: must not be empty');
        defaults.app_id = opts.appId;
      }
      if (opts.retries !== undefined) defaults.retries = parseNumber('--retries', opts.retries, (n) => Number.isInteger(n) && n >= 0);
      if (opts.set.length) defaults.set = Object.fromEntries(opts.set.map(parseSet));

      if (opts.fixtures !== undefined) {
        if (target !== undefined) throw new CliError('give either a target or --fixtures, not both');
        const fixtures = readFixtures(opts.fixtures, defaults);
        let failed = 0;
        for (const [i, fixture] of fixtures.entries()) {
          let answer: { code?: unknown };
          try {
            answer = await send(url, fixture.request);
          } catch (err) {
            if (err instanceof CliError) throw new CliError(`fixture ${i} (${fixture.name}): ${err.message}`, err.exitCode);
            throw err;
          }
          if (answer.code !== 200) failed++;
          out(JSON.stringify({ fixture: fixture.name, ...answer }));
        }
        setExit(failed ? 1 : 0);
        return;
      }

      if (target === undefined) throw new CliError('give an event type or a payload file, or --fixtures <file>');
      const request: TriggerRequest = { ...defaults };
      const isFile = target === '-' || target.endsWith('.json') || (fs.existsSync(target) && fs.statSync(target).isFile());
      if (isFile) request.payload = readPayload(target);
      else request.event_type = target;
      const answer = await send(url, request);
      out(JSON.stringify(answer, null, 2));
      setExit(answer.code === 200 ? 0 : 1);
    });
}
