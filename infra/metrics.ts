/**
 * Metrics through aws-embedded-metrics (EMF), namespace EdgarAutoShop. In Lambda the EMF lines go
 * to stdout and CloudWatch extracts the metrics; locally METRICS_SINK picks stdout, a file under
 * .data/, or nothing.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LocalSink, MetricsLogger, Unit, createMetricsLogger } from 'aws-embedded-metrics';
import { MetricsContext } from 'aws-embedded-metrics/lib/logger/MetricsContext';
import type { IEnvironment } from 'aws-embedded-metrics/lib/environment/IEnvironment';
import { LogSerializer } from 'aws-embedded-metrics/lib/serializers/LogSerializer';
import type { ISink } from 'aws-embedded-metrics/lib/sinks/Sink';
import type { FailureReason, MoveStatus } from '../domain/move';
import { logger } from './logger';

export const METRICS_NAMESPACE = 'EdgarAutoShop';
export type MetricsSink = 'auto' | 'stdout' | 'file' | 'off';

class FileSink implements ISink {
  readonly name = 'FileSink';
  private readonly serializer = new LogSerializer();
  private ready: Promise<unknown>;
  constructor(private readonly path: string) {
    this.ready = mkdir(dirname(path), { recursive: true });
  }
  async accept(context: MetricsContext): Promise<void> {
    await this.ready;
    const lines = this.serializer.serialize(context);
    await appendFile(this.path, lines.map((l) => l + '\n').join(''));
  }
}

class DiscardSink implements ISink {
  readonly name = 'DiscardSink';
  async accept(): Promise<void> {}
}

function localEnvironment(sink: ISink): IEnvironment {
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

export function metricsLoggerFactory(sink: MetricsSink, file = '.data/metrics.log'): MetricsLoggerFactory {
  const inLambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);
  if (sink === 'auto' && inLambda) return () => createMetricsLogger();
  const target: ISink =
    sink === 'file' ? new FileSink(file) : sink === 'off' ? new DiscardSink() : new LocalSink();
  const env = localEnvironment(target);
  return () => new MetricsLogger(async () => env, MetricsContext.empty());
}

export interface MoveOutcomeMetric {
  outcome: MoveStatus | 'noop';
  transition: string;
  latencyMs: number;
  moveId: string;
}

/** The move worker's metrics: moves_total by outcome, occ_conflicts_total, move_latency_ms by transition. */
export class MoveMetrics {
  constructor(private readonly newLogger: MetricsLoggerFactory) {}

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
      logger.warn('metrics flush failed', { err });
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
      logger.warn('metrics flush failed', { err });
    }
  }
}
