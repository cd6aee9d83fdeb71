/**
 * The board of one day and its figures, kept fresh: loads both, then polls every `pollMs` with
 * If-None-Match (a 304 costs the server one index query and no body), pauses while the tab is
 * hidden, and reloads at once when the tab or the network comes back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { nextPollDelay } from './poll-delay';
import { ApiError, isRetryable, type Board, type BoardApi, type Stats, type TechnicianFilter } from './api';

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

  const statsInFlight = useRef(false);
  /** The figures, beside the board: never awaited by a poll, so slow stats do not slow the board. */
  const loadStats = useCallback(
    (force: boolean) => {
      if (statsInFlight.current) return;
      statsInFlight.current = true;
      api.getStats(day, force ? undefined : statsEtag.current).then(
        (res) => {
          statsInFlight.current = false;
          if (current.current !== key || res.notModified) return;
          statsEtag.current = res.etag;
          setState((s) => ({ ...s, stats: res.body }));
        },
        // A failed figures request leaves the last figures; the board's own poll says if it is offline.
        () => {
          statsInFlight.current = false;
        },
      );
    },
    [api, day, key],
  );

  const load = useCallback(
    /** Resolves to the server's Retry-After (ms) when it shed the poll (429/503), else undefined. */
    async (force: boolean): Promise<number | undefined> => {
      loadStats(force);
      try {
        const res = await api.getBoard(day, force ? undefined : etag.current, technician);
        // The user may have moved to another day (or filter) while this one was loading.
        if (current.current !== key) return undefined;
        if (res.notModified) {
          setState((s) => ({ ...s, loading: false, error: undefined, offline: false }));
          return undefined;
        }
        etag.current = res.etag;
        setState((s) => ({ ...s, board: res.board, loading: false, error: undefined, offline: false }));
      } catch (err) {
        if (current.current !== key) return undefined;
        if (isRetryable(err)) {
          setState((s) => ({ ...s, loading: false, offline: true }));
          return err instanceof ApiError ? err.retryAfterMs : undefined;
        }
        setState((s) => ({ ...s, loading: false, offline: false, error: (err as Error).message }));
      }
      return undefined;
    },
    [api, day, technician, key, loadStats],
  );

  useEffect(() => {
    current.current = key;
    etag.current = undefined;
    statsEtag.current = undefined;
    statsInFlight.current = false;
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
      const retryAfterMs = await load(false);
      if (stopped || mine !== generation || pollMs <= 0 || document.hidden) return;
      timer = setTimeout(() => void tick(), nextPollDelay(pollMs, retryAfterMs));
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

  const reload = useCallback(async () => void (await load(true)), [load]);
  return { ...state, reload };
}
