import type { AllRegistrations } from '../generated/index.js';
import { catalog, rootCatalog } from './catalog.js';
import { createDispatcherClass } from './runtime/domain.js';

export type * from '../generated/index.js';
export type * from '../generated/im/content/types.js';

/** The dispatcher with every catalogued event: one typed `register_*` method each. */
export const EventDispatcher = createDispatcherClass<AllRegistrations>(rootCatalog, catalog);
export type EventDispatcher = InstanceType<typeof EventDispatcher>;

export { catalog } from './catalog.js';
export { isEventType } from './event-type.js';
export type { EventType } from './event-type.js';
export { validate, validateResponse } from './validate.js';
export type { ValidateOptions } from './validate.js';
export { DispatcherBase } from './runtime/dispatcher.js';
export type { AnyEventListener, HandlerErrorContext, HandlerErrorListener, DispatcherOptions, DispatchOutcome, DispatchResult, DispatchStatus, ValidationMode, CatalogSource } from './runtime/dispatcher.js';
export type { CatalogEntry, EventKind, Shape } from './runtime/catalog-types.js';
export type { EventHandler, CallbackHandler, HandlerContext, Transport, P1CustomizedEvent, UnknownEvent } from './runtime/handlers.js';
export type { DriftKind, IssueClass, JsonType, ValidationIssue, ValidationResult } from './runtime/validation.js';
export { formatIssue } from './runtime/validation.js';
export { parseDelivery, readDelivery, DEFAULT_MAX_JSON_DEPTH } from './runtime/delivery.js';
export type { Delivery, EventDelivery, BodyInput, DeliveryLimits } from './runtime/delivery.js';
export { MemoryIdempotencyStore, DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_MEMORY_STORE_MAX_ENTRIES } from './runtime/idempotency.js';
export type { IdempotencyStore, MemoryStoreOptions } from './runtime/idempotency.js';
export { DriftRecorder, formatDriftReport } from './runtime/drift.js';
export type { DriftReport, DriftEntry } from './runtime/drift.js';
export { IdempotencyUnavailableError, LarkEventError, MalformedBodyError } from './runtime/errors.js';
export type { Logger } from './runtime/logger.js';
export { defaultLogger, silentLogger } from './runtime/logger.js';
export { parseMessageContent } from './content/parse-message-content.js';
export type { MessageContent, MessageContentOf, KnownMessageContent, UnknownMessageContent, OtherMessageContent, EventMessageLike, ApiMessageLike } from './content/parse-message-content.js';
export { MessageContentError } from './content/errors.js';
