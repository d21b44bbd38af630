import type { WebhookOptions, WebhookTarget } from './receiver.js';
import { toWebhookHandler } from './receiver.js';
import { checkedResponder } from './pipeline.js';
import { pathOf } from './request.js';
import type { NodeBody } from './node-http.js';
import { serveNode } from './node-http.js';
import type { NodeRequestLike, NodeResponseLike } from './node-types.js';

/** The parts of an Express 4 or 5 request the middleware reads. */
export type ExpressLikeRequest = NodeRequestLike & { body?: unknown; rawBody?: unknown; originalUrl?: string };
export type ExpressMiddleware = (req: ExpressLikeRequest, res: NodeResponseLike, next: (err?: unknown) => void) => void;

/**
 * A `verify` hook for body parsers that keeps the exact bytes on `req.rawBody`:
 * `app.use(express.json({ verify: captureRawBody }))`.
 */
export function captureRawBody(req: object, _res: unknown, buf: Uint8Array): void {
  (req as { rawBody?: unknown }).rawBody = buf;
}

/**
 * Finds the body wherever the app left it. The signature covers the exact bytes, so in order:
 * `req.rawBody` (captureRawBody, or any middleware that keeps it); the request stream when no
 * body parser consumed it (our middleware mounted first); a Buffer or string `req.body`
 * (express.raw(), express.text()); else the parsed `req.body`, which is then verified through
 * its compact re-serialisation (see receiver.ts `reconstructedBodies`): that is exactly what the
 * platform sends for an encrypted wrapper, so encrypted deliveries verify even after a plain
 * express.json(). Bodies whose bytes differ from it fail closed (401 with a hint).
 */
export function expressBody(req: ExpressLikeRequest): NodeBody {
  const raw = req.rawBody;
  if (raw instanceof Uint8Array) return { raw };
  if (typeof raw === 'string') return { raw: Buffer.from(raw, 'utf8') };
  if (!req.readableEnded && !(req as { _body?: boolean })._body) return { stream: req };
  // express.raw() / express.text() leave the bytes themselves.
  if (req.body instanceof Uint8Array) return { raw: req.body };
  if (typeof req.body === 'string') return { raw: Buffer.from(req.body, 'utf8') };
  return { parsed: req.body };
}

/**
 * Express 4 and 5 middleware: `app.post('/webhook/event', createExpressMiddleware(dispatcher, options))`.
 * Works with or without `express.json()` mounted before it. With a `path` option it can also be
 * mounted with `app.use()`; requests for other paths go to `next()`.
 */
export function createExpressMiddleware(target: WebhookTarget, options?: WebhookOptions): ExpressMiddleware {
  const handler = toWebhookHandler(target, options);
  const respond = checkedResponder(handler);
  return (req, res, next) => {
    const path = pathOf(req.originalUrl ?? req.url ?? '/');
    if (handler.path !== undefined && path !== handler.path) {
      next();
      return;
    }
    serveNode(handler, req, res, path, expressBody(req), respond).catch(next);
  };
}
