import { useState, type ReactNode } from 'react';
import { useAction } from '../lib/useApi';
import { ConfirmButton, CopyButton, ErrorMessage, Notice } from './common';

/**
 * A signing secret (an endpoint's, a destination's): hidden until asked for, and, given `rotate`, rotated after a
 * second click. Callers show it only to tokens that may read secrets (the API refuses the others).
 */
export function SecretPanel({ load, rotate, about, testId }: {
  load: () => Promise<{ key: string }>;
  rotate?: () => Promise<unknown>;
  about: ReactNode;
  testId: string;
}) {
  const [secret, setSecret] = useState<string | undefined>();
  const [rotated, setRotated] = useState(false);
  const reveal = useAction(load);
  const rotation = useAction(async () => {
    await rotate?.();
    return true;
  });

  const show = async () => {
    const r = await reveal.run();
    if (r) setSecret(r.key);
  };
  const doRotate = async () => {
    setRotated(false);
    if (!(await rotation.run())) return;
    setRotated(true);
    if (secret !== undefined) await show();
  };

  return (
    <section className="card" aria-label="Signing secret">
      <h3>Signing secret</h3>
      <p className="muted small">{about}</p>
      <div className="row">
        <code className="secret mono grow" data-testid={testId}>
          {secret ?? '••••••••••••••••••••••••••••••••'}
        </code>
        {secret === undefined ? (
          <button type="button" className="button" onClick={show} disabled={reveal.busy}>
            Reveal
          </button>
        ) : (
          <>
            <CopyButton text={secret} small={false} />
            <button type="button" className="button" onClick={() => setSecret(undefined)}>
              Hide
            </button>
          </>
        )}
        {rotate && <ConfirmButton label="Rotate…" confirmLabel="Rotate now" onConfirm={doRotate} busy={rotation.busy} danger />}
      </div>
      {rotated && <Notice tone="success">Secret rotated. The previous one keeps signing alongside it for 24 hours.</Notice>}
      {reveal.error && <ErrorMessage error={reveal.error} />}
      {rotation.error && <ErrorMessage error={rotation.error} />}
    </section>
  );
}
