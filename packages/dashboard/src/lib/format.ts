import type { DeliveryStatus } from '@herald/wire';

/** Svix's statuses of a delivery or an attempt; 4: not sent, the endpoint's transformation cancelled it. */
const STATUS: Record<DeliveryStatus, { label: string; tone: 'ok' | 'wait' | 'bad' | 'muted' }> = {
  0: { label: 'Success', tone: 'ok' },
  1: { label: 'Pending', tone: 'wait' },
  2: { label: 'Failed', tone: 'bad' },
  3: { label: 'Sending', tone: 'wait' },
  4: { label: 'Canceled', tone: 'muted' },
};

export const statusInfo = (s: DeliveryStatus) => STATUS[s];

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "3 s ago", "5 min ago"… for recent times, else the date. */
export function relativeTime(iso: string, now = Date.now()): string {
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const s = Math.round(ms / 1000);
  if (s < 0) return `in ${formatDuration(-ms)}`;
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return formatTime(iso);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** JSON text indented, or the text as it is when it is not JSON. */
export function prettyText(text: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}

/** A number of seconds in the largest unit it is a whole number of: "90 s", "5 min", "2 h", "1 day". */
export function formatSeconds(s: number): string {
  if (s > 0 && s % 86_400 === 0) return `${s / 86_400} day${s === 86_400 ? '' : 's'}`;
  if (s > 0 && s % 3600 === 0) return `${s / 3600} h`;
  if (s > 0 && s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
