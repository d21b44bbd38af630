import { LarkEventError } from '../../runtime/errors.js';

/** A request the webhook rejects: carries the HTTP status and what to name in the JSON error body. */
export class WebhookError extends LarkEventError {
  constructor(
    message: string,
    readonly status: number,
    readonly detail: { readonly header?: string; readonly pointer?: string; readonly [key: string]: unknown } = {},
  ) {
    super(message);
  }

  /** The short JSON body answered to the client. */
  toBody(): Record<string, unknown> {
    return { error: this.message, ...this.detail };
  }
}

/** 400: the encrypted wrapper cannot be decrypted (bad base64, wrong key, bad padding). */
export class DecryptError extends WebhookError {
  constructor(message: string) {
    super(message, 400, { pointer: '/encrypt' });
  }
}

/** 401: a missing or wrong X-Lark-* signature header, or a timestamp outside the replay window. */
export class SignatureError extends WebhookError {
  constructor(message: string, header: string, extra: Record<string, unknown> = {}) {
    super(message, 401, { header, ...extra });
  }
}

/** 401: the body's Verification Token is missing or is not the configured one. */
export class TokenMismatchError extends WebhookError {
  constructor(pointer: string, missing: boolean, configured = 1) {
    const mismatch = configured > 1 ? `verification token mismatch: none of the ${configured} configured tokens` : 'verification token mismatch';
    super(missing ? 'verification token missing' : mismatch, 401, { pointer });
  }
}

/** 413: the body is larger than `maxBodyBytes`. */
export class PayloadTooLargeError extends WebhookError {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`, 413, { limit });
  }
}

/** An invalid server limit (`ServerLimits`); `option` names it. */
export class ServerLimitError extends LarkEventError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}
