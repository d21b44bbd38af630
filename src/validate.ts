import { commonModule, loadDomain, rootCatalog } from './catalog.js';
import type { ValidateOptions } from './runtime/domain.js';
import { unroutable, validateWithModule } from './runtime/domain.js';
import type { Delivery } from './runtime/delivery.js';
import { eventTypeOf, isRecord, JsonTooDeepError, readDelivery } from './runtime/delivery.js';
import { MalformedBodyError } from './runtime/errors.js';
import type { ValidationResult } from './runtime/validation.js';
import { runValidator } from './runtime/validation.js';

export type { ValidateOptions };

function validateCommon(title: string, payload: unknown, strict: boolean): ValidationResult {
  const validator = commonModule.validators[title];
  if (!validator) return unroutable(undefined, `no validator for ${title}`);
  return runValidator(validator, commonModule.shapes[title], payload, strict, undefined, { unknown: true });
}

/**
 * Validates any payload the platform sends against its schema: events and callbacks by their event
 * type, and the challenge and the encrypted wrapper by their shapes. Loads only the domain needed.
 */
export async function validate(payload: unknown, options: ValidateOptions = {}): Promise<ValidationResult> {
  const strict = options.strict ?? false;
  // The same reader the transports use (nesting depth, envelope kind); a body it cannot read is
  // routed leniently below so that its schema names what is wrong.
  let delivery: Delivery | undefined;
  try {
    if (typeof payload === 'object' && payload !== null) delivery = readDelivery(payload);
  } catch (err) {
    if (err instanceof JsonTooDeepError) return unroutable(undefined, err.message);
    if (!(err instanceof MalformedBodyError)) throw err;
  }
  if (delivery?.kind === 'challenge' || (isRecord(payload) && payload.type === 'url_verification')) return validateCommon('UrlVerification', payload, strict);
  if (delivery?.kind === 'encrypted' || (isRecord(payload) && 'encrypt' in payload)) return validateCommon('EncryptedBody', payload, strict);
  const route = delivery?.kind === 'p1' || delivery?.kind === 'p2' ? { eventType: delivery.eventType, kind: delivery.kind } : eventTypeOf(payload);
  if (!route) {
    const envelope = isRecord(payload) && payload.schema === '2.0' ? 'EnvelopeV2' : isRecord(payload) && 'uuid' in payload ? 'EnvelopeV1' : undefined;
    if (envelope) {
      const r = validateCommon(envelope, payload, strict);
      if (!r.valid) return r;
    }
    return unroutable(undefined, 'payload is neither a schema 2.0 event, a v1 event, a challenge nor an encrypted wrapper');
  }
  const entry = rootCatalog.lookup(route.eventType, route.kind);
  if (!entry) return unroutable(route.eventType, `no schema for event type "${route.eventType}"`);
  return validateWithModule(entry, await loadDomain(entry.domain), payload, options);
}

/** Validates a callback handler's answer (toast, card, inline preview) against its response schema. */
export async function validateResponse(eventType: string, response: unknown, options: ValidateOptions = {}): Promise<ValidationResult> {
  const entry = rootCatalog.lookup(eventType, 'p2');
  if (!entry || entry.kind !== 'callback') return unroutable(eventType, `"${eventType}" is not a catalogued callback`);
  const module = await loadDomain(entry.domain);
  const validator = module.responseValidators[eventType];
  if (!validator) return unroutable(eventType, `no response schema for "${eventType}"`);
  return runValidator(validator, module.responseShapes[eventType], response, options.strict ?? false, eventType, { response: true });
}
