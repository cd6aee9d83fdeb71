/**
 * The board of one day and its figures, kept fresh: loads both, then polls every `pollMs` with
 * If-None-Match (a 304 costs the server one index query and no body), pauses while the tab is
 * hidden, and reloads at once when the tab or the network comes back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { isRetryable, type Board, type BoardApi, type Stats, type TechnicianFilter } from './api';

export interface BoardState {
  /** The board of the current day; undefined until it first loads. */
  board: Board | undefined;
  /** The day's figures (the whole day, whatever the technician filter); undefined until loaded. */
  stats: Stats | undefined;
  loading: boolean;
  /** Why the board could not be loaded (not for failures worth retrying: those set `offline`). */
  error: string | undefined;
  /** The last poll got no answer (offline, a network failure, a 5xx or 429): it keeps retrying. */
  offline: boolean;
}

export function useBoard(
  api: BoardApi,
  day: string,
  pollMs: number,
  technician: TechnicianFilter = undefined,
): BoardState & { reload(): Promise<void> } {
  const [state, setState] = useState<BoardState>(() => ({
    board: undefined,
    stats: undefined,
    loading: true,
    error: undefined,
    offline: typeof navigator !== 'undefined' && navigator.onLine === false,
  }));
  const etag = useRef<string | undefined>(undefined);
  const statsEtag = useRef<string | undefined>(undefined);
  const current = useRef(`${day}|${technician}`);
  const key = `${day}|${technician}`;

  const load = useCallback(
    async (force: boolean) => {
      const [board, stats] = await Promise.allSettled([
        api.getBoard(day, force ? undefined : etag.current, technician),
        api.getStats(day, force ? undefined : statsEtag.current),
      ]);
      // The user may have moved to another day (or filter) while this one was loading.
      if (current.current !== key) return;
      if (stats.status === 'fulfilled' && !stats.value.notModified) {
        statsEtag.current = stats.value.etag;
        const figures = stats.value.body;
        setState((s) => ({ ...s, stats: figures }));
      }
      if (board.status === 'rejected') {
        const err: unknown = board.reason;
        if (isRetryable(err)) setState((s) => ({ ...s, loading: false, offline: true }));
        else setState((s) => ({ ...s, loading: false, offline: false, error: (err as Error).message }));
        return;
      }
      const res = board.value;
      if (res.notModified) {
        setState((s) => ({ ...s, loading: false, error: undefined, offline: false }));
        return;
      }
      etag.current = res.etag;
      setState((s) => ({ ...s, board: res.board, loading: false, error: undefined, offline: false }));
    },
    [api, day, technician, key],
  );

  useEffect(() => {
    current.current = key;
    etag.current = undefined;
    statsEtag.current = undefined;
    setState((s) => ({
      board: undefined,
      // The figures are the day's, whatever the filter: a filter change keeps them.
      stats: s.stats?.from === day ? s.stats : undefined,
      loading: true,
      error: undefined,
      offline: s.offline,
    }));

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
  }, [day, key, pollMs, load]);

  const reload = useCallback(() => load(true), [load]);
  return { ...state, reload };
}
