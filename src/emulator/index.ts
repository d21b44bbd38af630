export { startEmulator, PLATFORM_REDELIVERY_SCHEDULE_MS, WS_PATH } from './server.js';
export type {
  Emulator,
  EmulatorApp,
  EmulatorOptions,
  EmulatorSettings,
  EmulatorStats,
  EmulatorEvents,
  TriggerOptions,
  TriggerAnswer,
  ConnectionInfo,
  PingInfo,
  AnswerInfo,
  Via,
} from './server.js';
export { loadExample, freshen, hasExample, schemasDir, describePayload } from './examples.js';
export type { FreshenOptions } from './examples.js';
