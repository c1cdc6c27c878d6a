/** Minimal structured logger the broker writes through; the CLI supplies a real one. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Logs to stderr as one JSON line per event; debug is dropped unless `debug` is set. */
export function consoleLogger(opts: { debug?: boolean } = {}): Logger {
  const emit = (level: string) => (msg: string, fields?: Record<string, unknown>): void => {
    process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);
  };
  return { debug: opts.debug === true ? emit('debug') : () => {}, info: emit('info'), warn: emit('warn'), error: emit('error') };
}
