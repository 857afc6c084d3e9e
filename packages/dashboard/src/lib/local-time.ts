/**
 * `<input type="datetime-local">` speaks local time to the minute, without a zone; the API speaks ISO times. These
 * convert between the two, so that every time filter and form in the dashboard agrees.
 */
const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO time or epoch milliseconds as the input's value ('' for an empty or unreadable time). */
export function toLocalInput(time: string | number): string {
  if (time === '') return '';
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The input's value as an ISO time; null when empty or unreadable. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
