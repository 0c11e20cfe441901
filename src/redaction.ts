import { cutText } from './domain/text';

/**
 * What may be said about an error in a log line. Error messages carry data more often than it
 * seems: drizzle puts the whole query and its parameters in front ("Failed query: insert …
 * params: ana@example.com,My card was charged twice"), PostgreSQL quotes the value it refused
 * (`invalid input syntax for type json: "…"`), JSON.parse quotes the text it could not read.
 * So a logged error keeps its name, its SQLSTATE and PostgreSQL's schema names (table,
 * constraint, column), the code frames of its stack, and a message with quoted text and email
 * addresses blanked out; never a query, its parameters or a row's `detail`.
 */

export interface LoggedError {
  name: string;
  message: string;
  code?: string;
  table?: string;
  constraint?: string;
  column?: string;
  /** Only the `at …` frames: where it happened, without the message the stack starts with. */
  stack?: string;
  cause?: LoggedError;
}

const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|“[^”]*”|‘[^’]*’|`[^`]*`/g;
const EMAIL = /[^\s@<>()[\],;:"']+@[^\s@<>()[\],;:"']+\.[^\s@<>()[\],;:"']+/g;

/** A message with what looks like data in it replaced: quoted text, email addresses, and anything after `params:`. */
export function redactText(text: string): string {
  if (/^Failed query/.test(text)) return 'Failed query (SQL and parameters not logged)';
  const withoutParams = text.replace(/\bparams:[\s\S]*$/, 'params: (not logged)');
  return cutText(withoutParams.replace(QUOTED, '"…"').replace(EMAIL, '<email>'), 300, { ellipsis: true });
}

const stringField = (value: unknown) => (typeof value === 'string' && value.length <= 200 ? value : undefined);

export function errorForLog(err: unknown, depth = 0): LoggedError {
  if (!(err instanceof Error)) return { name: typeof err, message: redactText(String(err)) };
  const fields = err as Error & { code?: unknown; table_name?: unknown; constraint_name?: unknown; column_name?: unknown };
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12)
    .join('\n');
  const code = stringField(fields.code);
  const table = stringField(fields.table_name);
  const constraint = stringField(fields.constraint_name);
  const column = stringField(fields.column_name);
  return {
    name: err.name,
    message: redactText(err.message),
    ...(code ? { code } : {}),
    ...(table ? { table } : {}),
    ...(constraint ? { constraint } : {}),
    ...(column ? { column } : {}),
    ...(frames ? { stack: frames } : {}),
    ...(err.cause !== undefined && depth < 3 ? { cause: errorForLog(err.cause, depth + 1) } : {}),
  };
}
