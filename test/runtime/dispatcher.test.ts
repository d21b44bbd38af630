import { describe, expect, it, vi } from 'vitest';
import { EventDispatcher, MemoryIdempotencyStore, silentLogger } from '../../src/index.js';
import type { HandlerContext, Logger, P1Message, P2ApplicationApplicationAppVersionPublishApplyV6, P2CardActionTrigger } from '../../src/index.js';
import { example } from '../helpers.js';
import type { DispatchOutcome } from '../../src/index.js';
import { webhookAnswer } from '../../src/transport/webhook/answer.js';
import { wsAnswer } from '../../src/transport/ws/answer.js';
import { IdempotencyUnavailableError } from '../../src/index.js';
import type { IdempotencyStore } from '../../src/index.js';

/** The outcome with the HTTP answer the webhook gives it (the dispatcher itself knows no HTTP). */
const http = (o: DispatchOutcome) => {
  const a = webhookAnswer(o);
  return { ...o, httpStatus: a.status, body: a.body };
};

const SEED = 'application.application.app_version.publish_apply_v6';
const seed = () => example('application', SEED) as unknown as P2ApplicationApplicationAppVersionPublishApplyV6;
const quiet = { logger: silentLogger };

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

describe('EventDispatcher.dispatch', () => {
  it('routes a schema 2.0 event by header.event_type and hands over the envelope whole', async () => {
    const seen: Array<[P2ApplicationApplicationAppVersionPublishApplyV6, HandlerContext]> = [];
    const d = new EventDispatcher(quiet).register_p2_application_application_app_version_publish_apply_v6((e, ctx) => { seen.push([e, ctx]); });
    const body = seed();
    const result = http(await d.dispatch(JSON.stringify(body)));
    expect(result).toMatchObject({ status: 'handled', kind: 'p2', eventType: SEED, id: body.header.event_id, httpStatus: 200 });
    expect(seen).toHaveLength(1);
    const [event, ctx] = seen[0]!;
    expect(event).toEqual(body);
    expect(event.header.token).toBe(body.header.token);
    expect(event.event.online_version?.scopes?.[0]?.level).toBe(1);
    expect(ctx).toEqual({ transport: 'direct', kind: 'p2', eventType: SEED, id: body.header.event_id });
  });

  it('accepts bytes, text and parsed objects alike', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher({ ...quiet, idempotency: false }).register_p2_application_application_app_version_publish_apply_v6(handler);
    const text = JSON.stringify(seed());
    await d.dispatch(new TextEncoder().encode(text));
    await d.dispatch(text);
    await d.dispatch(JSON.parse(text) as Record<string, unknown>);
    expect(handler).toHaveBeenCalledTimes(3);
  });

  it('routes v1 events by event.type, keeping uuid/token/ts/type apart from the body', async () => {
    const seen: P1Message[] = [];
    const d = new EventDispatcher(quiet).register_p1_message((e) => { seen.push(e); });
    const body = example('v1', 'message');
    const result = await d.dispatch(body);
    expect(result).toMatchObject({ status: 'handled', kind: 'p1', eventType: 'message', id: body.uuid });
    expect(seen[0]?.type).toBe('event_callback');
    expect(seen[0]?.event.type).toBe('message');
  });

  it('handles v1 keys the catalog does not type through register_p1_customized_event', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher(quiet).register_p1_customized_event('brand_new_key', handler);
    const body = { uuid: 'u1', token: 't', ts: '1700000000', type: 'event_callback', event: { type: 'brand_new_key', app_id: 'cli_x', foo: 1 } };
    expect((await d.dispatch(body)).status).toBe('handled');
    expect(handler.mock.calls[0]?.[0]).toEqual(body);
  });

  it('answers the URL-verification challenge', async () => {
    const result = http(await new EventDispatcher(quiet).dispatch({ challenge: 'abc', token: 't', type: 'url_verification' }));
    expect(result).toMatchObject({ status: 'challenge', httpStatus: 200, body: { challenge: 'abc' } });
  });

  it('rejects bodies that are not deliveries, naming what is wrong, and dispatches nothing', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher(quiet).onUnknown(handler);
    const cases: Array<[string | Record<string, unknown>, RegExp]> = [
      ['{"schema":', /not valid JSON/],
      ['[1,2]', /JSON object/],
      [{ schema: '2.0', header: {}, event: {} }, /header\.event_type/],
      [{ schema: '2.0', header: { event_type: 'x' } }, /"event" object/],
      [{ hello: 'world' }, /neither/],
      [{ encrypt: 'abcd' }, /encrypted/],
    ];
    for (const [body, message] of cases) {
      const r = http(await d.dispatch(body));
      expect(r.status).toBe('malformed');
      expect(r.httpStatus).toBe(400);
      expect(String(r.body.error)).toMatch(message);
    }
    expect(http(await d.dispatch(new Uint8Array([0x7b, 0xff, 0x7d])))).toMatchObject({ status: 'malformed', body: { error: 'body is not valid UTF-8' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('returns a callback handler’s typed response as the answer body', async () => {
    const d = new EventDispatcher(quiet).register_p2_card_action_trigger((e: P2CardActionTrigger) => ({
      toast: { type: 'success' as const, content: `clicked ${e.event.action.tag ?? ''}` },
    }));
    const r = http(await d.dispatch(example('callback', 'card.action.trigger')));
    expect(r).toMatchObject({ status: 'handled', kind: 'callback', httpStatus: 200, body: { toast: { type: 'success', content: 'clicked button' } } });
  });

  it('answers {} for a callback handler that returns nothing', async () => {
    const d = new EventDispatcher(quiet).register_p2_url_preview_get(() => undefined as never);
    const r = http(await d.dispatch(example('callback', 'url.preview.get')));
    expect(r.status).toBe('handled');
    expect(r.body).toEqual({});
  });

  it('runs a redelivered callback again, so that its answer is sent again', async () => {
    let n = 0;
    const d = new EventDispatcher(quiet).register_p2_card_action_trigger(() => ({ toast: { type: 'info' as const, content: `answer ${++n}` } }));
    const body = example('callback', 'card.action.trigger');
    expect(http(await d.dispatch(body)).body).toEqual({ toast: { type: 'info', content: 'answer 1' } });
    const again = http(await d.dispatch(body));
    expect(again.status).toBe('handled');
    expect(again.body).toEqual({ toast: { type: 'info', content: 'answer 2' } });
  });

  it('rejects a callback response that breaks its schema when validation is reject', async () => {
    const d = new EventDispatcher({ ...quiet, validation: 'reject' }).register_p2_card_action_trigger(
      () => ({ toast: { type: 'loud' } }) as never,
    );
    const r = http(await d.dispatch(example('callback', 'card.action.trigger')));
    expect(r.status).toBe('failed');
    expect(r.httpStatus).toBe(500);
    expect(r.errors?.[0]).toMatchObject({ pointer: '/toast/type', keyword: 'enum' });
  });
});

describe('validation policy', () => {
  const bad = () => {
    const b = seed();
    (b.event.online_version!.scopes![0] as { level: unknown }).level = '1';
    return b;
  };

  it('reject: answers 400 with the JSON pointer and does not call the handler', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher({ ...quiet, validation: 'reject' }).register_p2_application_application_app_version_publish_apply_v6(handler);
    const r = http(await d.dispatch(bad()));
    expect(r.status).toBe('invalid');
    expect(r.httpStatus).toBe(400);
    expect(r.errors?.map((e) => e.pointer)).toContain('/event/online_version/scopes/0/level');
    expect(handler).not.toHaveBeenCalled();
  });

  it('warn: logs the problem and still dispatches', async () => {
    const logger = recordingLogger();
    const handler = vi.fn();
    const d = new EventDispatcher({ logger, validation: 'warn' }).register_p2_application_application_app_version_publish_apply_v6(handler);
    expect((await d.dispatch(bad())).status).toBe('handled');
    expect(handler).toHaveBeenCalledOnce();
    expect(logger.warnings.join('\n')).toMatch(/does not match its schema/);
  });

  it('off: neither validates nor logs', async () => {
    const logger = recordingLogger();
    const d = new EventDispatcher({ logger, validation: 'off' }).register_p2_application_application_app_version_publish_apply_v6(() => {});
    expect((await d.dispatch(bad())).status).toBe('handled');
    expect(logger.warnings).toEqual([]);
  });

  it('strict rejects unknown properties anywhere; the default accepts them', async () => {
    const extra = seed() as unknown as { event: { online_version: { ability: Record<string, unknown> } } };
    extra.event.online_version.ability.brand_new = true;
    const lenient = new EventDispatcher({ ...quiet, validation: 'reject' }).register_p2_application_application_app_version_publish_apply_v6(() => {});
    expect((await lenient.dispatch(extra as never)).status).toBe('handled');
    const strict = new EventDispatcher({ ...quiet, validation: 'reject', strict: true }).register_p2_application_application_app_version_publish_apply_v6(() => {});
    const r = await strict.dispatch(extra as never);
    expect(r.status).toBe('invalid');
    expect(r.errors).toEqual([expect.objectContaining({ pointer: '/event/online_version/ability/brand_new', keyword: 'unknownProperty' })]);
  });
});

describe('unknown event types', () => {
  const unknown = { schema: '2.0', header: { event_id: 'e1', event_type: 'brand.new.event_v9', create_time: '1', token: 't', app_id: 'cli_1' }, event: { x: 1 } };

  it('go to the catch-all handler when one is set', async () => {
    const handler = vi.fn();
    const r = await new EventDispatcher(quiet).onUnknown(handler).dispatch(unknown);
    expect(r.status).toBe('handled');
    expect(handler.mock.calls[0]?.[0]).toEqual(unknown);
  });

  it('are acknowledged and logged once per type otherwise', async () => {
    const logger = recordingLogger();
    const d = new EventDispatcher({ logger });
    expect(http(await d.dispatch(unknown))).toMatchObject({ status: 'ignored', httpStatus: 200 });
    await d.dispatch(unknown);
    expect(logger.warnings.filter((w) => w.includes('brand.new.event_v9'))).toHaveLength(1);
  });

  it('are ignored silently with unhandled: ignore', async () => {
    const logger = recordingLogger();
    await new EventDispatcher({ logger, unhandled: 'ignore' }).dispatch(unknown);
    expect(logger.warnings).toEqual([]);
  });
});

describe('idempotency', () => {
  it('is on by default, in memory', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher(quiet).register_p2_application_application_app_version_publish_apply_v6(handler);
    await d.dispatch(seed());
    expect((await d.dispatch(seed())).status).toBe('duplicate');
    expect(handler).toHaveBeenCalledOnce();
  });

  it('can be turned off', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher({ ...quiet, idempotency: false }).register_p2_application_application_app_version_publish_apply_v6(handler);
    await d.dispatch(seed());
    expect((await d.dispatch(seed())).status).toBe('handled');
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('dispatches an event_id once and acknowledges the duplicate', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher({ ...quiet, idempotency: new MemoryIdempotencyStore() }).register_p2_application_application_app_version_publish_apply_v6(handler);
    const body = seed();
    expect((await d.dispatch(body)).status).toBe('handled');
    expect(http(await d.dispatch(body))).toMatchObject({ status: 'duplicate', httpStatus: 200 });
    expect(handler).toHaveBeenCalledOnce();
  });

  it('does not mark a failed delivery as seen: the retry runs the handler again', async () => {
    let calls = 0;
    const d = new EventDispatcher({ ...quiet, idempotency: new MemoryIdempotencyStore() }).register_p2_application_application_app_version_publish_apply_v6(() => {
      calls++;
      if (calls === 1) throw new Error('database down');
    });
    const body = seed();
    expect(http(await d.dispatch(body))).toMatchObject({ status: 'failed', httpStatus: 500 });
    expect((await d.dispatch(body)).status).toBe('handled');
    expect(calls).toBe(2);
  });

  it('answers a delivery that is still being handled elsewhere with a retryable status', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => { release = r; });
    const d = new EventDispatcher({ ...quiet, idempotency: new MemoryIdempotencyStore() }).register_p2_application_application_app_version_publish_apply_v6(() => gate);
    const body = seed();
    const first = d.dispatch(body);
    const second = http(await d.dispatch(body));
    expect(second.status).toBe('pending');
    expect(second.httpStatus).toBeGreaterThanOrEqual(400);
    release();
    expect((await first).status).toBe('handled');
  });
});

