import { useState } from 'react';
import type { EventTypeOut } from '@herald/wire';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { ConfirmButton, ErrorMessage } from './common';
import { EventTypeCard } from './EventTypeCard';
import { EventTypeEdit } from './EventTypeEdit';

/**
 * An event type as an admin sees it: its card with Edit (in place), Archive or Unarchive, and Delete for good.
 * Archiving (the API's plain DELETE) keeps the type for "Show archived"; only expunge removes it. The list reloads
 * and says what happened through `onChanged`, since an archived card leaves the default list at once; `onEdit` lets
 * it drop an earlier notice.
 */
export function EventTypeManaged({ eventType, onChanged, onEdit }: {
  eventType: EventTypeOut;
  onChanged: (notice: string) => void;
  onEdit: () => void;
}) {
  const { api } = useSession();
  const [editing, setEditing] = useState(false);
  const params = { event_type_name: eventType.name };
  const change = useAction(async (send: () => Promise<unknown>, done: string) => {
    await send();
    return `Event type ${eventType.name} ${done}.`;
  });
  const run = async (send: () => Promise<unknown>, done: string) => {
    const notice = await change.run(send, done);
    if (notice) onChanged(notice);
  };

  if (editing) {
    return (
      <EventTypeEdit
        eventType={eventType}
        onCancel={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          onChanged(`Event type ${eventType.name} saved.`);
        }}
      />
    );
  }

  const actions = (
    <>
      <button type="button" className="button" onClick={() => { onEdit(); setEditing(true); }}>
        Edit
      </button>
      {eventType.archived ? (
        <button type="button" className="button" disabled={change.busy} onClick={() => run(() => api.call('PATCH /api/v1/event-type/:event_type_name', { params, body: { archived: false } }), 'unarchived')}>
          Unarchive
        </button>
      ) : (
        <button type="button" className="button" disabled={change.busy} onClick={() => run(() => api.call('DELETE /api/v1/event-type/:event_type_name', { params }), 'archived')}>
          Archive
        </button>
      )}
      <ConfirmButton
        label="Delete for good…"
        confirmLabel="Delete for good"
        busy={change.busy}
        danger
        onConfirm={() => run(() => api.call('DELETE /api/v1/event-type/:event_type_name', { params, query: { expunge: true } }), 'deleted for good')}
      />
    </>
  );
  return (
    <>
      <EventTypeCard eventType={eventType} actions={actions} />
      {change.error && <ErrorMessage error={change.error} />}
    </>
  );
}
