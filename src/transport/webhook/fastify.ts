import { LarkEventError } from '../../runtime/errors.js';
import type { WebhookDispatcher, WebhookHandler, WebhookOptions } from './receiver.js';
import { createWebhookHandler } from './receiver.js';
import type { HeadersLike, WebhookResponse } from './request.js';
import { jsonResponse } from './request.js';

export interface FastifyWebhookOptions extends Omit<WebhookOptions, 'path'> {
  /** The route, relative to the plugin's prefix. Default `/webhook/event`. */
  path?: string | undefined;
  /** The dispatcher deliveries go to; or give a ready `handler` instead. */
  dispatcher?: WebhookDispatcher | undefined;
  /** A ready handler (e.g. createLegacyCardHandler(...)); its own options apply. */
  handler?: WebhookHandler | undefined;
}

/** The parts of a Fastify request and reply the plugin uses (structural: no `fastify` type import). */
export interface FastifyRequestLike {
  readonly method: string;
  readonly headers: HeadersLike;
  readonly body?: unknown;
}
export interface FastifyReplyLike {
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  send(payload: string): unknown;
}
/** The parts of a Fastify instance the plugin uses; a FastifyInstance fits. */
export interface FastifyLike {
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (request: FastifyRequestLike, body: Uint8Array, done: (err: Error | null, body?: unknown) => void) => void,
  ): unknown;
  setErrorHandler(handler: (error: { statusCode?: number; message?: string }, request: FastifyRequestLike, reply: FastifyReplyLike) => unknown): unknown;
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
  route(options: { method: string[]; url: string; handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown> }): unknown;
}

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function send(reply: FastifyReplyLike, response: WebhookResponse): unknown {
  reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
  if (response.status === 413) reply.header('connection', 'close');
  return reply.send(response.body);
}

/**
 * A Fastify plugin serving one route: `app.register(fastifyWebhook, { dispatcher, path, encryptKey })`.
 * Inside its own encapsulation context it replaces the body parsers with one that keeps the raw
 * Buffer (the app's other routes keep theirs), answers 405/415/413 itself in the same JSON shape
 * as the other adapters, and hands the bytes to the core.
 */
export async function fastifyWebhook(fastify: FastifyLike, opts: FastifyWebhookOptions): Promise<void> {
  const { dispatcher, handler: given, path = '/webhook/event', ...options } = opts;
  let handler: WebhookHandler;
  if (given) handler = given;
  else if (dispatcher) handler = createWebhookHandler(dispatcher, options);
  else throw new LarkEventError('fastifyWebhook needs a dispatcher or a handler');

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: handler.maxBodyBytes }, (_request, body, done) => done(null, body));
  fastify.setErrorHandler((error, _request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status === 413) return send(reply, jsonResponse(413, { error: `body larger than ${handler.maxBodyBytes} bytes`, limit: handler.maxBodyBytes }));
    return send(reply, jsonResponse(status, { error: status >= 500 ? 'internal error' : (error.message ?? 'bad request') }));
  });
  // Before the body parser: a wrong method, content type or declared length is answered unread.
  fastify.addHook('onRequest', async (request, reply) => {
    const rejected = handler.precheck({ method: request.method, headers: request.headers });
    if (rejected) return send(reply, rejected);
    return undefined;
  });
  fastify.route({
    method: ALL_METHODS,
    url: path,
    handler: async (request, reply) => {
      const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
      // The route already matched the path (under any prefix): the core need not compare it again.
      return send(reply, await handler.handle({ method: request.method, headers: request.headers, body }));
    },
  });
}
