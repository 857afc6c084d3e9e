/** How the CLI prints: aligned tables and records for people, the API's JSON as received for scripts (--json). */
import type { ListResponse } from '@herald/wire';
import { Writable } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';

const CODES = {
  bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], gray: [90, 39],
} as const;

export type Color = keyof typeof CODES;

/** Colour only for a person at a terminal, and never when NO_COLOR is set (https://no-color.org). */
function colorEnabled(): boolean {
  return process.stdout.isTTY === true && !process.env['NO_COLOR'];
}

/** `text` in a colour (or a style such as bold) when stdout is a terminal and NO_COLOR is unset; else as is. */
export function paint(color: Color, text: string): string {
  if (!colorEnabled()) return text;
  const [on, off] = CODES[color];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** The colour of a delivery status (statusText or number: 0 success, 1 pending, 2 fail, 3 sending) or a task's status. */
export function statusColor(status: string | number): Color {
  const text = typeof status === 'number' ? (['success', 'pending', 'fail', 'sending'][status] ?? '') : status;
  return text === 'success' || text === 'finished' ? 'green' : text === 'fail' || text === 'failed' ? 'red' : text === 'sending' || text === 'running' ? 'cyan' : 'yellow';
}

/** The API's answer as received, pretty-printed: a list stays the whole `{data, iterator, prevIterator, done}`. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** One line for people, on stdout. */
export function say(line: string): void {
  process.stdout.write(line + '\n');
}

/** A value as one table cell or record value: dates to the second, lists joined, objects as compact JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cellText).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text) ? text.replace(/\.\d+Z$/, 'Z') : text;
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Longer cells are cut with an ellipsis (default 40 characters). */
  max?: number;
  color?: (row: T) => Color | undefined;
}

/** Rows as an aligned table with a header; an empty list says so instead. */
export function printTable<T>(rows: T[], columns: Column<T>[], empty = 'nothing found'): void {
  if (rows.length === 0) {
    say(paint('dim', `(${empty})`));
    return;
  }
  const cells = rows.map((row) => columns.map((c) => truncate(cellText(c.value(row)), c.max ?? 40)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) => (i === columns.length - 1 ? text : text.padEnd(widths[i]!));
  say(columns.map((c, i) => paint('bold', pad(c.header, i))).join('  ').trimEnd());
  rows.forEach((row, r) => {
    // Padding is computed on the plain text: colour codes take no room on screen.
    const line = columns.map((c, i) => {
      const color = c.color?.(row);
      const text = pad(cells[r]![i]!, i);
      return color ? paint(color, text) : text;
    });
    say(line.join('  ').trimEnd());
  });
}

/** A page of a list as a table, and how to get the next page when there is one. */
export function printPage<T>(page: ListResponse<T>, columns: Column<T>[], empty?: string): void {
  printTable(page.data, columns, empty);
  if (!page.done && page.iterator) say(paint('dim', `(more: --iterator ${page.iterator})`));
}

/** One resource as aligned "field  value" lines, every field the API returned, in its order. */
export function printRecord(record: Record<string, unknown>, colors: Record<string, Color | undefined> = {}): void {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [key, value] of Object.entries(record)) {
    const text = cellText(value);
    const color = colors[key];
    say(`${paint('bold', key.padEnd(width))}  ${color ? paint(color, text) : text}`);
  }
}

/**
 * A progress bar on stderr (stdout keeps only the result): drawn in place on a terminal; elsewhere (a log, a pipe)
 * a plain line at most once a second, and only when it changed: cli-progress redraws on every tick and again when
 * stopped, which printed the same line twice.
 */
export function progressBar(format: string): SingleBar {
  const stream = process.stderr.isTTY ? process.stderr : changedLinesTo(process.stderr);
  return new SingleBar({ format, noTTYOutput: true, notTTYSchedule: 1_000, stream }, Presets.legacy);
}

/** A stream that passes whole lines on to `target`, leaving out empty ones and one equal to the line before. */
function changedLinesTo(target: NodeJS.WritableStream): NodeJS.WriteStream {
  let partial = '';
  let last: string | undefined;
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        if (line === '' || line === last) continue;
        target.write(`${line}\n`);
        last = line;
      }
      done();
    },
  });
  // cli-progress takes a TTY-like stream; without isTTY it draws plain lines, which is what this is for.
  return lines as unknown as NodeJS.WriteStream;
}
