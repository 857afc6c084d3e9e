import type { ApiError } from '../../api/client';
import { FormField, type ControlProps } from '../../components/FormField';
import { TYPES, type ConfigField, type ConfigState, type DestinationType } from './destination-types';

/**
 * The chosen type's config fields, each with its own 422 messages (`config.<name>`) and what is wrong as typed. A
 * password is write-only: on an edit it starts empty and empty keeps the stored one.
 */
export function DestinationConfigFields({ type, value, onChange, error, problems, editing, hiddenHeaders }: {
  type: DestinationType;
  value: ConfigState;
  onChange: (v: ConfigState) => void;
  error: ApiError | null;
  problems: Record<string, string>;
  editing: boolean;
  /** A stored fifoEndpoint's headers whose values the API hides: replacing the headers drops them. */
  hiddenHeaders: string[];
}) {
  const set = (name: string, v: string) => onChange({ ...value, [name]: v });
  const fields = TYPES[type].fields;
  if (fields.length === 0) return null;
  return (
    <fieldset className="form-group">
      <legend>Settings</legend>
      {fields.map((f) => (
        <FormField
          key={f.name}
          label={f.label}
          hint={hintOf(f, hiddenHeaders)}
          errors={[...(problems[f.name] ? [`${f.label}: ${problems[f.name]}`] : []), ...(error?.at('config', f.name) ?? [])]}
          control={(p) => control(f, value[f.name] ?? '', (v) => set(f.name, v), editing, p)}
        />
      ))}
    </fieldset>
  );
}

function hintOf(f: ConfigField, hiddenHeaders: string[]): string | undefined {
  if (f.kind === 'headers' && hiddenHeaders.length > 0) {
    return `${f.hint ?? ''} Hidden: ${hiddenHeaders.join(', ')}; changing the headers removes them unless typed in again.`.trim();
  }
  return f.hint;
}

function control(f: ConfigField, text: string, set: (v: string) => void, editing: boolean, p: ControlProps) {
  switch (f.kind) {
    case 'flag':
      return (
        <span className="check">
          <input {...p} type="checkbox" name={f.name} checked={text === 'true'} onChange={(e) => set(String(e.target.checked))} /> Yes
        </span>
      );
    case 'qos':
      return (
        <select {...p} name={f.name} value={text} onChange={(e) => set(e.target.value)}>
          <option value="1">1: at least once</option>
          <option value="2">2: exactly once</option>
        </select>
      );
    case 'pem':
    case 'headers':
      return <textarea {...p} name={f.name} className="mono" rows={4} spellCheck={false} placeholder={f.placeholder} value={text} onChange={(e) => set(e.target.value)} />;
    case 'secret':
      return (
        <input
          {...p}
          name={f.name}
          type="password"
          // Stops the browser offering to save the broker's password as this site's.
          autoComplete="new-password"
          placeholder={editing ? 'Unchanged: type a new one to replace it' : 'Optional'}
          value={text}
          onChange={(e) => set(e.target.value)}
        />
      );
    case 'count':
      return <input {...p} name={f.name} type="number" min={1} step={1} placeholder={f.placeholder} value={text} onChange={(e) => set(e.target.value)} />;
    case 'text':
      return <input {...p} name={f.name} className="mono" required={f.required} autoComplete="off" placeholder={f.placeholder} value={text} onChange={(e) => set(e.target.value)} />;
  }
}
