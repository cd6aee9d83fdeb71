/** The six columns with their counts; drop targets while a card is dragged. Also the loading skeleton. */
import { useState, type DragEvent } from 'react';
import { STATUSES, canTransition } from '../../../domain/status';
import type { BoardItem, Status } from '../api';
import { COLUMN_LABELS, type BoardView } from '../board-view';
import type { InFlightMove } from '../move-machine';
import { Card } from './card';

export interface BoardProps {
  view: BoardView;
  inFlight: ReadonlyMap<string, InFlightMove>;
  serviceNames: ReadonlyMap<string, string>;
  focusCardId: string | undefined;
  onFocused(): void;
  onMove(card: BoardItem, to: Status): void;
  onLockedTouch(): void;
  /** False for a viewer: the board is shown read-only. */
  canMove: boolean;
  onOpen(card: BoardItem): void;
  zone: string;
  nowMs: number;
}

export function Board(props: BoardProps) {
  const [dragging, setDragging] = useState<BoardItem | undefined>(undefined);

  const dropHandlers = (status: Status) => ({
    onDragOver: (e: DragEvent) => {
      // Every other column takes the drop, so a drop on a forbidden one can say what is allowed.
      if (!dragging || dragging.status === status) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
    },
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      const card = dragging;
      setDragging(undefined);
      if (props.canMove && card && card.id === e.dataTransfer.getData('text/plain'))
        props.onMove(card, status);
    },
  });

  return (
    <main className="board" aria-label="Status board">
      {STATUSES.map((status) => {
        const cards = props.view.columns[status];
        const dropClass = !dragging
          ? ''
          : dragging.status === status
            ? ' drop-source'
            : canTransition(dragging.status, status)
              ? ' drop-ok'
              : ' drop-no';
        return (
          <section
            key={status}
            className={`column status-${status}${dropClass}`}
            data-testid="column"
            data-column={status}
            aria-labelledby={`col-${status}`}
            {...dropHandlers(status)}
          >
            <h2 id={`col-${status}`} className="column-head">
              <span>{COLUMN_LABELS[status]}</span>
              <span className="count" data-testid="count" aria-label={`${cards.length} cards`}>
                {cards.length}
              </span>
            </h2>
            <div className="column-cards">
              {cards.map((card) => (
                <Card
                  key={card.id}
                  card={card}
                  move={props.inFlight.get(card.id)}
                  serviceNames={props.serviceNames}
                  autoFocus={props.focusCardId === card.id}
                  onFocused={props.onFocused}
                  onMove={props.onMove}
                  onLockedTouch={props.onLockedTouch}
                  onDragStart={setDragging}
                  onDragEnd={() => setDragging(undefined)}
                  canMove={props.canMove}
                  onOpen={props.onOpen}
                  zone={props.zone}
                  nowMs={props.nowMs}
                />
              ))}
              {cards.length === 0 ? <p className="column-empty">No cards</p> : null}
            </div>
          </section>
        );
      })}
    </main>
  );
}

export function BoardSkeleton() {
  return (
    <main className="board" aria-busy="true" aria-label="Loading the board" data-testid="skeleton">
      {STATUSES.map((status, i) => (
        <section key={status} className={`column status-${status}`}>
          <h2 className="column-head">
            <span>{COLUMN_LABELS[status]}</span>
            <span className="count">…</span>
          </h2>
          <div className="column-cards">
            {Array.from({ length: 2 - (i % 2) }, (_, j) => (
              <div key={j} className="card skeleton" aria-hidden="true">
                <span className="bone short" />
                <span className="bone" />
                <span className="bone" />
              </div>
            ))}
          </div>
        </section>
      ))}
    </main>
  );
}
