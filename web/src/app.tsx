/**
 * The staff board page: the day's board kept fresh by polling, the page's own moves laid over it,
 * toasts for what the moves say, and the session's move figures in the header.
 */
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { createApiClient, mayMove, newMoveId, type BoardItem, type MeView, type Status } from './api';
import { boardView } from './board-view';
import { Board, BoardSkeleton } from './components/board';
import { Header } from './components/header';
import { Toasts, useToasts } from './components/toasts';
import { isDay, todayUtc } from './format';
import { MoveCoordinator } from './move-machine';
import { LOCKED_MESSAGE, outcomeToast, refusalToast } from './move-messages';
import { useBoard } from './use-board';

const DEFAULT_POLL_SECONDS = 4;

/** `?date=YYYY-MM-DD` picks the day; `?poll=<seconds>` the polling interval (0 turns polling off). */
function readUrl(): { day: string; pollMs: number } {
  const params = new URLSearchParams(window.location.search);
  const date = params.get('date');
  const poll = Number(params.get('poll') ?? DEFAULT_POLL_SECONDS);
  return {
    day: isDay(date) ? date : todayUtc(),
    pollMs: Number.isFinite(poll) && poll >= 0 ? poll * 1000 : DEFAULT_POLL_SECONDS * 1000,
  };
}

export function App() {
  const [{ day, pollMs }, setUrlState] = useState(readUrl);
  const api = useMemo(() => createApiClient((input, init) => fetch(input, init)), []);
  const coordinator = useMemo(
    () =>
      new MoveCoordinator({
        api,
        now: () => performance.now(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        setTimer: (ms, fn) => {
          const timer = setTimeout(fn, ms);
          return () => clearTimeout(timer);
        },
        random: Math.random,
        newMoveId: () => newMoveId((bytes) => crypto.getRandomValues(bytes)),
      }),
    [api],
  );
  const moves = useSyncExternalStore(coordinator.subscribe, coordinator.getSnapshot);
  const board = useBoard(api, day, pollMs);
  const { toasts, show, dismiss } = useToasts();
  const [serviceNames, setServiceNames] = useState<ReadonlyMap<string, string>>(new Map());
  const [focusCardId, setFocusCardId] = useState<string | undefined>(undefined);

  // Who the page acts as: until GET /api/me answers, the board is read-only (a viewer must never
  // see move controls, even for a moment). It is asked again until it answers.
  const [me, setMe] = useState<MeView | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = () => {
      api.me().then(
        (answer) => {
          if (!stopped) setMe(answer);
        },
        () => {
          if (!stopped) timer = setTimeout(ask, 5000);
        },
      );
    };
    ask();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api]);

  useEffect(() => {
    // Names for the service codes on the cards; the codes do if the catalog cannot be read.
    api.listServices().then(
      (services) => setServiceNames(new Map(services.map((s) => [s.code, s.name]))),
      () => undefined,
    );
  }, [api]);

  const setDay = useCallback((next: string) => {
    const url = new URL(window.location.href);
    url.searchParams.set('date', next);
    window.history.replaceState(null, '', url);
    setUrlState((s) => ({ ...s, day: next }));
  }, []);

  const { reload } = board;
  const onMove = useCallback(
    (card: BoardItem, to: Status) => {
      setFocusCardId(document.activeElement?.closest('[data-card-id]') ? card.id : undefined);
      const started = coordinator.start(card, to);
      if (!started.started) {
        const toast = refusalToast(started, card.status, to);
        if (toast) show(toast);
        return;
      }
      void started.done.then(async (result) => {
        // A stale or refused move means this page's board is behind: refresh it before saying so.
        if (result.kind === 'conflict' || result.kind === 'rejected') await reload();
        // A card sent back to its column is a new element: give the keyboard its card back.
        if (document.activeElement === document.body) setFocusCardId(card.id);
        const toast = outcomeToast(result);
        if (toast) show(toast);
      });
    },
    [coordinator, reload, show],
  );
  const onLockedTouch = useCallback(() => show({ tone: 'info', text: LOCKED_MESSAGE }), [show]);
  const onFocused = useCallback(() => setFocusCardId(undefined), []);

  const view = board.board ? boardView(board.board, moves) : undefined;
  return (
    <div className="page" data-role={me?.role ?? 'unknown'}>
      <Header day={day} onDay={setDay} telemetry={moves.telemetry} />
      {board.offline ? (
        <div className="banner banner-offline" role="alert" data-testid="offline">
          You are offline. The board shows what was last loaded and refreshes when the connection is back.
        </div>
      ) : null}
      {board.error ? (
        <div className="banner banner-error" role="alert">
          The board could not be loaded: {board.error}
        </div>
      ) : null}
      {!view ? (
        board.loading || board.offline ? (
          <BoardSkeleton />
        ) : null
      ) : view.total === 0 && moves.inFlight.size === 0 ? (
        <div className="empty" data-testid="empty">
          <p className="empty-title">No appointments on this day.</p>
          <p>Use ‹ and › or the date picker to look at another day.</p>
        </div>
      ) : (
        <Board
          view={view}
          inFlight={moves.inFlight}
          serviceNames={serviceNames}
          focusCardId={focusCardId}
          onFocused={onFocused}
          onMove={onMove}
          onLockedTouch={onLockedTouch}
          canMove={me ? mayMove(me) : false}
        />
      )}
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}
