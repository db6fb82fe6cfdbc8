/**
 * The proxy's structured logger: pino writing one JSON object a line (ISO timestamp, level
 * label, message, fields), or the same records laid out as readable text lines. It implements
 * the plain Logger the core takes, so lib/ logs through it without knowing it is pino, and
 * FieldLogger for lines with fields (the access lines).
 *
 * bin/ builds it from `-logFormat`; an embedding application may pass its own Logger instead.
 */
import pino from 'pino';
import { DEFAULT_LOG_FORMAT, formatTextRecord, type FieldLogger, type LogFields, type LogFormat, type LogLevel } from './log-format.js';

export { DEFAULT_LOG_FORMAT, isLogFormat, LOG_FORMATS, type LogFormat } from './log-format.js';

/** LogSink is where finished lines go: anything with write(), such as a stream or a test's collector. */
export interface LogSink {
  /** write takes one or more whole lines, each ending in a newline. */
  write(chunk: string): unknown;
}

/** LoggerOptions configure createLogger. */
export interface LoggerOptions {
  /** Layout of each line; DEFAULT_LOG_FORMAT when absent. */
  format?: LogFormat;
  /** Where lines go; standard output (written synchronously, so no line is lost at exit) when absent. */
  sink?: LogSink;
}

/**
 * createLogger returns a Logger (and FieldLogger) writing through pino in `format` to `sink`.
 * Each line is one record: `{"level":"info","time":"2026-...Z","msg":"...",...fields}` for json,
 * `2026-...Z INFO  msg key=value ...` for text.
 */
export function createLogger(opts: LoggerOptions = {}): FieldLogger {
  const sink = opts.sink ?? pino.destination({ dest: 1, sync: true });
  const format = opts.format ?? DEFAULT_LOG_FORMAT;
  const dest = format === 'json' ? sink : textSink(sink);
  const p = pino({
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, dest);
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (fields) p[level](fields, msg);
    else p[level](msg);
  };
  return {
    info: (msg) => write('info', msg),
    warn: (msg) => write('warn', msg),
    error: (msg) => write('error', msg),
    fields: (level, msg, fields) => write(level, msg, fields),
  };
}

/**
 * textSink re-lays pino's JSON lines as text before they reach sink. pino hands each record to
 * write() whole, so a chunk splits into complete lines; one that does not parse passes unchanged.
 */
function textSink(sink: LogSink): LogSink {
  return {
    write(chunk: string) {
      let out = '';
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          record = undefined;
        }
        out += `${typeof record === 'object' && record !== null ? formatTextRecord(record as Record<string, unknown>) : line}\n`;
      }
      return sink.write(out);
    },
  };
}
