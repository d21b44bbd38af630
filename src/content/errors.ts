import { LarkEventError } from '../runtime/errors.js';

/** A message's `content` that is not valid JSON, or that contradicts the schema of its message type. */
export class MessageContentError extends LarkEventError {
  constructor(
    /** The message's message_type (msg_type in API responses). */
    readonly messageType: string,
    /** JSON pointer into the parsed content ('' for the content as a whole). */
    readonly pointer: string,
    /** What is wrong there. */
    readonly reason: string,
  ) {
    super(`${messageType} message content at ${pointer || '/'}: ${reason}`);
  }
}
