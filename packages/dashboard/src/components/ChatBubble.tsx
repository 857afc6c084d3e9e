import type { ChatPreviewOut } from '@herald/wire';

export type ChatMessage = ChatPreviewOut['message'];

/**
 * A chat message as any of the tools would show it, in no tool's own look (each draws it its own way; the exact body
 * is shown beside it): the title in its severity's colour, the text, the fields as name and value, the link as a
 * button.
 */
export function ChatBubble({ message, toolLabel }: { message: ChatMessage; toolLabel: string }) {
  return (
    <div className={`chat-bubble chat-${message.severity}`} data-testid="chat-bubble" data-severity={message.severity}>
      <div className="chat-avatar" aria-hidden="true">
        H
      </div>
      <div className="chat-content">
        <div className="chat-sender">
          Herald <span className="muted small">in {toolLabel} · {message.severity}</span>
        </div>
        <div className="chat-title" data-testid="chat-title">
          {message.title}
        </div>
        {message.text && <div className="chat-text">{message.text}</div>}
        {message.fields.length > 0 && (
          <dl className="chat-fields" data-testid="chat-fields">
            {message.fields.map((field, i) => (
              // Names may repeat (a template can list a path twice): the position keeps the keys apart.
              <div key={i} className="chat-field">
                <dt>{field.name}</dt>
                <dd>{field.value || <span className="muted">(empty)</span>}</dd>
              </div>
            ))}
          </dl>
        )}
        {message.link && (
          <a className="button button-small chat-link" href={message.link.url} target="_blank" rel="noreferrer">
            {message.link.label}
          </a>
        )}
      </div>
    </div>
  );
}