describe('idempotency store faults', () => {
  /** A memory store whose steps can be made to throw. */
  function faultyStore(fail: { claim?: unknown; complete?: unknown; release?: unknown }): IdempotencyStore & { calls: string[] } {
    const inner = new MemoryIdempotencyStore();
    const calls: string[] = [];
    const step = (name: 'claim' | 'complete' | 'release') => async (key: string) => {
      calls.push(`${name} ${key}`);
      if (fail[name] !== undefined) throw fail[name];
      return inner[name](key);
    };
    return { calls, claim: step('claim') as IdempotencyStore['claim'], complete: step('complete') as IdempotencyStore['complete'], release: step('release') as IdempotencyStore['release'] };
  }

  it('fails closed when a claim cannot be answered: unavailable (503 / code 500), the handler not run', async () => {
    const handler = vi.fn();
    const logger = recordingLogger();
    const store = faultyStore({ claim: new IdempotencyUnavailableError('Redis idempotency store unreachable: retry later') });
    const d = new EventDispatcher({ logger, idempotency: store }).register_p2_application_application_app_version_publish_apply_v6(handler);
    const body = seed();
    const outcome = await d.dispatch(body);
    expect(http(outcome)).toMatchObject({ status: 'unavailable', id: body.header.event_id, httpStatus: 503, body: { error: 'idempotency store unavailable, retry later' } });
    expect(wsAnswer(outcome)).toEqual({ code: 500 });
    expect(outcome.error).toBeInstanceOf(IdempotencyUnavailableError);
    expect(handler).not.toHaveBeenCalled();
    expect(store.calls).toEqual([`claim p2:${body.header.event_id}`]);
    // The store reports its outage itself; the dispatcher does not warn per delivery for it.
    expect(logger.warnings).toEqual([]);

    // Anything else a store throws is also fail-closed, and logged.
    const other = new EventDispatcher({ logger, idempotency: faultyStore({ claim: new Error('ECONNREFUSED') }) }).register_p2_application_application_app_version_publish_apply_v6(handler);
    expect(http(await other.dispatch(seed()))).toMatchObject({ status: 'unavailable', httpStatus: 503 });
    expect(handler).not.toHaveBeenCalled();
    expect(logger.warnings).toEqual([expect.stringMatching(/idempotency store unavailable/)]);
  });

  it('a complete that throws does not turn a handler success into a failure (that would run it again)', async () => {
    const handler = vi.fn();
    const logger = recordingLogger();
    const store = faultyStore({ complete: new Error('READONLY You cannot write against a read only replica') });
    const d = new EventDispatcher({ logger, idempotency: store }).register_p2_application_application_app_version_publish_apply_v6(handler);
    const body = seed();
    expect(http(await d.dispatch(body))).toMatchObject({ status: 'handled', httpStatus: 200 });
    expect(handler).toHaveBeenCalledOnce();
    expect(store.calls).toEqual([`claim p2:${body.header.event_id}`, `complete p2:${body.header.event_id}`]);
    expect(logger.warnings).toEqual([expect.stringMatching(/complete .* failed/)]);
  });

  it('a release that throws keeps the failure a failure', async () => {
    const logger = recordingLogger();
    const d = new EventDispatcher({ logger, idempotency: faultyStore({ release: new Error('timeout') }) }).register_p2_application_application_app_version_publish_apply_v6(() => {
      throw new Error('handler broke');
    });
    expect(http(await d.dispatch(seed()))).toMatchObject({ status: 'failed', httpStatus: 500 });
    expect(logger.warnings).toEqual([expect.stringMatching(/release .* failed/), expect.stringMatching(/handler .* failed/)]);
  });
});

