/**
 * `npm run redrive-dlq`: empties moves-dlq.fifo by deciding what each dead letter stands for.
 * A message reaches the DLQ only when it could not be read or its batch crashed the function on
 * every delivery (the worker itself settles a move that keeps failing on its last delivery), so
 * sending it back would most likely loop. By default each message naming a still-pending move
 * settles that move `failed` with reason `dead_lettered` (conditional on pending, so a move the
 * worker decided meanwhile keeps its outcome) and is deleted; a message whose move is already
 * decided is deleted; an unreadable one is kept and listed. `--redrive` sends pending moves back
 * to moves.fifo instead, each as a new message (a fresh deduplication id: the original is still in
 * the queue's 5-minute dedup memory) in its card's group; the worker judges it by version like any
 * move, so a stale one becomes a conflict. Works against AWS and against the local stack.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DEFAULT_TIME_ZONE } from '../domain/days';
import type { MoveRecord } from '../domain/move';
import { moveMessageSchema, type MoveMessage } from '../domain/schemas';
import { createDocumentClient } from '../infra/aws-clients';
import { DynamoDbMoveRepository } from '../infra/dynamodb/dynamodb-move-repository';
import { isLoopback } from '../client/api-client';
import {
  UsageError,
  intOption,
  main,
  parseOptions,
  processIo,
  runScript,
  stringOption,
  type ScriptIo,
} from './lib/cli';
import { findLocalStack } from './lib/local-stack';
import { queueRegion, sqsClientFor, urlOption } from './lib/queues';

const HELP = `Usage: npm run redrive-dlq -- [options]

Empties the dead-letter queue of the moves. For each message, one line (what it did, move_id,
card, receive count):
  the move is still pending   settle it failed, reason dead_lettered, and delete the message
                              (with --redrive: send it back to the move queue instead)
  the move is already decided delete the message ("already decided")
  unreadable message          keep it and list it (delete it with --purge-unreadable)
  move not in the table       keep it and list it (is --table-name right?)

Options:
  --dlq-url URL            the dead-letter queue (env DLQ_URL)
  --move-queue-url URL     the move queue, needed with --redrive (env MOVE_QUEUE_URL)
  --table-name NAME        the table holding the moves (env TABLE_NAME)
  --dynamodb-endpoint URL  DynamoDB other than AWS's, e.g. DynamoDB Local (env DYNAMODB_ENDPOINT)
  --sqs-endpoint URL       SQS endpoint (env SQS_ENDPOINT; for the local emulator's *.localhost URLs
                           it defaults to http://127.0.0.1:<their port>)
  --region NAME            (default: from the queue URL, else AWS_REGION, else us-west-2)
  --max N                  handle at most N messages (default 1000)
  --redrive                send pending moves back to the move queue instead of settling them
  --purge-unreadable       delete unreadable messages instead of keeping them
  --dry-run                list what it would do and change nothing
  -h, --help               this text

Against \`npm start\`, give no URL: the queues, the table and the endpoints come from the stack's
DATA_DIR/endpoints.json (DATA_DIR default .data). On AWS, with your AWS credentials:
  DLQ_URL=https://sqs.us-west-2.amazonaws.com/<account>/edgar-auto-shop-prod-moves-dlq.fifo \\
  TABLE_NAME=edgar-auto-shop-prod npm run redrive-dlq -- --dry-run`;

/** Where everything is, from the options, the environment, or the local stack's endpoints file. */
interface Target {
  dlqUrl: string;
  moveQueueUrl?: string;
  tableName: string;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  region: string;
  source?: string;
}

interface Options {
  max: number;
  dryRun: boolean;
  redrive: boolean;
  purgeUnreadable: boolean;
}

type Verdict =
  | { kind: 'pending'; message: MoveMessage; move: MoveRecord }
  | { kind: 'decided'; message: MoveMessage; status: string }
  | { kind: 'unknown'; message: MoveMessage }
  | { kind: 'unreadable'; problem: string };

interface Tally {
  settled: number;
  redriven: number;
  decided: number;
  purged: number;
  kept: number;
}

function parseBody(body: string | undefined): MoveMessage | string {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return 'not JSON';
  }
  const parsed = moveMessageSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

function describe(m: Message, verdict: Verdict): string {
  const received = `received ${m.Attributes?.ApproximateReceiveCount ?? '?'} times`;
  if (verdict.kind === 'unreadable') return `message ${m.MessageId} (${verdict.problem}; ${received})`;
  const { move_id, to_status, appointment_id } = verdict.message;
  return `move ${move_id} → ${to_status} on ${appointment_id} (${received})`;
}

