// ErrorMessage: an error in plain words, what to do next, who to ask, and "Copy details for helpdesk" — which
// copies only whitelisted, non-secret fields (code, request id, time, status), never arbitrary details.
import type { UiError } from '../api';
import { Button } from './button';
import { CopyFallback, useCopy } from './copy-text';

/** The exact text staff paste into a helpdesk ticket. Built from an allow-list of fields, so no secret can leak. */
export function helpdeskText(error: UiError, context?: string): string {
  const d = error.details;
  const lines = [
    'Grantbox problem report',
    `What happened: ${error.message}`,
    `Code: ${error.code}`,
    typeof d.awsCode === 'string' ? `Service code: ${d.awsCode}` : '',
    typeof d.requestId === 'string' ? `Request id: ${d.requestId}` : '',
    typeof d.httpStatus === 'number' ? `HTTP status: ${d.httpStatus}` : '',
    context ? `While: ${context}` : '',
    `Time: ${error.at}`,
  ];
  return lines.filter(Boolean).join('\n');
}

export function ErrorMessage({ error, context, title, live = true, onDismiss }: {
  error: UiError;
  /** What the person was doing, e.g. "starting upload access to HR documents". */
  context?: string;
  title?: string;
  /** Announce assertively (role=alert). Off for errors listed in bulk (queue rows). */
  live?: boolean;
  onDismiss?: () => void;
}) {
  const text = helpdeskText(error, context);
  const { copied, copy } = useCopy(text);
  const hint = typeof error.details.hint === 'string' ? error.details.hint : undefined;
  const contact = typeof error.details.contact === 'string' ? error.details.contact : undefined;
  return (
    <div className="error" role={live ? 'alert' : undefined}>
      {title ? <p className="error__title">{title}</p> : null}
      <p className="error__message">{error.message}</p>
      {hint ? <p className="error__hint">{hint}</p> : null}
      {contact ? <p className="error__contact">Who can help: {contact}</p> : null}
      <div className="error__actions">
        <Button size="sm" variant="quiet" onClick={() => void copy()}>
          Copy details for helpdesk
        </Button>
        {onDismiss ? (
          <Button size="sm" variant="quiet" onClick={onDismiss}>
            Dismiss
          </Button>
        ) : null}
        <span className="error__copied" role="status">
          {copied === 'done' ? 'Copied. Paste it into your message to the helpdesk.' : ''}
        </span>
      </div>
      <CopyFallback copied={copied} text={text} rows={5} className="error__fallback" />
    </div>
  );
}
