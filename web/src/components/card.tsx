/**
 * One appointment card: its time in the shop's zone, customer, vehicle, services, technician and
 * how long it has sat in its column (marked, in words and colour, past the aging thresholds).
 * Clicking it opens its drawer. It moves by drag and drop, or from its menu: focus the card and
 * press Enter (or tap Move), pick a column (or Details for the drawer). While its move is undecided it is locked and says so (after
 * a few seconds, that it is still moving: the server decides every move it accepted, however long
 * that takes, so the page never gives up on one).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { allowedTargets } from '../../../domain/status';
import type { BoardItem, Status } from '../api';
import { COLUMN_LABELS } from '../board-view';
import { overdueLabel, timeInStatus } from '../card-aging';
import { timeRange } from '../format';
import type { InFlightMove } from '../move-machine';
import { movingText } from '../move-messages';

export interface CardProps {
  card: BoardItem;
  move: InFlightMove | undefined;
  serviceNames: ReadonlyMap<string, string>;
  autoFocus: boolean;
  onFocused(): void;
  onMove(card: BoardItem, to: Status): void;
  onLockedTouch(): void;
  onDragStart(card: BoardItem): void;
  onDragEnd(): void;
  /** False for a caller whose role may not move cards (a viewer): no drag, no menu, no Move button. */
  canMove: boolean;
  /** Opens the card's drawer. */
  onOpen(card: BoardItem): void;
  zone: string;
  /** The clock the time in status ticks by (ms since the epoch). */
  nowMs: number;
}

export function Card(props: CardProps) {
  const { card, move, serviceNames } = props;
  const [menuOpen, setMenuOpen] = useState(false);
  const ref = useRef<HTMLElement>(null);
  const locked = move !== undefined;
  const final = allowedTargets(card.status).length === 0;
  const movable = props.canMove && !final;
  const time = timeRange(card.appt_start, card.appt_end, props.zone);
  const technician =
    card.technician_id === null ? 'Unassigned' : `Technician: ${card.technician_name ?? card.technician_id}`;
  const aging = timeInStatus(card, props.nowMs);
  const overdue = overdueLabel(card, props.nowMs);

  const { autoFocus, onFocused } = props;
  useEffect(() => {
    // After a keyboard move the card lands in another column; keep the keyboard on it.
    if (autoFocus) {
      ref.current?.focus();
      onFocused();
    }
  }, [autoFocus, onFocused]);

  const openMenu = () => {
    if (locked) props.onLockedTouch();
    else setMenuOpen(true);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target !== e.currentTarget) return;
    // A viewer has no menu: Enter opens the drawer straight away.
    if (!props.canMove) {
      if (e.key === 'Enter') {
        e.preventDefault();
        props.onOpen(card);
      }
      return;
    }
    if (e.key === 'Enter' || e.key === ' ' || e.key === 'm' || e.key === 'M') {
      e.preventDefault();
      openMenu();
    }
  };

  const state = move ? move.phase.phase : 'idle';
  return (
    <article
      ref={ref}
      className={`card card-${state}${final ? ' card-final' : ''}${overdue ? ' card-overdue' : ''}`}
      data-testid="card"
      data-card-id={card.id}
      data-status={card.status}
      data-version={card.version}
      data-state={state}
      tabIndex={0}
      draggable={movable && !locked}
      aria-busy={locked}
      aria-label={`${time}, ${card.customer_name}, ${card.vehicle_label}, ${card.service_codes
        .map((c) => serviceNames.get(c) ?? c)
        .join(', ')}, ${technician}, ${aging}${
        overdue ? `, ${overdue}` : ''
      }${locked ? ', moving' : ''}${props.canMove ? '. Press Enter to move or for details.' : '. Press Enter for details.'}`}
      onKeyDown={onKeyDown}
      onClick={(e) => {
        // The Move button and the menu inside the card are not the card.
        if ((e.target as HTMLElement).closest('button, [role=menu]')) return;
        props.onOpen(card);
      }}
      onDragStart={(e) => {
        if (!movable) {
          e.preventDefault();
          return;
        }
        if (locked) {
          e.preventDefault();
          props.onLockedTouch();
          return;
        }
        e.dataTransfer.setData('text/plain', card.id);
        e.dataTransfer.effectAllowed = 'move';
        props.onDragStart(card);
      }}
      onDragEnd={props.onDragEnd}
    >
      <div className="card-head">
        <time dateTime={card.appt_start}>{time}</time>
        {!movable ? null : (
          <button
            type="button"
            className="card-move"
            tabIndex={-1}
            aria-hidden="true"
            disabled={locked}
            onClick={openMenu}
          >
            Move
          </button>
        )}
      </div>
      <p className="card-customer">{card.customer_name}</p>
      <p className="card-vehicle">{card.vehicle_label}</p>
      <ul className="card-services" aria-label="Services">
        {card.service_codes.map((code) => (
          <li key={code} title={code}>
            {serviceNames.get(code) ?? code}
          </li>
        ))}
      </ul>
      <p className="card-technician">{technician}</p>
      <p className="card-aging">
        <span>{aging}</span>
        {overdue ? <span className="overdue-label">{overdue}</span> : null}
      </p>
      {card.notes ? <p className="card-notes">{card.notes}</p> : null}
      {move ? (
        <p
          className="card-status"
          role="status"
          title={move.phase.phase === 'retrying' ? move.phase.reason : undefined}
        >
          <span className="spinner" aria-hidden="true" />
          {movingText(move)}
        </p>
      ) : null}
      {menuOpen ? (
        <MoveMenu
          from={card.status}
          onPick={(to) => {
            setMenuOpen(false);
            props.onMove(card, to);
          }}
          onDetails={() => {
            setMenuOpen(false);
            props.onOpen(card);
          }}
          onClose={() => {
            setMenuOpen(false);
            ref.current?.focus();
          }}
        />
      ) : null}
    </article>
  );
}

function MoveMenu({
  from,
  onPick,
  onClose,
  onDetails,
}: {
  from: Status;
  onPick(to: Status): void;
  onClose(): void;
  onDetails(): void;
}) {
  const targets = allowedTargets(from);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => {
    list.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(list.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      items[(at + step + items.length) % items.length]?.focus();
    } else if (e.key === 'Tab') {
      onClose();
    }
  };

  return (
    <div
      ref={list}
      className="move-menu"
      role="menu"
      aria-label={`Move from ${COLUMN_LABELS[from]} to`}
      onKeyDown={onKeyDown}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) onClose();
      }}
    >
      <p className="move-menu-title">Move to</p>
      {targets.length === 0 ? (
        <>
          <p className="move-menu-empty">{COLUMN_LABELS[from]} is final.</p>
          <button type="button" role="menuitem" onClick={onDetails}>
            Details
          </button>
          <button type="button" role="menuitem" onClick={onClose}>
            Close
          </button>
        </>
      ) : (
        targets.map((to) => (
          <button
            key={to}
            type="button"
            role="menuitem"
            data-target={to}
            className={`move-menu-item status-${to}`}
            onClick={() => onPick(to)}
          >
            {COLUMN_LABELS[to]}
          </button>
        ))
      )}
      {targets.length > 0 ? (
        <button type="button" role="menuitem" className="move-menu-details" onClick={onDetails}>
          Details
        </button>
      ) : null}
    </div>
  );
}
