// Toasts: short results of an action ("Saved the session log to …"). Successes are announced politely; errors
// assertively. Each stays until dismissed or for a few seconds, whichever comes first.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

export interface ToastInput {
  tone?: 'success' | 'info' | 'error';
  text: ReactNode;
  /** Milliseconds; errors default to staying until dismissed. */
  timeoutMs?: number;
}
interface Toast extends ToastInput { id: number }

const ToastContext = createContext<(toast: ToastInput) => void>(() => {});

export function useToast() {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children?: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    setToasts((list) => list.filter((t) => t.id !== id));
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
  }, []);

  const show = useCallback(
    (toast: ToastInput) => {
      const id = nextId.current++;
      setToasts((list) => [...list.slice(-4), { ...toast, id }]);
      const timeout = toast.timeoutMs ?? (toast.tone === 'error' ? 0 : 8000);
      if (timeout > 0) timers.current.set(id, setTimeout(() => dismiss(id), timeout));
    },
    [dismiss],
  );

  useEffect(() => {
    const map = timers.current;
    return () => map.forEach((t) => clearTimeout(t));
  }, []);

  const polite = toasts.filter((t) => t.tone !== 'error');
  const urgent = toasts.filter((t) => t.tone === 'error');
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts">
        <div aria-live="polite" className="toasts__stack">
          {polite.map((t) => <ToastView key={t.id} toast={t} onDismiss={dismiss} />)}
        </div>
        <div aria-live="assertive" className="toasts__stack">
          {urgent.map((t) => <ToastView key={t.id} toast={t} onDismiss={dismiss} />)}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

function ToastView({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  return (
    <div className={`toast toast--${toast.tone ?? 'info'}`} role={toast.tone === 'error' ? 'alert' : 'status'}>
      <div className="toast__text">{toast.text}</div>
      <button type="button" className="toast__close" aria-label="Dismiss message" onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}