describe('MemoryIdempotencyStore', () => {
  it('takes its bounds from the dispatcher options: an options object instead of a store', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher({ ...quiet, idempotency: { maxEntries: 2, ttlMs: 60_000 } }).register_p2_application_application_app_version_publish_apply_v6(handler);
    const [a, b, c] = [seed(), seed(), seed()];
    a.header.event_id = 'evt-a';
    b.header.event_id = 'evt-b';
    c.header.event_id = 'evt-c';
    for (const body of [a, b, a]) await d.dispatch(body);
    expect(handler).toHaveBeenCalledTimes(2);
    // A third id pushes the oldest out of the 2 remembered: its late retry runs again.
    await d.dispatch(c);
    expect((await d.dispatch(b)).status).toBe('duplicate');
    expect((await d.dispatch(a)).status).toBe('handled');
    expect(handler).toHaveBeenCalledTimes(4);
  });

  it('refuses bounds that are not positive numbers, naming the option', () => {
    expect(() => new MemoryIdempotencyStore({ maxEntries: 0 })).toThrow(/maxEntries must be a positive number, got 0/);
    expect(() => new EventDispatcher({ idempotency: { ttlMs: Number.NaN } })).toThrow(/ttlMs must be a positive number/);
  });


  it('forgets keys after the TTL and keeps at most maxEntries', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ ttlMs: 1000, maxEntries: 2, now: () => now });
    await store.claim('a');
    await store.complete('a');
    expect(await store.claim('a')).toBe('done');
    now = 1001;
    expect(await store.claim('a')).toBe('claimed');
    await store.claim('b');
    await store.claim('c');
    expect(store.size).toBe(2);
    expect(await store.claim('a')).toBe('claimed');
  });
});

