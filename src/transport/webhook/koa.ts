import { silentLogger } from '../../runtime/logger.js';
import type { WebhookOptions, WebhookTarget } from './receiver.js';
import { toWebhookHandler } from './receiver.js';
import { checkedResponder, failureResponse } from './pipeline.js';
import type { WebhookResponse } from './request.js';
import { pathOf } from './request.js';
import { readRawBody } from './raw-body.js';
import type { NodeRequestLike } from './node-types.js';

/** The parts of a Koa context the middleware uses (Koa 2 and 3). */
export interface KoaLikeContext {
  readonly req: NodeRequestLike;
  readonly method: string;
  readonly originalUrl: string;
  readonly request: { body?: unknown; rawBody?: unknown };
  status: number;
  body: unknown;
  set(field: string, value: string): void;
}

export type KoaMiddleware = (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void>;

function answer(ctx: KoaLikeContext, response: WebhookResponse): void {
  ctx.status = response.status;
  for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value);
  if (response.status === 413) ctx.set('connection', 'close');
  ctx.body = response.body;
}

/**
 * Koa middleware: `app.use(createKoaMiddleware(dispatcher, { path: '/webhook/event', ... }))`.
 * Reads the raw stream; after a body parser it uses `ctx.request.rawBody` (koa-bodyparser keeps
 * it) or else the parsed body, like the Express adapter.
 */
export function createKoaMiddleware(target: WebhookTarget, options?: WebhookOptions): KoaMiddleware {
  const handler = toWebhookHandler(target, options);
  const respond = checkedResponder(handler);
  return async (ctx, next) => {
    const path = pathOf(ctx.originalUrl);
    if (handler.path !== undefined && path !== handler.path) {
      await next();
      return;
    }
    const meta = { method: ctx.method, path, headers: ctx.req.headers };
    const rejected = handler.precheck(meta);
    if (rejected) return answer(ctx, rejected);
    const parsed = ctx.request.body;
    // koa-bodyparser keeps the text on request.rawBody; raw-body style parsers leave bytes in body.
    const raw = ctx.request.rawBody ?? (parsed instanceof Uint8Array || typeof parsed === 'string' ? parsed : undefined);
    try {
      const body =
        raw instanceof Uint8Array ? raw
        : typeof raw === 'string' ? Buffer.from(raw, 'utf8')
        : ctx.req.readableEnded ? { parsed }
        : await readRawBody(ctx.req, handler.maxBodyBytes);
      answer(ctx, await respond({ ...meta, body }));
    } catch (err) {
      answer(ctx, failureResponse(err, silentLogger));
    }
  };
}
