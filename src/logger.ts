import type { Config } from './config';
import { errorForLog } from './redaction';

type Level = Config['LOG_LEVEL'];
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = Record<Level, (message: string, fields?: Record<string, unknown>) => void>;

/**
 * JSON lines on stderr, one per event, so log shippers need no parsing rules. An Error in the
 * fields is logged by `errorForLog`: its name, code and code frames, its message with quoted
 * text and addresses blanked, never SQL or its parameters (a ticket's text must not reach logs).
 */
export function createLogger(level: Level = 'info', write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const log =
    (at: Level) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (order[at] < order[level]) return;
      const rendered = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? errorForLog(v) : v]));
      write(JSON.stringify({ time: new Date().toISOString(), level: at, message, ...rendered }));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
