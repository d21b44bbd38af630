import { PayloadTooLargeError, WebhookError } from './errors.js';
import type { NodeRequestLike } from './node-types.js';

/** Default body limit: 1 MiB. Real deliveries are a few KB; the largest (rich messages) stay far below. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function declaredLength(contentLength: string | null | undefined, limit: number): void {
  if (contentLength && /^\d+$/.test(contentLength) && Number(contentLength) > limit) throw new PayloadTooLargeError(limit);
}

type BodyStream = Pick<NodeRequestLike, 'on' | 'once' | 'off'>;

/**
 * Collects a node stream's bytes as Buffers and concatenates them once at the end, so a
 * multi-byte character split across chunks is never decoded half. Fails with a
 * PayloadTooLargeError (413) as soon as the limit is passed, without buffering the rest.
 *
 * One object per request holds the state and receives the outcome (`body` or `fail`); the stream
 * listeners are shared functions that find it on the stream, so reading a body allocates no
 * closures and no Promise.
 */
export abstract class BodyCollector {
  private first: Buffer | undefined = undefined;
  private rest: Buffer[] | undefined = undefined;
  private size = 0;

  constructor(readonly limit: number) {}

  /** The whole body. */
  abstract body(bytes: Uint8Array): void;
  /** Reading failed: too large (413), a stream error or an abort (400). */
  abstract fail(error: WebhookError): void;

  /** Starts reading `stream` into this collector. */
  collect(stream: BodyStream): void {
    (stream as CollectedStream)[COLLECTOR] = this;
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  }

  /** @internal */
  add(stream: BodyStream, chunk: Uint8Array | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.size += buf.length;
    if (this.size > this.limit) {
      detach(stream);
      this.fail(new PayloadTooLargeError(this.limit));
      return;
    }
    if (this.first === undefined) this.first = buf;
    else if (this.rest === undefined) this.rest = [this.first, buf];
    else this.rest.push(buf);
  }

  /** @internal */
  end(stream: BodyStream): void {
    detach(stream);
    this.body(this.rest !== undefined ? Buffer.concat(this.rest, this.size) : this.first ?? Buffer.alloc(0));
  }
}

const COLLECTOR = Symbol('lark.bodyCollector');
type CollectedStream = BodyStream & { [COLLECTOR]?: BodyCollector | undefined };

function detach(stream: BodyStream): void {
  stream.off('data', onData);
  stream.off('end', onEnd);
  stream.off('error', onError);
  stream.off('close', onClose);
  (stream as CollectedStream)[COLLECTOR] = undefined;
}

// Stream listeners run with the stream as `this`.
function onData(this: CollectedStream, chunk: Uint8Array | string): void {
  this[COLLECTOR]?.add(this, chunk);
}

function onEnd(this: CollectedStream): void {
  this[COLLECTOR]?.end(this);
}

function onError(this: CollectedStream, err: Error): void {
  const collector = this[COLLECTOR];
  if (!collector) return;
  detach(this);
  collector.fail(new WebhookError(`cannot read the body: ${err.message}`, 400));
}

function onClose(this: CollectedStream): void {
  const collector = this[COLLECTOR];
  if (!collector) return;
  detach(this);
  collector.fail(new WebhookError('request aborted before the body ended', 400));
}

class PromiseCollector extends BodyCollector {
  constructor(
    limit: number,
    private readonly resolve: (bytes: Uint8Array) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super(limit);
  }

  body(bytes: Uint8Array): void {
    this.resolve(bytes);
  }

  fail(error: WebhookError): void {
    this.reject(error);
  }
}

/** A node stream's whole body under the limit (see BodyCollector). */
export function readRawBody(stream: BodyStream, limit: number = DEFAULT_MAX_BODY_BYTES, contentLength?: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    try {
      declaredLength(contentLength, limit);
    } catch (err) {
      reject(err);
      return;
    }
    new PromiseCollector(limit, resolve, reject).collect(stream);
  });
}

/** The same for a Web `Request`: reads its stream chunk by chunk under the limit. */
export async function readWebBody(request: Request, limit: number = DEFAULT_MAX_BODY_BYTES): Promise<Uint8Array> {
  declaredLength(request.headers.get('content-length'), limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
