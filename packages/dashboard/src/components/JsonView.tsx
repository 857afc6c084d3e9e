import type { ReactNode } from 'react';
import { prettyText } from '../lib/format';

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Indented JSON with its keys, strings, numbers and literals colored; any other text is shown as it is. */
export function JsonView({ value, text, label }: { value?: unknown; text?: string; label?: string }) {
  const source = text !== undefined ? prettyText(text) : { text: JSON.stringify(value, null, 2) ?? 'undefined', json: true };
  if (!source.json) {
    return (
      <pre className="code-block" aria-label={label}>
        {source.text || <span className="muted">(empty)</span>}
      </pre>
    );
  }
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of source.text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(source.text.slice(last, at));
    const cls = m[1] !== undefined ? (m[2] !== undefined ? 'j-key' : 'j-str') : m[3] !== undefined ? 'j-lit' : 'j-num';
    const tokenText = m[1] !== undefined ? m[1] : m[0];
    parts.push(
      <span key={at} className={cls}>
        {tokenText}
      </span>,
    );
    if (m[2] !== undefined) parts.push(m[2]);
    last = at + m[0].length;
  }
  parts.push(source.text.slice(last));
  return (
    <pre className="code-block json" aria-label={label}>
      {parts}
    </pre>
  );
}
