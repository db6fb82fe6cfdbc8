/**
 * Log lines with fields, without any logging library: the FieldLogger shape a structured logger
 * (lib/log.ts) offers beside the plain Logger, the way a line with fields falls back to text for a
 * plain Logger (console, a test's collector), and the text layout of `-logFormat text`.
 *
 * Kept apart from lib/log.ts so that what only formats lines never pulls in pino.
 */
import type { Logger } from './config.js';

/** LOG_FORMATS are the layouts `-logFormat` accepts. */
export const LOG_FORMATS = ['text', 'json'] as const;

/** LogFormat is a log layout: `text` for people reading a terminal, `json` for log collectors. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * DEFAULT_LOG_FORMAT is text: what people read at a terminal, and the Go server's kind of line;
 * log collectors (a container platform, say) ask for json.
 */
export const DEFAULT_LOG_FORMAT: LogFormat = 'text';

/** isLogFormat reports whether s names a LogFormat. */
export function isLogFormat(s: string): s is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(s);
}

/** LogLevel is one of the levels the proxy writes at. */
export type LogLevel = 'info' | 'warn' | 'error';

/** LogFields are the named values of one structured log line. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** FieldLogger is a Logger that also writes lines with named fields (a JSON key each, say). */
export interface FieldLogger extends Logger {
  /** fields writes msg at level with the named values beside it. */
  fields(level: LogLevel, msg: string, fields: LogFields): void;
}

/** isFieldLogger reports whether logger takes fields of its own (see FieldLogger). */
export function isFieldLogger(logger: Logger): logger is FieldLogger {
  return typeof (logger as Partial<FieldLogger>).fields === 'function';
}

/**
 * logFields writes one line with fields: as fields to a FieldLogger, as `msg key=value ...` text
 * to any other Logger. A logger that throws is ignored: a log line never fails a request.
 */
export function logFields(logger: Logger, level: LogLevel, msg: string, fields: LogFields): void {
  try {
    if (isFieldLogger(logger)) logger.fields(level, msg, fields);
    else logger[level](joinText(msg, formatFields(fields)));
  } catch {
    // Nothing better to do with a broken logger.
  }
}

/** A value that can stand in a key=value pair without quotes. */
const BARE = /^[^\s"=\\]+$/;

/**
 * formatFields writes fields as `key=value` pairs in their order, leaving out undefined ones and
 * quoting (as JSON strings) values with spaces, quotes or `=`, so every line splits back apart.
 */
export function formatFields(fields: LogFields): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    out.push(`${k}=${BARE.test(s) ? s : JSON.stringify(s)}`);
  }
  return out.join(' ');
}

/** Keys of a JSON log record that the text layout prints in fixed places, not as fields. */
const RECORD_KEYS = new Set(['time', 'level', 'msg']);

/**
 * formatTextRecord lays a JSON log record (pino's: time, level, msg and fields) out as one
 * readable line: `2026-01-02T03:04:05.678Z INFO  message key=value ...`. Nested values are
 * printed as JSON; a message with line breaks (a stack trace) keeps them, so it stays readable.
 */
export function formatTextRecord(record: Record<string, unknown>): string {
  const level = String(record.level ?? 'info').toUpperCase().padEnd(5);
  const rest: Record<string, string | number | boolean | undefined> = {};
  for (const [k, v] of Object.entries(record)) {
    if (RECORD_KEYS.has(k)) continue;
    rest[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string | number | boolean | undefined);
  }
  return joinText(`${String(record.time ?? '')} ${level} ${String(record.msg ?? '')}`, formatFields(rest));
}

function joinText(msg: string, fields: string): string {
  return fields === '' ? msg : `${msg} ${fields}`;
}

/**
 * HeldLogger is a Logger whose lines wait until its target is attached, then go there in order.
 * The CLI hands one to its worker pool, which starts before the structured logger (and pino
 * with it) has loaded, so that loading runs beside the workers' boot instead of before it.
 */
export class HeldLogger implements Logger {
  private target?: Logger;
  private readonly held: Array<{ level: LogLevel; msg: string }> = [];

  info(msg: string): void {
    this.write('info', msg);
  }

  warn(msg: string): void {
    this.write('warn', msg);
  }

  error(msg: string): void {
    this.write('error', msg);
  }

  /** attach sends the held lines to target, and every later line straight to it. */
  attach(target: Logger): void {
    this.target = target;
    for (const { level, msg } of this.held.splice(0)) target[level](msg);
  }

  private write(level: LogLevel, msg: string): void {
    if (this.target) this.target[level](msg);
    else this.held.push({ level, msg });
  }
}
