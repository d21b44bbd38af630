import { LarkEventError } from '../../runtime/errors.js';

/**
 * Why connecting failed; `fatal` errors stop the reconnect loop. `host` names the server (never a
 * URL's query, which carries the ticket); `cause` keeps the underlying error (e.g. its `code`
 * ECONNREFUSED, ENOTFOUND, ETIMEDOUT).
 */
export class WSConnectError extends LarkEventError {
  readonly host: string | undefined;

  constructor(
    message: string,
    readonly fatal: boolean,
    readonly code?: number,
    options?: { cause?: unknown; host?: string | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.host = options?.host;
  }
}

/** An invalid `WSClient` option; `option` names it, `value` is what was given (when it is safe to show). */
export class WSOptionError extends LarkEventError {
  constructor(
    readonly option: string,
    message: string,
    readonly value?: string,
  ) {
    super(message);
  }
}

/** `host[:port]` of a URL, or undefined when it does not parse. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/** The system error code (ECONNREFUSED, ENOTFOUND, …) of an error or of its causes. */
export function systemCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

/**
 * A retryable network failure of `what` (e.g. `endpoint request`) against `url`: the message names
 * the host and the cause (with its code), never the URL's path or query; the cause is kept.
 */
export function networkError(what: string, url: string, err: unknown, timeoutMs?: number): WSConnectError {
  const host = hostOf(url);
  const to = host ? ` to ${host}` : '';
  const timedOut = err instanceof Error && err.name === 'TimeoutError';
  if (timedOut) return new WSConnectError(`${what}${to} timed out${timeoutMs !== undefined ? ` after ${timeoutMs} ms` : ''}`, false, undefined, { cause: err, host });
  const message = err instanceof Error ? err.message : String(err);
  const code = systemCode(err);
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message;
  return new WSConnectError(`${what}${to} failed: ${detail}`, false, undefined, { cause: err, host });
}