describe('registration', () => {
  it('refuses a second handler for the same event and a non-function', () => {
    const d = new EventDispatcher(quiet).register_p1_message(() => {});
    expect(() => d.register_p1_message(() => {})).toThrow(/already registered/);
    expect(() => new EventDispatcher(quiet).register_p1_message('nope' as never)).toThrow(TypeError);
  });

  it('has one register method per catalogued event, named as in the catalog', async () => {
    const { catalog } = await import('../../src/index.js');
    const d = new EventDispatcher(quiet) as unknown as Record<string, unknown>;
    for (const e of catalog) expect(typeof d[e.registerMethod], e.registerMethod).toBe('function');
  });
});

describe('drift recording', () => {
  it('reports properties real payloads carry that the schema does not know', async () => {
    const d = new EventDispatcher({ ...quiet, recordDrift: true }).register_p2_application_application_app_version_publish_apply_v6(() => {});
    const body = seed() as unknown as { header: Record<string, unknown>; event: { online_version: { scopes: Array<Record<string, unknown>> } } };
    body.header.new_header_key = 'x';
    body.event.online_version.scopes[0]!.weight = 3;
    await d.dispatch(body as never);
    await d.dispatch(body as never);
    const report = d.driftReport()[SEED];
    expect(report?.map((e) => [e.pointer, e.count])).toEqual([
      ['/event/online_version/scopes/*/weight', 2],
      ['/header/new_header_key', 2],
    ]);
  });
});

