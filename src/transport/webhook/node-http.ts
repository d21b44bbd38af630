import { silentLogger } from '../../runtime/logger.js';
import type { WebhookOptions, WebhookHandler, WebhookTarget } from './receiver.js';
import { toWebhookHandler } from './receiver.js';
import { failureResponse } from './pipeline.js';
import type { ParsedBody, WebhookResponse } from './request.js';
import { pathOf } from './request.js';
import { readRawBody } from './raw-body.js';
import type { NodeRequestLike, NodeResponseLike } from './node-types.js';

export function sendNodeResponse(res: NodeResponseLike, response: WebhookResponse): void {
  if (res.headersSent) return;
  const body = Buffer.from(response.body, 'utf8');
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.setHeader('content-length', body.length);
  // The rest of a rejected body is not read: close the connection rather than drain it.
  if (response.status === 413) res.setHeader('connection', 'close');
  res.end(body);
}

/** Where a node-based framework left the body: untouched in the stream, as raw bytes, or parsed only. */
export type NodeBody = { readonly stream: NodeRequestLike } | { readonly raw: Uint8Array } | ParsedBody;

/** Runs one node request through a handler: prechecks, reads the body under the limit, answers. */
export async function serveNode(handler: WebhookHandler, req: NodeRequestLike, res: NodeResponseLike, path: string, source: NodeBody): Promise<void> {
  const meta = { method: req.method ?? 'GET', path, headers: req.headers };
  let response = handler.precheck(meta);
  if (!response) {
    try {
      const body = 'stream' in source ? await readRawBody(source.stream, handler.maxBodyBytes) : 'raw' in source ? source.raw : source;
      response = await handler.handle({ ...meta, body });
    } catch (err) {
      response = failureResponse(err, silentLogger);
    }
  }
  sendNodeResponse(res, response);
}

export type NodeRequestHandler = (req: NodeRequestLike, res: NodeResponseLike, next?: (err?: unknown) => void) => void;

/**
 * A node:http request listener: `http.createServer(createNodeHandler(dispatcher, options))`.
 * Used as connect-style middleware (a `next` is given) it passes requests for other paths on.
 */
export function createNodeHandler(target: WebhookTarget, options?: WebhookOptions): NodeRequestHandler {
  const handler = toWebhookHandler(target, options);
  return (req, res, next) => {
    const path = pathOf(req.url ?? '/');
    if (next && handler.path !== undefined && path !== handler.path) {
      next();
      return;
    }
    serveNode(handler, req, res, path, { stream: req }).catch((err: unknown) => {
      if (next) next(err);
      else sendNodeResponse(res, failureResponse(err, silentLogger));
    });
  };
}
