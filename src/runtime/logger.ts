export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

function write(level: string, message: string, data?: Record<string, unknown>): void {
  process.stderr.write(`[lark-event-catalog] ${level} ${message}${data ? ' ' + JSON.stringify(data) : ''}\n`);
}

/** Warnings and errors to stderr; debug and info are dropped. */
export const defaultLogger: Logger = {
  debug() {},
  info() {},
  warn: (m, d) => write('warn', m, d),
  error: (m, d) => write('error', m, d),
};

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
