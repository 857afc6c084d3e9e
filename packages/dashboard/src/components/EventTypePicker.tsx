import { useState, type KeyboardEvent } from 'react';
import { useSession } from '../lib/session-context';
import { useApi } from '../lib/useApi';

/**
 * Chooses event types: from the catalogue (its first 100 types, offered as suggestions) or typed in. An empty
 * choice means every event type.
 */
export function EventTypePicker({ value, onChange, id }: { value: string[]; onChange: (v: string[]) => void; id?: string }) {
  const { api } = useSession();
  const [draft, setDraft] = useState('');
  const catalogue = useApi('event-types', (signal) => api.call('GET /api/v1/event-type', { query: { limit: 100 }, signal }));
  const known = (catalogue.data?.data ?? []).filter((t) => !t.archived);

  const add = (names: string[]) => {
    const next = [...value];
    for (const n of names.map((s) => s.trim()).filter(Boolean)) if (!next.includes(n)) next.push(n);
    onChange(next);
  };
  const commitDraft = () => {
    add(draft.split(','));
    setDraft('');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      commitDraft();
    } else if (e.key === 'Backspace' && draft === '' && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  };
  const suggestions = known.filter((t) => !value.includes(t.name));

  return (
    <div className="picker">
      <div className="picker-box">
        {value.map((name) => (
          <span key={name} className="chip">
            {name}
            <button type="button" className="chip-remove" aria-label={`Remove ${name}`} onClick={() => onChange(value.filter((v) => v !== name))}>
              ×
            </button>
          </span>
        ))}
        <input
          id={id}
          value={draft}
          list="event-type-catalogue"
          placeholder={value.length === 0 ? 'All event types — type one and press Enter' : 'Add another…'}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKey}
          onBlur={commitDraft}
        />
      </div>
      <datalist id="event-type-catalogue">
        {known.map((t) => (
          <option key={t.name} value={t.name}>
            {t.description}
          </option>
        ))}
      </datalist>
      {suggestions.length > 0 && (
        <div className="picker-suggestions">
          {suggestions.slice(0, 12).map((t) => (
            <button key={t.name} type="button" className="chip chip-add" title={t.description} onClick={() => add([t.name])}>
              + {t.name}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
