import { LarkEventError } from '../../runtime/errors.js';

/** Why connecting failed; `fatal` errors stop the reconnect loop. */
export class WSConnectError extends LarkEventError {
  constructor(
    message: string,
    readonly fatal: boolean,
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An invalid `WSClient` option; `option` names it. */
export class WSOptionError extends LarkEventError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}
