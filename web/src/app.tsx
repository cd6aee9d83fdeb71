/**
 * The staff board page: the day's board and figures kept fresh by polling, the page's own moves
 * laid over it, toasts for what the moves say, the session's move figures in the header, a drawer
 * per card and the booking form.
 */
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import {
  createApiClient,
  mayAdmin,
  mayEdit,
  mayMove,
  newMoveId,
  type Appointment,
  type BoardItem,
  type MeView,
  type ServiceView,
  type Status,
  type Technician,
  type TechnicianFilter,
} from './api';
import { boardView, shopZone, toBoardItem, withBooked } from './board-view';
import { Board, BoardSkeleton } from './components/board';
import { BookingForm } from './components/booking-form';
import { CardDrawer } from './components/card-drawer';
import { DayFigures } from './components/day-figures';
import { Header } from './components/header';
import { Toasts, useToasts } from './components/toasts';
import { DEFAULT_ZONE, isDay, todayIn } from './format';
import { MoveCoordinator } from './move-machine';
import { LOCKED_MESSAGE, outcomeToast, refusalToast } from './move-messages';
import { useBoard } from './use-board';

const DEFAULT_POLL_SECONDS = 4;

/** `?date=YYYY-MM-DD` picks the day; `?poll=<seconds>` the polling interval (0 turns polling off). */
function readUrl(): { day: string; pollMs: number; dayGiven: boolean } {
  const params = new URLSearchParams(window.location.search);
  const date = params.get('date');
  const poll = Number(params.get('poll') ?? DEFAULT_POLL_SECONDS);
  return {
    dayGiven: isDay(date),
    day: isDay(date) ? date : todayIn(DEFAULT_ZONE),
    pollMs: Number.isFinite(poll) && poll >= 0 ? poll * 1000 : DEFAULT_POLL_SECONDS * 1000,
  };
}

/** The clock cards' time in status ticks by: re-rendered every `ms`, no request made. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function App() {
  const [{ day, pollMs, dayGiven }, setUrlState] = useState(readUrl);
  const [technician, setTechnician] = useState<TechnicianFilter>(undefined);
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
  const board = useBoard(api, day, pollMs, technician);
  const { toasts, show, dismiss } = useToasts();
  const [services, setServices] = useState<readonly ServiceView[]>([]);
  const serviceNames = useMemo(() => new Map(services.map((s) => [s.code, s.name])), [services]);
  const [technicians, setTechnicians] = useState<readonly Technician[] | undefined>(undefined);
  const [focusCardId, setFocusCardId] = useState<string | undefined>(undefined);
  const [drawer, setDrawer] = useState<BoardItem | undefined>(undefined);
  const [booking, setBooking] = useState(false);
  const [booked, setBooked] = useState<BoardItem[]>([]);
  const nowMs = useNow(30_000);
  // The shop's zone as the last board named it (kept while the next day loads).
  const [zone, setZone] = useState(DEFAULT_ZONE);
  const namedZone = board.board ? shopZone(board.board) : undefined;
  useEffect(() => {
    if (namedZone) setZone(namedZone);
  }, [namedZone]);

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
    api.listServices().then(setServices, () => undefined);
    // No technicians (an API before issue 13, or a failure): no filter and no technician field.
    api.listTechnicians().then(setTechnicians, () => undefined);
  }, [api]);

  const setDay = useCallback((next: string) => {
    const url = new URL(window.location.href);
    url.searchParams.set('date', next);
    window.history.replaceState(null, '', url);
    setUrlState((s) => ({ ...s, day: next, dayGiven: true }));
  }, []);

  // Without ?date the page opens on today in the shop's zone, once the board has named it.
  useEffect(() => {
    if (!dayGiven && zone !== DEFAULT_ZONE) {
      const today = todayIn(zone);
      if (today !== day) setUrlState((st) => ({ ...st, day: today, dayGiven: true }));
    }
    // Only the zone decides here (the first one the board names); later day changes are the user's.
  }, [zone]);

  const { reload } = board;
  const onOpen = useCallback((card: BoardItem) => setDrawer(card), []);
  const closeDrawer = useCallback(() => {
    // Focus goes back to the card the drawer was opened from.
    setFocusCardId(drawer?.id);
    setDrawer(undefined);
  }, [drawer]);
  const onBooked = useCallback(
    (a: Appointment) => {
      setBooking(false);
      setBooked((list) => [...list, toBoardItem(a)]);
      show({ tone: 'info', text: `Booked ${a.customer_name}.` });
      setFocusCardId(a.id);
      void reload();
    },
    [reload, show],
  );
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

  const view = board.board
    ? boardView(technician === undefined ? withBooked(board.board, booked) : board.board, moves)
    : undefined;
  return (
    <div className="page" data-role={me?.role ?? 'unknown'}>
      <Header
        day={day}
        onDay={setDay}
        zone={zone}
        telemetry={moves.telemetry}
        technicians={technicians}
        technician={technician}
        onTechnician={setTechnician}
        onNewAppointment={me && mayAdmin(me) ? () => setBooking(true) : undefined}
      />
      {board.offline ? (
        <div className="banner banner-offline" role="alert" data-testid="offline">
          Offline, retrying… The board shows what was last loaded.
        </div>
      ) : null}
      {board.error ? (
        <div className="banner banner-error" role="alert">
          The board could not be loaded: {board.error}
        </div>
      ) : null}
      <DayFigures stats={board.stats} />
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
          onOpen={onOpen}
          zone={zone}
          nowMs={nowMs}
        />
      )}
      {drawer ? (
        <CardDrawer
          key={drawer.id}
          api={api}
          cardId={drawer.id}
          customerName={drawer.customer_name}
          zone={zone}
          may={{ edit: me ? mayEdit(me) : false, admin: me ? mayAdmin(me) : false }}
          services={services}
          technicians={technicians}
          onClose={closeDrawer}
          onSaved={() => void reload()}
        />
      ) : null}
      {booking ? (
        <BookingForm
          api={api}
          zone={zone}
          day={day}
          services={services}
          onClose={() => {
            setBooking(false);
            // Back to the button that opened the form, once the dialog (which makes the page inert) is gone.
            setTimeout(() => document.getElementById('new-appointment')?.focus(), 0);
          }}
          onBooked={onBooked}
        />
      ) : null}
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </div>
  );
}