describe('validation classes under reject', () => {
  const RECEIVE = 'im.message.receive_v1';
  type Receive = { header?: unknown; event: { message: unknown; sender: Record<string, unknown> } };
  const receive = () => example('im', RECEIVE) as unknown as Receive;
  const dispatcher = (handler: () => void) => new EventDispatcher({ ...quiet, validation: 'reject', recordDrift: true }).register_p2_im_message_receive_v1(handler);

  it('dispatches a delivery with a new enum value or an unknown property and records the drift', async () => {
    const handler = vi.fn();
    const d = dispatcher(handler);
    const enumDrift = receive();
    (enumDrift.event.message as Record<string, unknown>).chat_type = 'topic_group';
    const propertyDrift = receive();
    (propertyDrift.header as Record<string, unknown>).event_id = 'another-id';
    (propertyDrift.event.message as Record<string, unknown>).brand_new = { x: 1 };
    expect((await d.dispatch(enumDrift as never)).status).toBe('handled');
    expect((await d.dispatch(propertyDrift as never)).status).toBe('handled');
    expect(handler).toHaveBeenCalledTimes(2);
    expect(d.driftReport()[RECEIVE]?.map((e) => [e.pointer, e.drift, e.types, e.count])).toEqual([
      ['/event/message/brand_new', 'property', ['object'], 1],
      ['/event/message/chat_type', 'enum', ['string'], 1],
    ]);
  });

  it('strict rejects the same drift, naming its class', async () => {
    const d = new EventDispatcher({ ...quiet, validation: 'reject', strict: true }).register_p2_im_message_receive_v1(() => {});
    const p = receive();
    (p.event.message as Record<string, unknown>).chat_type = 'topic_group';
    const r = await d.dispatch(p as never);
    expect(r.status).toBe('invalid');
    expect(r.errors).toEqual([expect.objectContaining({ pointer: '/event/message/chat_type', class: 'drift', drift: 'enum' })]);
  });

  it('rejects a delivery whose header is missing, naming /header', async () => {
    const handler = vi.fn();
    const p = receive();
    delete p.header;
    const r = http(await dispatcher(handler).dispatch(p as never));
    expect(r.status).toBe('malformed');
    expect(r.httpStatus).toBe(400);
    expect((r.error as { pointer?: string }).pointer).toBe('/header');
    expect(handler).not.toHaveBeenCalled();
  });

  it('rejects a delivery whose event.message is a string, naming /event/message as a contradiction', async () => {
    const handler = vi.fn();
    const p = receive();
    p.event.message = 'not an object';
    const r = http(await dispatcher(handler).dispatch(p as never));
    expect(r.status).toBe('invalid');
    expect(r.httpStatus).toBe(400);
    expect(r.errors).toEqual([expect.objectContaining({ pointer: '/event/message', class: 'contradiction', expected: 'object' })]);
    expect(JSON.stringify(r.body)).toContain('/event/message');
    expect(handler).not.toHaveBeenCalled();
  });

  it('records drift with validation off, and dispatches', async () => {
    const d = new EventDispatcher({ ...quiet, validation: 'off', recordDrift: true }).register_p2_im_message_receive_v1(() => {});
    const p = receive();
    p.event.sender.sender_type = 'app';
    expect((await d.dispatch(p as never)).status).toBe('handled');
    expect(d.driftReport()[RECEIVE]?.map((e) => [e.pointer, e.drift])).toEqual([['/event/sender/sender_type', 'enum']]);
  });
});

