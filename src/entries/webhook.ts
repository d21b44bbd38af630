/** `lark-event-catalog/webhook`: the webhook receiver, its adapters and the Redis idempotency store. */
export {
  createWebhookHandler, webhookAnswer, createLegacyCardHandler, LEGACY_CARD_EVENT_TYPE, createMultiAppHandler,
  createWebHandler, createNodeHandler, createExpressMiddleware, captureRawBody, createKoaMiddleware, fastifyWebhook,
  RedisIdempotencyStore, AesCipher, AesKeyRing, decrypt, encrypt, encryptBody,
  computeSignature, signRequest, verifySignature, signingSecret, signatureEquals, constantTimeEqual, matchesSecret, readRawBody, readWebBody,
  WebhookError, DecryptError, SignatureError, TokenMismatchError, PayloadTooLargeError, ServerLimitError,
  applyServerLimits, nodeServerOptions, resolveServerLimits, DEFAULT_SERVER_LIMITS,
  DEFAULT_TIMESTAMP_TOLERANCE_MS, DEFAULT_MAX_BODY_BYTES as DEFAULT_WEBHOOK_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS as DEFAULT_WEBHOOK_TIMEOUT_MS, DEFAULT_WEBHOOK_MAX_CONCURRENCY, DEFAULT_MAX_JSON_DEPTH as DEFAULT_WEBHOOK_MAX_JSON_DEPTH,
} from '../transport/webhook/index.js';
export type {
  WebhookAnswer, WebhookDispatcher, WebhookHandler, WebhookStats, WebhookOptions, WebhookTarget, WebhookRequest, WebhookResponse, HeadersLike, ParsedBody,
  LegacyCardAction, LegacyCardActionHandler, LegacyCardOptions, LegacyCardResponse, DeliveryInfo, ErrorHook,
  SignatureAlgorithm, SignatureHeaders, VerifyOptions, RedisClientLike, RedisStoreOptions, RedisStoreStats, WebRequestHandler, NodeRequestHandler,
  ExpressLikeRequest, ExpressMiddleware, KoaLikeContext, KoaMiddleware, FastifyWebhookOptions, FastifyLike, NodeRequestLike, NodeResponseLike,
  AppWebhookOptions, MultiAppHandler, MultiAppOptions, MultiAppRouting, RotatingSecret,
  NodeServerLike, NodeServerOptions, ServerLimits,
} from '../transport/webhook/index.js';
