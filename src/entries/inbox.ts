/** `lark-event-catalog/inbox`: the durable inbox on BullMQ + Redis (needs the optional peers bullmq and ioredis). */
export * from '../inbox/index.js';
