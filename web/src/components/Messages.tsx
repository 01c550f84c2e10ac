import type { Message, MessagePart } from '../api';

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Part({ part }: { part: MessagePart }) {
  switch (part.type) {
    case 'text':
      return <div className="msg-text">{part.text}</div>;
    case 'reasoning':
      return <div className="msg-text reasoning">{part.text}</div>;
    case 'tool_call':
      return (
        <div className="tool-call">
          <div className="tool-head">
            <span className="kind k-tool">CALL</span> <b>{part.tool_name}</b>
            {part.tool_call_id && <span className="muted mono small"> {part.tool_call_id}</span>}
          </div>
          {part.arguments && <pre className="code">{prettyJson(part.arguments)}</pre>}
        </div>
      );
    case 'tool_result':
      return (
        <div className="tool-call">
          <div className="tool-head">
            <span className="kind k-tool">RESULT</span>
            {part.tool_call_id && <span className="muted mono small"> {part.tool_call_id}</span>}
          </div>
          {part.text && <pre className="code">{prettyJson(part.text)}</pre>}
        </div>
      );
    case 'image':
      return <div className="muted">[image {part.uri}]</div>;
    default:
      return <pre className="code">{part.text}</pre>;
  }
}

export function MessageList(props: { title: string; messages: Message[]; testId?: string }) {
  if (props.messages.length === 0) return null;
  return (
    <section className="section" data-testid={props.testId}>
      <h3>{props.title}</h3>
      {props.messages.map((m, i) => (
        <div key={i} className={`msg role-${m.role}`}>
          <div className="msg-role">
            {m.role}
            {m.name && <span className="muted"> · {m.name}</span>}
            {m.finish_reason && <span className="muted small"> · finish: {m.finish_reason}</span>}
          </div>
          {m.parts.map((p, j) => (
            <Part key={j} part={p} />
          ))}
        </div>
      ))}
    </section>
  );
}
