/** `lark-event-catalog/webhook`: the webhook receiver, its adapters and the Redis idempotency store. */
export {
  createWebhookHandler, webhookAnswer, createLegacyCardHandler, LEGACY_CARD_EVENT_TYPE,
  createWebHandler, createNodeHandler, createExpressMiddleware, captureRawBody, createKoaMiddleware, fastifyWebhook,
  RedisIdempotencyStore, AesCipher, decrypt, encrypt, encryptBody,
  computeSignature, signRequest, verifySignature, signatureEquals, constantTimeEqual, readRawBody, readWebBody,
  WebhookError, DecryptError, SignatureError, TokenMismatchError, PayloadTooLargeError,
  DEFAULT_TIMESTAMP_TOLERANCE_MS, DEFAULT_MAX_BODY_BYTES as DEFAULT_WEBHOOK_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS as DEFAULT_WEBHOOK_TIMEOUT_MS, DEFAULT_WEBHOOK_MAX_CONCURRENCY, DEFAULT_MAX_JSON_DEPTH as DEFAULT_WEBHOOK_MAX_JSON_DEPTH,
} from '../transport/webhook/index.js';
export type {
  WebhookAnswer, WebhookDispatcher, WebhookHandler, WebhookStats, WebhookOptions, WebhookTarget, WebhookRequest, WebhookResponse, HeadersLike, ParsedBody,
  LegacyCardAction, LegacyCardActionHandler, LegacyCardOptions, LegacyCardResponse, DeliveryInfo, ErrorHook,
  SignatureAlgorithm, SignatureHeaders, VerifyOptions, RedisClientLike, RedisStoreOptions, WebRequestHandler, NodeRequestHandler,
  ExpressLikeRequest, ExpressMiddleware, KoaLikeContext, KoaMiddleware, FastifyWebhookOptions, FastifyLike, NodeRequestLike, NodeResponseLike,
} from '../transport/webhook/index.js';
