/**
 * Metrics through aws-embedded-metrics (EMF), namespace EdgarAutoShop. In Lambda the EMF lines go
 * to stdout and CloudWatch extracts the metrics; locally METRICS_SINK picks stdout, a file under
 * .data/, or nothing. Only the package's public API is used: a MetricsLogger over an environment
 * of our own whose sink is the package's LocalSink (stdout or, re-pointed, a file) or a discard.
 */
import { Console } from 'node:console';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { LocalSink, MetricsLogger, Unit, createMetricsLogger } from 'aws-embedded-metrics';
import type { FailureReason, MoveStatus } from '../domain/move';
import type { WarnLog } from '../domain/ports';
import type { ServiceConfig } from './config';

export const METRICS_NAMESPACE = 'EdgarAutoShop';
export type MetricsSink = ServiceConfig['METRICS_SINK'];

/**
 * The environment and sink shapes MetricsLogger's public constructor takes (the package's index
 * does not export their interfaces, only the class that uses them).
 */
type MetricsEnvironment = Awaited<ReturnType<ConstructorParameters<typeof MetricsLogger>[0]>>;
type MetricsSinkTarget = ReturnType<MetricsEnvironment['getSink']>;

/**
 * EMF documents appended to a file, one a line: the package's LocalSink, which serializes each
 * flush and prints it through its public `console`, given a console on the file instead of stdout.
 * Each line is appended synchronously, so a flush that resolved is on disk (as with the awaited
 * append before); a failed append is reported and the next one tried afresh, never failing a move.
 */
class FileSink extends LocalSink {
  override readonly console: Console;
  constructor(path: string, onError: (err: unknown) => void) {
    super();
    let dirReady = false;
    const file = new Writable({
      write(chunk: Buffer, _encoding, done) {
        try {
          if (!dirReady) {
            mkdirSync(dirname(path), { recursive: true });
            dirReady = true;
          }
          appendFileSync(path, chunk);
        } catch (err) {
          onError(err);
        }
        done();
      },
    });
    this.console = new Console({ stdout: file, stderr: file });
  }
}

const discardSink: MetricsSinkTarget = { name: 'DiscardSink', accept: async () => undefined };

/** Outside Lambda: no environment probing (the package would try EC2's metadata endpoint), one sink. */
function localEnvironment(sink: MetricsSinkTarget): MetricsEnvironment {
  return {
    probe: async () => true,
    getName: () => 'edgar-auto-shop',
    getType: () => 'Local',
    getLogGroupName: () => 'edgar-auto-shop-metrics',
    configureContext: () => undefined,
    getSink: () => sink,
  };
}

export type MetricsLoggerFactory = () => MetricsLogger;

export interface MetricsOptions {
  sink: MetricsSink;
  file: string;
  /** In a Lambda function (config's AWS_LAMBDA_FUNCTION_NAME is set): `auto` means CloudWatch. */
  inLambda: boolean;
}

export function metricsLoggerFactory(opts: MetricsOptions, log: WarnLog): MetricsLoggerFactory {
  if (opts.sink === 'auto' && opts.inLambda) return () => createMetricsLogger();
  const target =
    opts.sink === 'file'
      ? new FileSink(opts.file, (err) => log.warn('metrics file append failed', { err, file: opts.file }))
      : opts.sink === 'off'
        ? discardSink
        : new LocalSink();
  const env = localEnvironment(target);
  return () => new MetricsLogger(async () => env);
}

export interface MoveOutcomeMetric {
  outcome: MoveStatus | 'noop';
  transition: string;
  latencyMs: number;
  moveId: string;
}

/** The move worker's metrics: moves_total by outcome, occ_conflicts_total, move_latency_ms by transition. */
export class MoveMetrics {
  constructor(
    private readonly newLogger: MetricsLoggerFactory,
    private readonly log: WarnLog,
  ) {}

  async recordOutcome(m: MoveOutcomeMetric): Promise<void> {
    try {
      // EMF carries one dimension set per document, so each dimension gets its own document.
      const byOutcome = this.newLogger();
      byOutcome.setNamespace(METRICS_NAMESPACE);
      byOutcome.setDimensions({ outcome: m.outcome });
      byOutcome.putMetric('moves_total', 1, Unit.Count);
      byOutcome.setProperty('move_id', m.moveId);

      const byTransition = this.newLogger();
      byTransition.setNamespace(METRICS_NAMESPACE);
      byTransition.setDimensions({ transition: m.transition });
      byTransition.putMetric('move_latency_ms', m.latencyMs, Unit.Milliseconds);
      byTransition.setProperty('move_id', m.moveId);

      const flushes = [byOutcome.flush(), byTransition.flush()];
      if (m.outcome === 'conflict') {
        const conflicts = this.newLogger();
        conflicts.setNamespace(METRICS_NAMESPACE);
        conflicts.setDimensions({});
        conflicts.putMetric('occ_conflicts_total', 1, Unit.Count);
        conflicts.setProperty('move_id', m.moveId);
        flushes.push(conflicts.flush());
      }
      await Promise.all(flushes);
    } catch (err) {
      // Losing a metric must never fail a move.
      this.log.warn('metrics flush failed', { err });
    }
  }

  /**
   * moves_failed_total by reason: moves settled failed (the worker on a move's last allowed
   * delivery, the sweeper at the give-up time, redrive-dlq). Any of these deserves a look.
   */
  async recordFailures(reason: FailureReason, count: number): Promise<void> {
    try {
      const m = this.newLogger();
      m.setNamespace(METRICS_NAMESPACE);
      m.setDimensions({ reason });
      m.putMetric('moves_failed_total', count, Unit.Count);
      await m.flush();
    } catch (err) {
      this.log.warn('metrics flush failed', { err });
    }
  }
}