async function judge(moves: DynamoDbMoveRepository, m: Message): Promise<Verdict> {
  const message = parseBody(m.Body);
  if (typeof message === 'string') return { kind: 'unreadable', problem: message };
  const move = await moves.getMove(message.move_id, true);
  if (!move) return { kind: 'unknown', message };
  if (move.status === 'pending') return { kind: 'pending', message, move };
  return { kind: 'decided', message, status: move.status };
}

class DeadLetters {
  private readonly tally: Tally = { settled: 0, redriven: 0, decided: 0, purged: 0, kept: 0 };

  constructor(
    private readonly sqs: SQSClient,
    private readonly moves: DynamoDbMoveRepository,
    private readonly target: Target,
    private readonly opts: Options,
    private readonly io: ScriptIo,
  ) {}

  /**
   * Receives until every message has been seen once. Kept messages (and, in a dry run, all of
   * them) are made visible again right after their batch: one left in flight would lock the rest
   * of its FIFO group. Seeing only already-seen messages again means the queue is done.
   */
  async run(): Promise<Tally> {
    const seen = new Set<string>();
    let handled = 0;
    while (handled < this.opts.max) {
      const res = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.target.dlqUrl,
          MaxNumberOfMessages: Math.min(10, this.opts.max - handled),
          WaitTimeSeconds: 1,
          VisibilityTimeout: 30,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages = res.Messages ?? [];
      const release: Message[] = [];
      let fresh = 0;
      try {
        for (const m of messages) {
          if (seen.has(m.MessageId ?? '')) {
            release.push(m);
            continue;
          }
          seen.add(m.MessageId ?? '');
          fresh += 1;
          handled += 1;
          if (!(await this.handle(m))) release.push(m);
        }
      } finally {
        await this.makeVisible(release);
      }
      if (fresh === 0) break;
    }
    return this.tally;
  }

  /** Returns whether the message left the DLQ (or would have, in a dry run). */
  private async handle(m: Message): Promise<boolean> {
    const verdict = await judge(this.moves, m);
    const what = describe(m, verdict);
    const dry = this.opts.dryRun;
    const kept = dry ? 'would keep' : 'kept';
    const deleted = dry ? 'would delete' : 'deleted';
    switch (verdict.kind) {
      case 'unreadable':
        if (!this.opts.purgeUnreadable) {
          this.tally.kept += 1;
          this.io.out(`${kept} (unreadable): ${what}`);
          return false;
        }
        if (!dry) await this.delete(m);
        this.tally.purged += 1;
        this.io.out(`${deleted} (unreadable): ${what}`);
        return !dry;
      case 'unknown':
        // Most likely the wrong table: deleting would lose the only trace of these moves.
        this.tally.kept += 1;
        this.io.out(`${kept} (no such move in ${this.target.tableName}): ${what}`);
        return false;
      case 'decided':
        if (!dry) await this.delete(m);
        this.tally.decided += 1;
        this.io.out(`${deleted} (already decided: ${verdict.status}): ${what}`);
        return !dry;
      case 'pending':
        return this.opts.redrive ? this.redrive(m, verdict, what) : this.settle(m, verdict, what);
    }
  }

  private async settle(m: Message, verdict: Extract<Verdict, { kind: 'pending' }>, what: string) {
    if (this.opts.dryRun) {
      this.tally.settled += 1;
      this.io.out(`would settle failed (dead_lettered): ${what}`);
      return false;
    }
    // The same conditional settle the worker and the sweeper use: only a move still pending.
    const result = await this.moves.failPendingMove(
      verdict.move.move_id,
      'dead_lettered',
      new Date().toISOString(),
    );
    await this.delete(m);
    if (result === 'settled') {
      this.tally.settled += 1;
      this.io.out(`settled failed (dead_lettered): ${what}`);
    } else {
      // The worker (or the sweeper) decided it between the read and the write.
      this.tally.decided += 1;
      this.io.out(`deleted (already decided): ${what}`);
    }
    return true;
  }

  private async redrive(m: Message, verdict: Extract<Verdict, { kind: 'pending' }>, what: string) {
    const queueUrl = this.target.moveQueueUrl as string;
    if (this.opts.dryRun) {
      this.tally.redriven += 1;
      this.io.out(`would send back to the move queue: ${what}`);
      return false;
    }
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: m.Body ?? '',
        MessageGroupId: verdict.message.appointment_id,
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html
        MessageDeduplicationId: `${verdict.message.move_id}:redrive:${Date.now()}`.slice(0, 128),
      }),
    );
    await this.delete(m);
    this.tally.redriven += 1;
    this.io.out(`sent back to the move queue: ${what}`);
    return true;
  }

  private async delete(m: Message): Promise<void> {
    await this.sqs.send(
      new DeleteMessageCommand({ QueueUrl: this.target.dlqUrl, ReceiptHandle: m.ReceiptHandle }),
    );
  }

  private async makeVisible(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.target.dlqUrl,
          Entries: messages.slice(i, i + 10).map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }
}

