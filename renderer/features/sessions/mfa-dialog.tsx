// The MFA code dialog: appears when main asks (session:mfaRequested) while starting or renewing access; sends the
// 6-digit code (or "cancelled") back with session.answerMfa, then forgets it — the code never stays in state.
import { useEffect, useState, type FormEvent } from 'react';
import { UiError, useApi } from '../../api';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import type { MfaRequest } from '../../../preload/contract';

export function MfaPrompt() {
  const api = useApi();
  const [requests, setRequests] = useState<MfaRequest[]>([]);
  useEffect(() => api.session.onMfaRequested((request) => setRequests((list) => [...list, request])), [api]);
  const current = requests[0];
  if (!current) return null;
  return (
    <MfaDialog
      key={current.requestId}
      request={current}
      onDone={() => setRequests((list) => list.filter((r) => r.requestId !== current.requestId))}
    />
  );
}

export function MfaDialog({ request, onDone }: { request: MfaRequest; onDone: () => void }) {
  const api = useApi();
  const [code, setCode] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const valid = /^\d{6}$/.test(code);

  async function answer(value: string | null) {
    // One answer per request: Escape or Cancel while a code is on its way must not send a second one.
    if (sending) return;
    setSending(true);
    setError(null);
    setCode('');
    try {
      await api.session.answerMfa({ requestId: request.requestId, code: value });
      onDone();
    } catch (e) {
      setError(UiError.from(e));
      setSending(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (valid) void answer(code);
  }

  return (
    <Dialog
      title="Enter your security code"
      description={
        <>
          Upload access to <strong>{request.grantTitle}</strong> needs the 6-digit code from your authenticator app
          {request.deviceName ? ` (${request.deviceName})` : ''}.
        </>
      }
      onClose={() => void answer(null)}
    >
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="mfa-code">Security code</label>
          <input
            id="mfa-code"
            className="input input--code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            value={code}
            data-autofocus
            onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))}
            aria-describedby="mfa-code-help"
          />
          <p id="mfa-code-help" className="field__help">Six digits. Codes change every 30 seconds.</p>
        </div>
        {error ? <ErrorMessage error={error} context="sending the security code" /> : null}
        <div className="dialog__footer">
          <Button variant="quiet" onClick={() => void answer(null)} disabled={sending}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" disabled={!valid} busy={sending}>
            Continue
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
