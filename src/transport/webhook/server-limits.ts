import { ServerLimitError } from './errors.js';

/**
 * Socket limits for a node:http server that receives deliveries. Node's own defaults let a client
 * hold a connection for 300 s with a body that never ends (requestTimeout) and set no connection
 * cap, so a handful of slow clients can pin a receiver. 0 turns a limit off.
 */
export interface ServerLimits {
  /** The request line and headers must arrive within this long of the connection's first byte (default 10 s). */
  headersTimeoutMs?: number | undefined;
  /** The whole request, headers and body, must arrive within this long; the handler's run is not counted (default 30 s). */
  requestTimeoutMs?: number | undefined;
  /** An idle keep-alive connection is closed after this long (default 5 s). */
  keepAliveTimeoutMs?: number | undefined;
  /** Connections open at once; further ones are closed as they arrive (default 1,000). */
  maxConnections?: number | undefined;
}

export const DEFAULT_SERVER_LIMITS: Readonly<Required<{ [K in keyof ServerLimits]: number }>> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
});

/** The `http.createServer(options)` fields these limits set; the real ServerOptions accept it. */
export interface NodeServerOptions {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  /** How often node checks the two timeouts above (its default, 30 s, would blur them). */
  connectionsCheckingInterval: number;
}

/** The node:http Server properties `applyServerLimits` sets; an http.Server or https.Server fits. */
export interface NodeServerLike {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxConnections: number;
}

function resolve(limits: ServerLimits | undefined): Required<{ [K in keyof ServerLimits]: number }> {
  const out = { ...DEFAULT_SERVER_LIMITS };
  for (const key of Object.keys(DEFAULT_SERVER_LIMITS) as (keyof ServerLimits)[]) {
    const value = limits?.[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) throw new ServerLimitError(key, `${key} must be a non-negative integer (0 turns it off): ${String(value)}`);
    out[key] = value;
  }
  // node refuses a headers timeout longer than the whole-request one.
  if (out.requestTimeoutMs > 0 && out.headersTimeoutMs > out.requestTimeoutMs) {
    throw new ServerLimitError('headersTimeoutMs', `headersTimeoutMs (${out.headersTimeoutMs}) must not exceed requestTimeoutMs (${out.requestTimeoutMs})`);
  }
  return out;
}

/** Checks the limits and fills in the defaults: what a server given these limits will use. */
export function resolveServerLimits(limits?: ServerLimits): Required<{ [K in keyof ServerLimits]: number }> {
  return resolve(limits);
}

/**
 * Options for `http.createServer(nodeServerOptions(limits), listener)`; pair with
 * `applyServerLimits` for the connection cap, which is a server property only.
 */
export function nodeServerOptions(limits?: ServerLimits): NodeServerOptions {
  const r = resolve(limits);
  const timeouts = [r.headersTimeoutMs, r.requestTimeoutMs].filter((t) => t > 0);
  const shortest = timeouts.length ? Math.min(...timeouts) : 30_000;
  return {
    headersTimeout: r.headersTimeoutMs,
    requestTimeout: r.requestTimeoutMs,
    keepAliveTimeout: r.keepAliveTimeoutMs,
    // A quarter of the shortest timeout, between 100 ms and 1 s: a timed-out client is closed at most that late.
    connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(shortest / 4))),
  };
}

/** Sets the limits on a created server (timeouts and the connection cap); returns it. */
export function applyServerLimits<S extends NodeServerLike>(server: S, limits?: ServerLimits): S {
  const r = resolve(limits);
  server.headersTimeout = r.headersTimeoutMs;
  server.requestTimeout = r.requestTimeoutMs;
  server.keepAliveTimeout = r.keepAliveTimeoutMs;
  server.maxConnections = r.maxConnections === 0 ? Infinity : r.maxConnections;
  return server;
}
