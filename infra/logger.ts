/**
 * Structured JSON logs, one object per line. In Lambda, stdout lines land in CloudWatch Logs
 * and are queryable with Logs Insights; locally they are readable with `jq`.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function serializeError(err: unknown): unknown {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return err;
}

export function createLogger(
  base: Record<string, unknown> = {},
  level: string = process.env.LOG_LEVEL ?? 'info',
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Logger {
  const threshold = ORDER[level as Level] ?? ORDER.info;
  const emit = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    const entry: Record<string, unknown> = {
      level: lvl,
      time: new Date().toISOString(),
      msg,
      ...base,
      ...fields,
    };
    if ('err' in entry) entry.err = serializeError(entry.err);
    write(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, level, write),
  };
}

/** The process-wide logger; everything imports this one. */
export const logger: Logger = createLogger({ service: 'edgar-auto-shop' });
