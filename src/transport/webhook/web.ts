import { silentLogger } from '../../runtime/logger.js';
import type { WebhookOptions, WebhookTarget } from './receiver.js';
import { toWebhookHandler } from './receiver.js';
import { checkedResponder, failureResponse } from './pipeline.js';
import type { WebhookResponse } from './request.js';
import { readWebBody } from './raw-body.js';

export type WebRequestHandler = (request: Request) => Promise<Response>;

const toResponse = (r: WebhookResponse): Response => new Response(r.body, { status: r.status, headers: r.headers });

/**
 * A Web-standard handler `(Request) => Promise<Response>` for Hono, Next.js route handlers, Bun,
 * Deno and other fetch-style servers. It uses only Web APIs for I/O; signatures and AES use
 * `node:crypto`, which Node, Bun, Deno and Cloudflare Workers (nodejs_compat) provide.
 */
export function createWebHandler(target: WebhookTarget, options?: WebhookOptions): WebRequestHandler {
  const handler = toWebhookHandler(target, options);
  const respond = checkedResponder(handler);
  return async (request) => {
    const meta = { method: request.method, path: new URL(request.url).pathname, headers: request.headers };
    const rejected = handler.precheck(meta);
    if (rejected) return toResponse(rejected);
    let body: Uint8Array;
    try {
      body = await readWebBody(request, handler.maxBodyBytes);
    } catch (err) {
      return toResponse(failureResponse(err, silentLogger));
    }
    return toResponse(await respond({ ...meta, body }));
  };
}
