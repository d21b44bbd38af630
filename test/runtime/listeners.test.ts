import { describe, expect, it } from 'vitest';
import { EventDispatcher, isEventType, silentLogger } from '../../src/index.js';
import type { HandlerContext, HandlerErrorContext, UnknownEvent } from '../../src/index.js';
import { catalog } from '../../generated/catalog.js';
import { example } from '../helpers.js';

const SEED = 'application.application.app_version.publish_apply_v6';
const seed = () => example('application', SEED) as Record<string, unknown>;
const quiet = { logger: silentLogger, idempotency: false as const };

describe('onAny', () => {
  it('runs after the typed handler, and also for events with no typed handler', async () => {
    const order: string[] = [];
    const d = new EventDispatcher(quiet)
      .register_p2_application_application_app_version_publish_apply_v6(() => { order.push('typed'); })
      .onAny((_e: UnknownEvent, ctx: HandlerContext) => { order.push(`any:${ctx.eventType}`); });
    expect((await d.dispatch(JSON.stringify(seed()))).status).toBe('handled');
    expect(order).toEqual(['typed', `any:${SEED}`]);
    const other = new EventDispatcher(quiet).onAny((_e, ctx) => { order.push(`only:${ctx.eventType}`); });
    expect((await other.dispatch(JSON.stringify(seed()))).status).toBe('handled');
    expect(order.at(-1)).toBe(`only:${SEED}`);
  });
});

describe('onError', () => {
  it('gets the handler failure with the delivery context, and the delivery fails', async () => {
    const seen: Array<[unknown, HandlerErrorContext]> = [];
    const boom = new Error('boom');
    const d = new EventDispatcher(quiet)
      .register_p2_application_application_app_version_publish_apply_v6(() => { throw boom; })
      .onError((e, ctx) => { seen.push([e, ctx]); });
    const body = seed() as { header: { event_id: string } };
    const outcome = await d.dispatch(JSON.stringify(body), 'webhook');
    expect(outcome.status).toBe('failed');
    expect(seen).toEqual([[boom, { transport: 'webhook', kind: 'p2', eventType: SEED, id: body.header.event_id, source: 'handler' }]]);
  });

  it('reports an onAny failure with source "any"', async () => {
    const seen: HandlerErrorContext[] = [];
    const d = new EventDispatcher(quiet).onAny(() => { throw new Error('x'); }).onError((_e, ctx) => { seen.push(ctx); });
    expect((await d.dispatch(JSON.stringify(seed()))).status).toBe('failed');
    expect(seen.map((c) => c.source)).toEqual(['any']);
  });
});

describe('isEventType', () => {
  it('accepts every catalogued type and rejects others', () => {
    for (const e of catalog) expect(isEventType(e.eventType)).toBe(true);
    expect(isEventType('im.message.receive_v2')).toBe(false);
    expect(isEventType(42)).toBe(false);
  });
});
