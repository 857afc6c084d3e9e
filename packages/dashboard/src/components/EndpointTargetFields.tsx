import { useState } from 'react';
import type { EndpointKind, EndpointOut } from '@herald/wire';
import type { ApiError } from '../api/client';
import { ENDPOINT_KINDS, isChatKind, kindsInOrder } from '../lib/chat-kinds';
import { FormField } from './FormField';

/**
 * Where an endpoint's messages go, as form state: its kind (a plain webhook receiver or a chat tool), its URL, and the
 * chat tool's signing secret, which is write-only: the API only says whether one is set (`chatSigned`).
 */
export function useEndpointTarget(from?: EndpointOut) {
  const [kind, setKind] = useState<EndpointKind>(from?.kind ?? 'webhook');
  const [url, setUrl] = useState(from?.url ?? '');
  const [secret, setSecret] = useState('');
  const [removeSecret, setRemoveSecret] = useState(false);
  const signs = ENDPOINT_KINDS[kind].signs;
  // The API keeps a secret only while the kind stays the same: under another kind it is gone unless typed again.
  const secretStored = from?.chatSigned === true && from.kind === kind;
  return {
    kind, setKind, url, setUrl, secret, setSecret, removeSecret, setRemoveSecret, signs, secretStored,
    /** Whether changing the kind drops the endpoint's message template (the API keeps it only under the same kind). */
    dropsTemplate: from !== undefined && from.chatTemplate !== null && from.kind !== kind,
    /** As the API takes them; the secret left out (kept as it is) unless typed or removed. */
    body: () => ({
      url: url.trim(),
      kind,
      ...(signs && secret ? { chatSecret: secret } : signs && removeSecret ? { chatSecret: null } : {}),
    }),
  };
}

export type EndpointTarget = ReturnType<typeof useEndpointTarget>;

/** The body fields whose 422 messages EndpointTargetFields shows beside them. */
export const TARGET_SHOWN = ['url', 'kind', 'chatSecret'];

/** The Kind select, the URL with what to paste for that kind, and the signing secret for the tools that sign. */
export function EndpointTargetFields({ target: t, apiError }: { target: EndpointTarget; apiError: ApiError | null }) {
  const spec = ENDPOINT_KINDS[t.kind];
  return (
    <>
      <FormField
        label="Kind"
        hint={t.dropsTemplate ? 'Changing the kind drops this endpoint’s message template: Herald’s default wording is used.' : undefined}
        errors={apiError?.about('kind') ?? []}
        control={(p) => (
          <select {...p} name="kind" value={t.kind} onChange={(e) => t.setKind(e.target.value as EndpointKind)}>
            {kindsInOrder.map((kind) => (
              <option key={kind} value={kind}>
                {ENDPOINT_KINDS[kind].label}
              </option>
            ))}
          </select>
        )}
      />
      <FormField
        label="Endpoint URL"
        hint={isChatKind(t.kind) && !t.signs ? `${spec.urlHint} ${spec.label} webhooks are not signed: keep the URL itself secret.` : spec.urlHint}
        errors={apiError?.about('url') ?? []}
        control={(p) => <input {...p} name="url" type="url" required placeholder={spec.urlPlaceholder} value={t.url} onChange={(e) => t.setUrl(e.target.value)} />}
      />
      {t.signs && <SigningSecretField target={t} errors={apiError?.about('chatSecret') ?? []} />}
    </>
  );
}

/** Write-only: a stored secret is never shown; it is replaced by typing a new one, or removed on save. */
function SigningSecretField({ target: t, errors }: { target: EndpointTarget; errors: string[] }) {
  const label = ENDPOINT_KINDS[t.kind].label;
  const hint = t.removeSecret
    ? 'The secret is removed when you save: messages go unsigned.'
    : t.secretStored
      ? 'A secret is set — type a new one to replace it, or remove it.'
      : `Optional: the secret of the bot’s signature check in ${label}’s security settings. Herald signs each message with it.`;
  return (
    <FormField
      label="Signing secret"
      hint={hint}
      errors={errors}
      control={(p) => (
        <span className="input-with-action">
          <input
            {...p}
            name="chatSecret"
            type="password"
            // Stops the browser offering to save the bot's secret as this site's password.
            autoComplete="new-password"
            disabled={t.removeSecret}
            placeholder={t.removeSecret ? 'Removed when you save' : t.secretStored ? 'Unchanged: type a new one to replace it' : 'Optional'}
            value={t.secret}
            onChange={(e) => t.setSecret(e.target.value)}
          />
          {t.secretStored && (
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                t.setSecret('');
                t.setRemoveSecret(!t.removeSecret);
              }}
            >
              {t.removeSecret ? 'Keep it' : 'Remove'}
            </button>
          )}
        </span>
      )}
    />
  );
}
