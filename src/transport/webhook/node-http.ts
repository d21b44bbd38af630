import { silentLogger } from '../../runtime/logger.js';
import type { WebhookOptions, WebhookHandler, WebhookTarget } from './receiver.js';
import { toWebhookHandler } from './receiver.js';
import type { CheckedResponder } from './pipeline.js';
import { checkedResponder, failureResponse } from './pipeline.js';
import type { HeadersLike, ParsedBody, WebhookResponse } from './request.js';
import { JSON_TYPE, onlyJsonType, pathOf } from './request.js';
import type { WebhookError } from './errors.js';
import { BodyCollector, readRawBody } from './raw-body.js';
import type { NodeRequestLike, NodeResponseLike } from './node-types.js';

type HeadArray = string[];
type WriteHead = (status: number, headers: HeadArray) => unknown;

// `{}` with the JSON headers: most answers. writeHead takes [name, value, ...] and does not keep the array.
const EMPTY_HEAD: HeadArray = ['content-type', JSON_TYPE, 'content-length', '2'];

export function sendNodeResponse(res: NodeResponseLike, response: WebhookResponse): void {
  if (res.headersSent) return;
  const writeHead = (res as { writeHead?: WriteHead }).writeHead;
  // One writeHead and a string end: node writes the head and the body in one send.
  if (response.status !== 413 && typeof writeHead === 'function' && onlyJsonType(response.headers)) {
    const body = response.body;
    writeHead.call(res, response.status, body === '{}' ? EMPTY_HEAD : ['content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(body, 'utf8'))]);
    (res as unknown as { end(chunk: string): unknown }).end(body);
    return;
  }
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
export async function serveNode(handler: WebhookHandler, req: NodeRequestLike, res: NodeResponseLike, path: string, source: NodeBody, respond: CheckedResponder = checkedResponder(handler)): Promise<void> {
  const meta = { method: req.method ?? 'GET', path, headers: req.headers };
  let response = handler.precheck(meta);
  if (!response) {
    try {
      const body = 'stream' in source ? await readRawBody(source.stream, handler.maxBodyBytes) : 'raw' in source ? source.raw : source;
      response = await respond({ ...meta, body });
    } catch (err) {
      response = failureResponse(err, silentLogger);
    }
  }
  sendNodeResponse(res, response);
}

export type NodeRequestHandler = (req: NodeRequestLike, res: NodeResponseLike, next?: (err?: unknown) => void) => void;

/**
 * One node:http request: what precheck reads (method, path, headers), the body collector, and
 * the answer. The hot path: one object per request, no Promise when the handler is synchronous.
 */
class NodeExchange extends BodyCollector {
  readonly method: string;
  readonly headers: HeadersLike;

  constructor(
    req: NodeRequestLike,
    private readonly res: NodeResponseLike,
    readonly path: string,
    private readonly respond: CheckedResponder,
    limit: number,
    private readonly next: ((err?: unknown) => void) | undefined,
  ) {
    super(limit);
    this.method = req.method ?? 'GET';
    this.headers = req.headers;
  }

  body(body: Uint8Array): void {
    let response: WebhookResponse | Promise<WebhookResponse>;
    try {
      response = this.respond({ method: this.method, path: this.path, headers: this.headers, body });
    } catch (err) {
      this.failed(err);
      return;
    }
    if (response instanceof Promise) response.then((r) => this.send(r), (err: unknown) => this.failed(err));
    else this.send(response);
  }

  fail(error: WebhookError): void {
    this.send(failureResponse(error, silentLogger));
  }

  send(response: WebhookResponse): void {
    try {
      sendNodeResponse(this.res, response);
    } catch (err) {
      this.failed(err);
    }
  }

  failed(err: unknown): void {
    if (this.next) this.next(err);
    else sendNodeResponse(this.res, failureResponse(err, silentLogger));
  }
}

/**
 * A node:http request listener: `http.createServer(createNodeHandler(dispatcher, options))`.
 * Used as connect-style middleware (a `next` is given) it passes requests for other paths on.
 */
export function createNodeHandler(target: WebhookTarget, options?: WebhookOptions): NodeRequestHandler {
  const handler = toWebhookHandler(target, options);
  const respond = checkedResponder(handler);
  return (req, res, next) => {
    const path = pathOf(req.url ?? '/');
    if (next && handler.path !== undefined && path !== handler.path) {
      next();
      return;
    }
    const exchange = new NodeExchange(req, res, path, respond, handler.maxBodyBytes, next);
    let response: WebhookResponse | undefined;
    try {
      response = handler.precheck(exchange);
    } catch (err) {
      exchange.failed(err);
      return;
    }
    if (response) exchange.send(response);
    else exchange.collect(req);
  };
}
