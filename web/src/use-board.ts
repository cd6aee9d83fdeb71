/**
 * The board of one day, kept fresh: loads it, then polls every `pollMs` with If-None-Match (a 304
 * costs the server one index query and no body), pauses while the tab is hidden, and reloads at
 * once when the tab or the network comes back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { NetworkError, type Board, type BoardApi } from './api';

export interface BoardState {
  /** The board of the current day; undefined until it first loads. */
  board: Board | undefined;
  loading: boolean;
  /** Why the board could not be loaded (not for network failures: those set `offline`). */
  error: string | undefined;
  offline: boolean;
}

export function useBoard(
  api: BoardApi,
  day: string,
  pollMs: number,
): BoardState & { reload(): Promise<void> } {
  const [state, setState] = useState<BoardState>(() => ({
    board: undefined,
    loading: true,
    error: undefined,
    offline: typeof navigator !== 'undefined' && navigator.onLine === false,
  }));
  const etag = useRef<string | undefined>(undefined);
  const currentDay = useRef(day);

  const load = useCallback(
    async (force: boolean) => {
      try {
        const res = await api.getBoard(day, force ? undefined : etag.current);
        // The user may have moved to another day while this one was loading.
        if (currentDay.current !== day) return;
        if (res.notModified) {
          setState((s) => ({ ...s, loading: false, error: undefined, offline: false }));
          return;
        }
        etag.current = res.etag;
        setState({ board: res.board, loading: false, error: undefined, offline: false });
      } catch (err) {
        if (currentDay.current !== day) return;
        if (err instanceof NetworkError) setState((s) => ({ ...s, loading: false, offline: true }));
        else setState((s) => ({ ...s, loading: false, error: (err as Error).message }));
      }
    },
    [api, day],
  );

  useEffect(() => {
    currentDay.current = day;
    etag.current = undefined;
    setState((s) => ({ board: undefined, loading: true, error: undefined, offline: s.offline }));

    let timer: ReturnType<typeof setTimeout> | undefined;
    let generation = 0;
    let stopped = false;
    // Each tick supersedes any earlier one, so a visibility change never leaves two polling loops.
    const tick = async () => {
      const mine = ++generation;
      clearTimeout(timer);
      await load(false);
      if (stopped || mine !== generation || pollMs <= 0 || document.hidden) return;
      timer = setTimeout(() => void tick(), pollMs);
    };
    const onVisibility = () => {
      if (document.hidden) clearTimeout(timer);
      else void tick();
    };
    const onOnline = () => void tick();
    const onOffline = () => setState((s) => ({ ...s, offline: true }));

    void tick();
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    };
  }, [day, pollMs, load]);

  const reload = useCallback(() => load(true), [load]);
  return { ...state, reload };
}