async function resolveTarget(
  values: Record<string, string | boolean | undefined>,
  io: ScriptIo,
  redrive: boolean,
): Promise<Target> {
  const str = (name: string) => stringOption(values, name);
  let dlqUrl = urlOption('--dlq-url', str('dlq-url') ?? io.env.DLQ_URL);
  let moveQueueUrl = urlOption('--move-queue-url', str('move-queue-url') ?? io.env.MOVE_QUEUE_URL);
  let tableName = str('table-name') ?? (io.env.TABLE_NAME || undefined);
  let dynamodbEndpoint = urlOption(
    '--dynamodb-endpoint',
    str('dynamodb-endpoint') ?? io.env.DYNAMODB_ENDPOINT,
  );
  let sqsEndpoint = urlOption('--sqs-endpoint', str('sqs-endpoint') ?? io.env.SQS_ENDPOINT);
  let region = str('region');
  let source: string | undefined;

  if (!dlqUrl && !moveQueueUrl) {
    const local = await findLocalStack(io.env, '--dlq-url');
    if (local) {
      const e = local.endpoints;
      dlqUrl = e.dlq_url;
      moveQueueUrl = e.move_queue_url;
      tableName ??= e.table_name;
      dynamodbEndpoint ??= e.dynamodb_endpoint;
      sqsEndpoint ??= e.sqs_endpoint;
      region ??= e.region;
      source = local.path;
    }
  }
  if (!dlqUrl || (redrive && !moveQueueUrl)) {
    throw new UsageError(
      redrive
        ? 'give --dlq-url and --move-queue-url (or DLQ_URL and MOVE_QUEUE_URL), or run npm start'
        : 'give --dlq-url (or DLQ_URL), or run npm start',
    );
  }
  if (!tableName) throw new UsageError('give --table-name (or TABLE_NAME): the table holding the moves');
  if (!dynamodbEndpoint && isLoopback(dlqUrl)) {
    throw new UsageError('the DLQ is local: give --dynamodb-endpoint (or DYNAMODB_ENDPOINT) too');
  }
  return {
    dlqUrl,
    moveQueueUrl,
    tableName,
    dynamodbEndpoint,
    sqsEndpoint,
    region: region ?? queueRegion(dlqUrl) ?? io.env.AWS_REGION ?? 'us-west-2',
    source,
  };
}

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('redrive-dlq', io, async () => {
    const values = parseOptions(argv, {
      'dlq-url': { type: 'string' },
      'move-queue-url': { type: 'string' },
      'table-name': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      region: { type: 'string' },
      max: { type: 'string' },
      redrive: { type: 'boolean' },
      'purge-unreadable': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const opts: Options = {
      max: intOption('max', values.max, 1000, { min: 1, max: 100_000 }),
      dryRun: values['dry-run'] === true,
      redrive: values.redrive === true,
      purgeUnreadable: values['purge-unreadable'] === true,
    };
    const target = await resolveTarget(values, io, opts.redrive);
    if (target.source) io.out(`redrive-dlq: the local stack in ${target.source}`);
    const sqs = sqsClientFor(target.dlqUrl, target.sqsEndpoint, target.region);
    const doc = createDocumentClient({ region: target.region, endpoint: target.dynamodbEndpoint });
    try {
      // It settles moves and writes no card, so no day key: the zone is never used.
      const moves = new DynamoDbMoveRepository(doc, target.tableName, DEFAULT_TIME_ZONE);
      const t = await new DeadLetters(sqs, moves, target, opts, io).run();
      const would = opts.dryRun ? 'would be ' : '';
      io.out(
        `redrive-dlq: ${t.settled} ${would}settled failed (dead_lettered), ${t.redriven} ${would}sent back, ` +
          `${t.decided} already decided ${opts.dryRun ? '(would be deleted)' : '(deleted)'}, ` +
          `${t.purged} unreadable ${would}deleted, ${t.kept} kept`,
      );
      return 0;
    } catch (err) {
      io.err(`redrive-dlq: ${(err as Error).message}`);
      return 1;
    } finally {
      sqs.destroy();
      doc.destroy();
    }
  });
}

if (require.main === module) main(run);
