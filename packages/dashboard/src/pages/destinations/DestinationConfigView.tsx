import type { ReactNode } from 'react';
import type { DestinationOut } from '@herald/wire';
import { Mono } from '../../components/common';
import { shownHeaders, specOf, type ConfigField } from './destination-types';

const QOS: Record<string, string> = { 1: '1: at least once', 2: '2: exactly once' };

function shown(f: ConfigField, value: unknown): ReactNode {
  if (value === undefined || value === null || value === '') return f.kind === 'flag' ? 'No' : null;
  switch (f.kind) {
    case 'flag':
      return value === true ? 'Yes' : 'No';
    case 'qos':
      return QOS[String(value)] ?? String(value);
    case 'pem':
      return 'Set (PEM)';
    case 'headers':
      return <Headers value={value} />;
    default:
      return <Mono>{String(value)}</Mono>;
  }
}

function Headers({ value }: { value: unknown }) {
  const { headers, sensitive } = shownHeaders(value);
  const rows = [...Object.entries(headers), ...sensitive.map((name) => [name, null] as const)];
  if (rows.length === 0) return <span className="muted">None</span>;
  return (
    <>
      {rows.map(([name, v]) => (
        <div key={name} className="small">
          <Mono>{name}</Mono>: {v === null ? <span className="muted">(hidden)</span> : <Mono>{v}</Mono>}
        </div>
      ))}
    </>
  );
}

/**
 * The destination's config as the API shows it, as rows of its fields: no password (the API never returns one; a
 * URI comes without its own). Fields this dashboard does not know (a newer server's) are shown as they came.
 */
export function configRows(d: DestinationOut): [string, ReactNode][] {
  const fields = specOf(d.type).fields;
  // Secret fields count as known: were one ever in the answer, it would still not be shown.
  const known = new Set(fields.map((f) => f.name));
  return [
    // Labelled as in the form, without the form's remarks in brackets ("optional", "PEM").
    ...fields.filter((f) => f.kind !== 'secret').map((f): [string, ReactNode] => [f.label.replace(/ \(.*\)$/, ''), shown(f, d.config[f.name])]),
    ...Object.entries(d.config).filter(([name]) => !known.has(name)).map(([name, v]): [string, ReactNode] => [name, <Mono>{JSON.stringify(v)}</Mono>]),
  ];
}
