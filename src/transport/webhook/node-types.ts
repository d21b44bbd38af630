/**
 * Structural stand-ins for the node:http and framework types the adapters touch. The public
 * declarations use these instead of importing `node:http`, `express`, `koa` or `fastify`, so that
 * projects compiling without @types/node or without those frameworks still type-check the
 * package; the real objects fit them.
 */

/** A node:http IncomingMessage, or any readable request stream. */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly readableEnded: boolean;
  on<A extends unknown[]>(event: string, listener: (...args: A) => void): unknown;
  once<A extends unknown[]>(event: string, listener: (...args: A) => void): unknown;
  off<A extends unknown[]>(event: string, listener: (...args: A) => void): unknown;
}

/** A node:http ServerResponse. */
export interface NodeResponseLike {
  readonly headersSent: boolean;
  statusCode: number;
  setHeader(name: string, value: string | number): unknown;
  end(chunk: Uint8Array): unknown;
}
