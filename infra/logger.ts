/**
 * Structured JSON logs, one object per line. In Lambda, stdout lines land in CloudWatch Logs
 * and are queryable with Logs Insights; locally they are readable with `jq`.
 *
 * A line written while an invocation runs carries that invocation's fields (its Lambda context:
 * see withInvocationContext in observability.ts), whichever logger writes it: the fields live in
 * an AsyncLocalStorage scope, not on a logger, because the local runtime runs many invocations of
 * one handler at once in one process and a logger shared by them must not mix their request ids.
 * Loggers are created by observability.ts; this file is their implementation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Level = Exclude<LogLevel, 'silent'>;
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const invocationScope = new AsyncLocalStorage<Readonly<LogFields>>();

/** Runs `fn` with `fields` on every line logged until what it returns settles. */
export function runWithLogFields<T>(fields: Readonly<LogFields>, fn: () => T): T {
  return invocationScope.run(fields, fn);
}

function serializeError(err: unknown): unknown {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return err;
}

export function createLogger(
  base: LogFields,
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const emit = (lvl: Level, msg: string, fields?: LogFields) => {
    if (ORDER[lvl] < threshold) return;
    const entry: LogFields = {
      level: lvl,
      time: new Date().toISOString(),
      msg,
      ...base,
      ...invocationScope.getStore(),
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