describe('dispatchNow', () => {
  let n = 0;
  /** The seed with an event_id of its own. */
  const fresh = () => {
    const body = seed();
    body.header.event_id = `dispatch-now-${++n}`;
    return body;
  };

  it('answers without a Promise when the validators are loaded, the store is the in-memory one and the handler is synchronous', async () => {
    const handler = vi.fn();
    const d = new EventDispatcher(quiet).register_p2_application_application_app_version_publish_apply_v6(handler);
    // The first delivery loads the domain's validators: a Promise, with the same outcome dispatch gives.
    const first = d.dispatchNow(fresh());
    expect(first).toBeInstanceOf(Promise);
    expect((await first).status).toBe('handled');
    const body = fresh();
    const outcome = d.dispatchNow(body);
    expect(outcome).not.toBeInstanceOf(Promise);
    expect(outcome).toEqual({ status: 'handled', kind: 'p2', eventType: SEED, id: body.header.event_id });
    expect(d.dispatchNow(body)).toEqual({ status: 'duplicate', kind: 'p2', eventType: SEED, id: body.header.event_id });
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('falls back to a Promise for an async handler, an async onAny listener and a store whose methods are overridden', async () => {
    const order: string[] = [];
    const d = new EventDispatcher(quiet)
      .register_p2_application_application_app_version_publish_apply_v6(async () => { order.push('handler'); })
      .onAny(async () => { order.push('any'); });
    await d.dispatch(fresh());
    const pending = d.dispatchNow(fresh());
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).status).toBe('handled');
    expect(order).toEqual(['handler', 'any', 'handler', 'any']);

    class CountingStore extends MemoryIdempotencyStore {
      claims = 0;
      override async claim(key: string) {
        this.claims++;
        return super.claim(key);
      }
    }
    const store = new CountingStore();
    const e = new EventDispatcher({ ...quiet, idempotency: store }).register_p2_application_application_app_version_publish_apply_v6(() => undefined);
    await e.dispatch(fresh());
    const viaStore = e.dispatchNow(fresh());
    expect(viaStore).toBeInstanceOf(Promise);
    expect((await viaStore).status).toBe('handled');
    expect(store.claims).toBe(2);
  });

  it('reports a synchronous throw like dispatch: failed, the key released for the retry', async () => {
    let calls = 0;
    const d = new EventDispatcher(quiet).register_p2_application_application_app_version_publish_apply_v6(() => {
      calls++;
      if (calls === 2) throw new Error('database down');
    });
    await d.dispatch(fresh());
    const body = fresh();
    const failed = await d.dispatchNow(body);
    expect(failed).toMatchObject({ status: 'failed', kind: 'p2', eventType: SEED, id: body.header.event_id });
    expect((failed.error as Error).message).toBe('database down');
    expect(d.dispatchNow(body)).toMatchObject({ status: 'handled' });
    expect(calls).toBe(3);
  });
});
