/** Short messages at the bottom of the screen; they go away by themselves, or with their close button. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Toast } from '../move-messages';

const SHOW_MS = 6000;

interface ShownToast extends Toast {
  id: number;
}

export function useToasts() {
  const [toasts, setToasts] = useState<ShownToast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);

  const show = useCallback(
    (toast: Toast) => {
      const id = nextId.current++;
      // The same words twice in a row (two refusals, say) replace each other rather than stack.
      setToasts((list) => [...list.filter((t) => t.text !== toast.text).slice(-2), { ...toast, id }]);
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), SHOW_MS),
      );
    },
    [dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((t) => clearTimeout(t));
  }, []);

  return { toasts, show, dismiss };
}

export function Toasts({ toasts, onDismiss }: { toasts: ShownToast[]; onDismiss(id: number): void }) {
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} data-testid="toast">
          <span>{t.text}</span>
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => onDismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
