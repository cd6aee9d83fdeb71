/**
 * The top strip: the shop's name and time zone, the day being shown with its controls, the
 * technician filter, the booking button (admins), and the session's move figures.
 */
import { addDays } from '../../../domain/days';
import type { Technician, TechnicianFilter } from '../api';
import { formatDay, formatMs, isDay, todayIn } from '../format';
import type { TelemetrySummary } from '../move-telemetry';

/** The select's value for "Unassigned": the board filter's own word for it. */
export const UNASSIGNED = 'none';

export interface HeaderProps {
  day: string;
  onDay(day: string): void;
  zone: string;
  telemetry: TelemetrySummary;
  /** Undefined where the API has no technicians yet: no filter is offered. */
  technicians: readonly Technician[] | undefined;
  technician: TechnicianFilter;
  onTechnician(filter: TechnicianFilter): void;
  /** Undefined for a caller who may not book (staff, viewers, a closed write policy). */
  onNewAppointment: (() => void) | undefined;
}

export function Header(props: HeaderProps) {
  const { day, onDay } = props;
  const today = todayIn(props.zone);
  return (
    <header className="top">
      <div className="brand">
        <h1>Edgar&rsquo;s Auto Shop</h1>
        <p className="subtitle" data-testid="zone">
          Status board · times in {props.zone}
        </p>
      </div>
      <nav className="day-nav" aria-label="Day">
        <button type="button" onClick={() => onDay(addDays(day, -1))} aria-label="Previous day">
          ‹
        </button>
        <input
          type="date"
          value={day}
          aria-label="Day shown"
          onChange={(e) => {
            if (isDay(e.target.value)) onDay(e.target.value);
          }}
        />
        <button type="button" onClick={() => onDay(addDays(day, 1))} aria-label="Next day">
          ›
        </button>
        <button type="button" onClick={() => onDay(today)} disabled={day === today}>
          Today
        </button>
        <span className="day-label" data-testid="day-label">
          {formatDay(day)}
        </span>
      </nav>
      <div className="tools">
        {props.technicians ? (
          <div className="tech-filter">
            <label htmlFor="tech-filter">Technician</label>
            <select
              id="tech-filter"
              value={props.technician ?? ''}
              onChange={(e) => props.onTechnician(e.target.value === '' ? undefined : e.target.value)}
            >
              <option value="">All</option>
              <option value={UNASSIGNED}>Unassigned</option>
              {props.technicians.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {props.onNewAppointment ? (
          <button type="button" id="new-appointment" className="primary" onClick={props.onNewAppointment}>
            New appointment
          </button>
        ) : null}
      </div>
      <TelemetryStrip telemetry={props.telemetry} />
    </header>
  );
}

function TelemetryStrip({ telemetry }: { telemetry: TelemetrySummary }) {
  return (
    <dl className="telemetry" data-testid="telemetry" aria-label="Your moves this session">
      <div>
        <dt>Moves</dt>
        <dd data-testid="telemetry-moves">{telemetry.moves}</dd>
      </div>
      <div>
        <dt>Conflicts</dt>
        <dd data-testid="telemetry-conflicts">{Math.round(telemetry.conflictRate * 100)}%</dd>
      </div>
      <div>
        <dt>p95</dt>
        <dd>{formatMs(telemetry.p95Ms)}</dd>
      </div>
      <div>
        <dt>p99</dt>
        <dd>{formatMs(telemetry.p99Ms)}</dd>
      </div>
    </dl>
  );
}
