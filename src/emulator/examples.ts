import fs from 'node:fs';
import path from 'node:path';
import { catalog } from '../catalog.js';
import { schemasRoot } from '../util/package-root.js';
import { isRecord } from '../runtime/delivery.js';
import { randomHex } from './random.js';

let root: string | undefined;

/**
 * The package's `schemas/` directory (see `schemasRoot`): works from src/emulator (tsx) and from
 * dist/<format>/src/emulator alike, so the published package must ship `schemas/`.
 */
export function schemasDir(): string {
  return (root ??= schemasRoot());
}

const cache = new Map<string, string>();

function schemaFile(eventType: string): string | undefined {
  if (!/^[A-Za-z0-9_.-]+$/.test(eventType)) return undefined;
  const dir = schemasDir();
  const entry = catalog.find((e) => e.eventType === eventType && e.kind !== 'p1') ?? catalog.find((e) => e.eventType === eventType);
  if (entry) {
    const file = path.join(dir, entry.domain, `${eventType}.json`);
    if (fs.existsSync(file)) return file;
  }
  // Schemas not (yet) in the generated catalog: look through the domain directories.
  for (const domain of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!domain.isDirectory() || domain.name === 'common') continue;
    const file = path.join(dir, domain.name, `${eventType}.json`);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** Does a schema with an example exist for this event type? */
export function hasExample(eventType: string): boolean {
  try {
    return exampleText(eventType) !== undefined;
  } catch {
    return false;
  }
}

function exampleText(eventType: string): string | undefined {
  const cached = cache.get(eventType);
  if (cached !== undefined) return cached;
  const file = schemaFile(eventType);
  if (!file) return undefined;
  const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as { examples?: unknown };
  const example = Array.isArray(schema.examples) ? (schema.examples[0] as unknown) : undefined;
  if (typeof example !== 'object' || example === null) return undefined;
  const text = JSON.stringify(example);
  cache.set(eventType, text);
  return text;
}

/** A copy of `examples[0]` of the event type's schema; throws when there is none. */
export function loadExample(eventType: string): Record<string, unknown> {
  const text = exampleText(eventType);
  if (text === undefined) throw new Error(`no schema example for event type "${eventType}"`);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface FreshenOptions {
  appId?: string | undefined;
  verificationToken?: string | undefined;
  now?: number | undefined;
}

/** A new delivery of a payload: fresh event_id/uuid and create_time/ts, the emulated app's id and token. */
export function freshen(payload: Record<string, unknown>, options: FreshenOptions = {}): Record<string, unknown> {
  const now = options.now ?? Date.now();
  const id = randomHex(16);
  if (isRecord(payload.header)) {
    const header = payload.header;
    header.event_id = id;
    header.create_time = String(now);
    if (options.appId !== undefined) header.app_id = options.appId;
    if (options.verificationToken !== undefined) header.token = options.verificationToken;
  } else if (isRecord(payload.event)) {
    payload.uuid = id;
    payload.ts = (now / 1000).toFixed(3);
    if (options.verificationToken !== undefined) payload.token = options.verificationToken;
    if (options.appId !== undefined) payload.event.app_id = options.appId;
  }
  return payload;
}

/**
 * Puts the emulator's Verification Token where the payload carries its token: `header.token` (2.0
 * events and callbacks) or the top-level `token` (1.0 events, legacy card actions, url_verification).
 */
export function withToken(payload: Record<string, unknown>, token: string): Record<string, unknown> {
  if (isRecord(payload.header)) payload.header.token = token;
  else payload.token = token;
  return payload;
}

let callbackTypes: Set<string> | undefined;

/** The routing facts of a payload: event type, idempotency id, and whether it is a callback. */
export function describePayload(payload: Record<string, unknown>): { eventType: string | undefined; id: string | undefined; callback: boolean } {
  if (payload.schema === '2.0' && isRecord(payload.header)) {
    const eventType = typeof payload.header.event_type === 'string' ? payload.header.event_type : undefined;
    const id = typeof payload.header.event_id === 'string' ? payload.header.event_id : undefined;
    callbackTypes ??= new Set(catalog.filter((e) => e.kind === 'callback').map((e) => e.eventType));
    const callback = eventType !== undefined && callbackTypes.has(eventType);
    return { eventType, id, callback };
  }
  const eventType = isRecord(payload.event) && typeof payload.event.type === 'string' ? payload.event.type : undefined;
  return { eventType, id: typeof payload.uuid === 'string' ? payload.uuid : undefined, callback: false };
}

// freshExample: the text of freshen(loadExample(type)) without parsing and serialising the example
// on every delivery. The example is freshened once with placeholders, serialised, and cut at them.
const ID_MARK = '@@lark-emulator-fresh-id@@';
const TIME_MARK = '@@lark-emulator-fresh-time@@';
interface ExampleTemplate {
  readonly parts: readonly string[];
  /** What goes between parts[i] and parts[i + 1]: the id or the time. */
  readonly slots: ReadonlyArray<'id' | 'time'>;
  /** Where the fresh time goes: create_time (ms, 2.0) or ts (s with 3 decimals, v1). */
  readonly seconds: boolean;
  readonly meta: { eventType: string | undefined; id: string | undefined; callback: boolean };
}
const templates = new Map<string, ExampleTemplate>();

function exampleTemplate(eventType: string, options: FreshenOptions): ExampleTemplate {
  const key = `${eventType}\u0000${options.appId ?? ''}\u0000${options.verificationToken ?? ''}\u0000${options.appId === undefined}${options.verificationToken === undefined}`;
  const cached = templates.get(key);
  if (cached) return cached;
  const payload = loadExample(eventType);
  const seconds = !isRecord(payload.header) && isRecord(payload.event);
  freshen(payload, options);
  if (isRecord(payload.header)) {
    payload.header.event_id = ID_MARK;
    payload.header.create_time = TIME_MARK;
  } else if (isRecord(payload.event)) {
    payload.uuid = ID_MARK;
    payload.ts = TIME_MARK;
  }
  const meta = describePayload(payload);
  const text = JSON.stringify(payload);
  const parts: string[] = [];
  const slots: Array<'id' | 'time'> = [];
  const marks = new RegExp(`${JSON.stringify(ID_MARK)}|${JSON.stringify(TIME_MARK)}`, 'g');
  let last = 0;
  for (const m of text.matchAll(marks)) {
    parts.push(text.slice(last, m.index));
    slots.push(m[0] === JSON.stringify(ID_MARK) ? 'id' : 'time');
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  const template = { parts, slots, seconds, meta };
  templates.set(key, template);
  return template;
}

/**
 * `JSON.stringify(freshen(loadExample(eventType), options))` and that payload's describePayload,
 * without the parse and the serialisation per call.
 */
export function freshExample(eventType: string, options: FreshenOptions = {}): { text: string; meta: { eventType: string | undefined; id: string | undefined; callback: boolean } } {
  const template = exampleTemplate(eventType, { appId: options.appId, verificationToken: options.verificationToken });
  const now = options.now ?? Date.now();
  const id = randomHex(16);
  const time = JSON.stringify(template.seconds ? (now / 1000).toFixed(3) : String(now));
  const quotedId = JSON.stringify(id);
  let text = template.parts[0]!;
  for (let i = 0; i < template.slots.length; i++) text += (template.slots[i] === 'id' ? quotedId : time) + template.parts[i + 1]!;
  const meta = template.meta.id === ID_MARK ? { ...template.meta, id } : template.meta;
  return { text, meta };
}
