/** The top strip: the shop's name, the day being shown with its controls, and the session's move figures. */
import { addDays } from '../../../domain/days';
import { formatDay, formatMs, isDay, todayUtc } from '../format';
import type { TelemetrySummary } from '../move-telemetry';

export function Header({
  day,
  onDay,
  telemetry,
}: {
  day: string;
  onDay(day: string): void;
  telemetry: TelemetrySummary;
}) {
  const today = todayUtc();
  return (
    <header className="top">
      <div className="brand">
        <h1>Edgar&rsquo;s Auto Shop</h1>
        <p className="subtitle">Status board · times in UTC</p>
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
      <TelemetryStrip telemetry={telemetry} />
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
