import type { ReactNode } from 'react';
import type { EventTypeOut } from '@herald/wire';
import { JsonView } from './JsonView';

/** The example a schema gives (`examples[0]`), if any. */
export function exampleOf(schema: unknown): { value: unknown } | null {
  if (schema === null || typeof schema !== 'object') return null;
  const examples = (schema as { examples?: unknown }).examples;
  return Array.isArray(examples) && examples.length > 0 ? { value: examples[0] } : null;
}

/**
 * One event type of the catalogue: its description, state, and per version its schema and an example payload;
 * `actions` (an admin's buttons) go in its heading.
 */
export function EventTypeCard({ eventType, actions }: { eventType: EventTypeOut; actions?: ReactNode }) {
  const versions = Object.entries(eventType.schemas ?? {});
  return (
    <article className="card event-type" data-testid="event-type" data-name={eventType.name}>
      <div className="page-head">
        <h3 className="mono grow">{eventType.name}</h3>
        {eventType.deprecated && <span className="badge badge-wait">Deprecated</span>}
        {eventType.archived && <span className="badge badge-muted">Archived</span>}
        {eventType.groupName && <span className="badge badge-muted">{eventType.groupName}</span>}
        {eventType.featureFlags?.map((flag) => (
          <span key={flag} className="badge badge-muted">
            flag: {flag}
          </span>
        ))}
        {actions}
      </div>
      <p className={eventType.description ? '' : 'muted'}>{eventType.description || 'No description.'}</p>
      {versions.length === 0 && <p className="muted small">No schema.</p>}
      {versions.map(([version, schema]) => {
        const example = exampleOf(schema);
        return (
          <details key={version} className="schema" open={versions.length === 1}>
            <summary>Schema version {version}</summary>
            <div className="schema-grid">
              <div>
                <div className="muted small">JSON Schema</div>
                <JsonView value={schema} label={`Schema ${version} of ${eventType.name}`} />
              </div>
              <div>
                <div className="muted small">Example payload</div>
                {example ? (
                  <JsonView value={example.value} label={`Example ${version} of ${eventType.name}`} />
                ) : (
                  <p className="muted small">No example: the schema has no <code>examples</code>.</p>
                )}
              </div>
            </div>
          </details>
        );
      })}
    </article>
  );
}
