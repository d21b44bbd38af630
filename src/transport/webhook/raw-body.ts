import { PayloadTooLargeError, WebhookError } from './errors.js';
import type { NodeRequestLike } from './node-types.js';

/** Default body limit: 1 MiB. Real deliveries are a few KB; the largest (rich messages) stay far below. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function declaredLength(contentLength: string | null | undefined, limit: number): void {
  if (contentLength && /^\d+$/.test(contentLength) && Number(contentLength) > limit) throw new PayloadTooLargeError(limit);
}

/**
 * Collects a node stream's bytes as Buffers and concatenates them once at the end, so a
 * multi-byte character split across chunks is never decoded half. Rejects with a
 * PayloadTooLargeError (413) as soon as the limit is passed, without buffering the rest.
 */
export function readRawBody(stream: Pick<NodeRequestLike, 'on' | 'once' | 'off'>, limit: number = DEFAULT_MAX_BODY_BYTES, contentLength?: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    try {
      declaredLength(contentLength, limit);
    } catch (err) {
      reject(err);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Uint8Array | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += buf.length;
      if (size > limit) {
        cleanup();
        reject(new PayloadTooLargeError(limit));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new WebhookError(`cannot read the body: ${err.message}`, 400));
    };
    const onClose = () => {
      cleanup();
      reject(new WebhookError('request aborted before the body ended', 400));
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
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
