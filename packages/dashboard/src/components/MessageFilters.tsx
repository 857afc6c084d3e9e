import { useEffect, useState, type FormEvent } from 'react';
import { fromLocalInput, toLocalInput } from '../lib/local-time';
import { navigate, withQueryValues, type Route } from '../lib/router';

/** The Messages tab's filters, as the route's query keeps them (the API's own names). */
export const MESSAGE_FILTERS = ['event_types', 'channel', 'tag', 'after', 'before'] as const;
export type MessageFilterValues = Record<(typeof MESSAGE_FILTERS)[number], string>;

export function messageFilters(route: Route): MessageFilterValues {
  const values = {} as MessageFilterValues;
  for (const k of MESSAGE_FILTERS) values[k] = route.query.get(k) ?? '';
  return values;
}

const none = Object.fromEntries(MESSAGE_FILTERS.map((k) => [k, null])) as Record<(typeof MESSAGE_FILTERS)[number], null>;

/** Event types (comma-separated), channel, tag and a time window; applying starts again from the newest page. */
export function MessageFilters({ route, values }: { route: Route; values: MessageFilterValues }) {
  const [draft, setDraft] = useState(values);
  const key = MESSAGE_FILTERS.map((k) => values[k]).join('\n');
  // Back to what the URL says whenever it changes (a link, Clear, the browser's back button).
  useEffect(() => setDraft(values), [key]);
  const set = (k: keyof MessageFilterValues) => (value: string) => setDraft((d) => ({ ...d, [k]: value }));
  const active = MESSAGE_FILTERS.some((k) => values[k]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(
      withQueryValues(route, {
        event_types: draft.event_types.trim() || null,
        channel: draft.channel.trim() || null,
        tag: draft.tag.trim() || null,
        after: draft.after || null,
        before: draft.before || null,
        iterator: null,
      }),
    );
  };

  return (
    <form className="filter filter-bar" role="search" aria-label="Filter messages" onSubmit={apply}>
      <input className="input-medium" aria-label="Filter by event type" placeholder="Event type, e.g. invoice.paid" value={draft.event_types} onChange={(e) => set('event_types')(e.target.value)} />
      <input className="input-short" aria-label="Filter by channel" placeholder="Channel" value={draft.channel} onChange={(e) => set('channel')(e.target.value)} />
      <input className="input-short" aria-label="Filter by tag" placeholder="Tag" value={draft.tag} onChange={(e) => set('tag')(e.target.value)} />
      <label className="filter-time">
        <span>After</span>
        <input type="datetime-local" aria-label="Sent after" value={toLocalInput(draft.after)} onChange={(e) => set('after')(fromLocalInput(e.target.value) ?? '')} />
      </label>
      <label className="filter-time">
        <span>Before</span>
        <input type="datetime-local" aria-label="Sent before" value={toLocalInput(draft.before)} onChange={(e) => set('before')(fromLocalInput(e.target.value) ?? '')} />
      </label>
      <button type="submit" className="button button-small">
        Filter
      </button>
      {active && (
        <a className="button button-small" href={withQueryValues(route, { ...none, iterator: null })}>
          Clear
        </a>
      )}
    </form>
  );
}

/** What the filters select, in words, for the empty list. */
export function describeFilters(values: MessageFilterValues): string {
  const parts: string[] = [];
  if (values.event_types) parts.push(`of type ${values.event_types}`);
  if (values.channel) parts.push(`on channel ${values.channel}`);
  if (values.tag) parts.push(`tagged ${values.tag}`);
  if (values.after) parts.push(`after ${new Date(values.after).toLocaleString()}`);
  if (values.before) parts.push(`before ${new Date(values.before).toLocaleString()}`);
  return parts.join(', ');
}
