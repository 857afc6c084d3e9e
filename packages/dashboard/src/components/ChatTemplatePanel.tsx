import { useState } from 'react';
import type { ChatTemplate, EndpointOut } from '@herald/wire';
import { ApiError, type EndpointRef } from '../api/client';
import { ENDPOINT_KINDS } from '../lib/chat-kinds';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/useApi';
import { Chips, ConfirmButton, ErrorMessage, Fields, Notice } from './common';
import { ChatPreview } from './ChatPreview';
import { FormField } from './FormField';

type Severity = NonNullable<ChatTemplate['severity']>;
const SEVERITIES: Record<Severity, string> = { info: 'Info', success: 'Success', warning: 'Warning', error: 'Error' };
const PLACEHOLDERS = <>Texts take <code>{'{{eventType}}'}</code>, <code>{'{{msgId}}'}</code> and <code>{'{{payload.a.b}}'}</code>.</>;

/** The template as the inputs hold it: empty text is Herald's default for that part. */
interface Draft {
  title: string;
  text: string;
  fields: string;
  severity: Severity | '';
}

const PARTS = new Set<string>(['title', 'text', 'fields', 'severity'] satisfies (keyof Draft)[]);

const draftOf = (t: ChatTemplate | null): Draft => ({ title: t?.title ?? '', text: t?.text ?? '', fields: (t?.fields ?? []).join(', '), severity: t?.severity ?? '' });

/** The draft as the API takes it: only the parts set; none set is no template (null), which is Herald's default. */
function templateOf(d: Draft): ChatTemplate | null {
  const fields = d.fields.split(',').map((s) => s.trim()).filter(Boolean);
  const template: ChatTemplate = {
    ...(d.title.trim() ? { title: d.title.trim() } : {}),
    ...(d.text.trim() ? { text: d.text } : {}),
    ...(fields.length > 0 ? { fields } : {}),
    ...(d.severity ? { severity: d.severity } : {}),
  };
  return Object.keys(template).length > 0 ? template : null;
}

/**
 * A chat endpoint's wording: title, text, fields and severity over Herald's default, saved with PATCH (chatTemplate),
 * and a preview of the template as it is in the inputs. Tokens that may only read see the stored template, with
 * nothing to change or preview (the API refuses them both the PATCH and the preview's POST).
 */
export function ChatTemplatePanel({ endpoint: params, ep, writable, onSaved }: {
  endpoint: EndpointRef;
  ep: EndpointOut;
  writable: boolean;
  onSaved: () => void;
}) {
  const { api } = useSession();
  const [draft, setDraft] = useState(() => draftOf(ep.chatTemplate));
  const [notice, setNotice] = useState<string | null>(null);
  const save = useAction((chatTemplate: ChatTemplate | null) => api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id', { params, body: { chatTemplate } }));
  const toolLabel = ENDPOINT_KINDS[ep.kind].label;

  const change = (next: Partial<Draft>) => {
    setNotice(null);
    save.clearError();
    setDraft({ ...draft, ...next });
  };
  const store = async (template: ChatTemplate | null, done: string) => {
    setNotice(null);
    const saved = await save.run(template);
    if (!saved) return;
    setDraft(draftOf(saved.chatTemplate));
    setNotice(done);
    onSaved();
  };
  const apiError = save.error instanceof ApiError ? save.error : null;
  const errorsAt = (part: keyof Draft) => apiError?.fields.filter((f) => f.loc[1] === 'chatTemplate' && f.loc[2] === part).map((f) => f.msg) ?? [];
  const shownByField = apiError !== null && apiError.fields.length > 0 && apiError.fields.every((f) => f.loc[1] === 'chatTemplate' && PARTS.has(f.loc[2] ?? ''));
  // Both through templateOf, so the order of the API's keys makes no difference.
  const unsaved = JSON.stringify(templateOf(draft)) !== JSON.stringify(templateOf(draftOf(ep.chatTemplate)));

  return (
    <section className="card" aria-label="Message template">
      <div className="section-head">
        <h3>Message template</h3>
        <span className="badge badge-muted" data-testid="template-state">
          {ep.chatTemplate === null ? 'Herald’s default' : 'Custom'}
        </span>
      </div>
      <p className="muted small">
        How each message reads in {toolLabel}. Herald’s default: the event type in words as the title, the payload’s values
        as fields, the severity from the event type’s words (failed, warning, succeeded…). A transformation on this endpoint
        replaces the whole body instead.
      </p>
      {!writable ? (
        <StoredTemplate template={ep.chatTemplate} />
      ) : (
        <>
          <FormField
            label="Title"
            hint={<>Empty: the event type in words. {PLACEHOLDERS}</>}
            errors={errorsAt('title')}
            control={(p) => <input {...p} name="title" placeholder="Build {{payload.repo}} {{payload.status}}" value={draft.title} onChange={(e) => change({ title: e.target.value })} />}
          />
          <FormField
            label="Text"
            hint="A few lines under the title; **bold** and [label](https://…) links show where the tool has them. Empty: none."
            errors={errorsAt('text')}
            control={(p) => <textarea {...p} name="text" rows={3} value={draft.text} onChange={(e) => change({ text: e.target.value })} />}
          />
          <FormField
            label="Fields"
            hint="Payload paths shown as name and value, separated by commas (status, repo, build.url). Empty: the payload’s values."
            errors={errorsAt('fields')}
            control={(p) => <input {...p} name="fields" className="mono" placeholder="status, repo" value={draft.fields} onChange={(e) => change({ fields: e.target.value })} />}
          />
          <FormField
            label="Severity"
            hint="The colour or emoji the tool shows."
            errors={errorsAt('severity')}
            control={(p) => (
              <select {...p} name="severity" value={draft.severity} onChange={(e) => change({ severity: e.target.value as Draft['severity'] })}>
                <option value="">From the event type</option>
                {Object.entries(SEVERITIES).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
              </select>
            )}
          />
          <div className="row">
            <button type="button" className="button button-primary" disabled={save.busy} onClick={() => store(templateOf(draft), 'Template saved.')}>
              {save.busy ? 'Saving…' : 'Save template'}
            </button>
            {ep.chatTemplate !== null && (
              <ConfirmButton label="Reset to Herald’s default…" confirmLabel="Reset template" onConfirm={() => store(null, 'Template reset to Herald’s default.')} busy={save.busy} danger />
            )}
            {unsaved && <span className="muted small">Unsaved changes</span>}
          </div>
          {notice && <Notice tone="success">{notice}</Notice>}
          {save.error && !shownByField && <ErrorMessage error={save.error} />}
          <ChatPreview endpoint={params} template={templateOf(draft)} toolLabel={toolLabel} signed={ep.chatSigned} endpointEventTypes={ep.eventTypes} />
        </>
      )}
    </section>
  );
}

/** The stored template in words, for tokens that may only read it. */
function StoredTemplate({ template: t }: { template: ChatTemplate | null }) {
  if (t === null) return <p data-testid="stored-template">Herald’s default wording.</p>;
  const byDefault = <span className="muted">Herald’s default</span>;
  return (
    <div data-testid="stored-template">
      <Fields
        rows={[
          ['Title', t.title !== undefined ? <span className="mono">{t.title}</span> : byDefault],
          ['Text', t.text !== undefined ? <span className="mono pre-wrap">{t.text}</span> : byDefault],
          ['Fields', t.fields !== undefined ? <Chips items={t.fields} empty="None" /> : byDefault],
          ['Severity', t.severity ? SEVERITIES[t.severity] : <span className="muted">From the event type</span>],
        ]}
      />
    </div>
  );
}
