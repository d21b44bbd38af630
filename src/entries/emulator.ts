/** `lark-event-catalog/emulator`: a local Open Platform for tests and demos. */
export * from '../emulator/index.js';
