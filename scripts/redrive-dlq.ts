/**
 * `npm run redrive-dlq`: moves messages from moves-dlq.fifo back to moves.fifo, as SQS's own
 * redrive does: each arrives as a new message (a new deduplication id) in its original message
 * group, after whatever its card has seen since. The worker judges it by version like any move,
 * so a stale one becomes a conflict, never a blind apply. On AWS, `aws sqs start-message-move-task`
 * does the same (docs/operations.md); this script also works against the local emulator and can
 * show what it would move first.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
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
import { sqsClientFor, urlOption } from './lib/queues';

const HELP = `Usage: npm run redrive-dlq -- [options]

Moves messages from the dead-letter queue back to the move queue, each as a new message in its
original message group. Prints one line per message (move_id, appointment, receive count).

Options:
  --dlq-url URL          the dead-letter queue (env DLQ_URL)
  --move-queue-url URL   the move queue (env MOVE_QUEUE_URL)
  --sqs-endpoint URL     SQS endpoint (env SQS_ENDPOINT; for the local emulator's *.localhost URLs
                         it defaults to http://127.0.0.1:<their port>)
  --region NAME          (default: from the queue URL, else AWS_REGION, else us-west-2)
  --max N                move at most N messages (default 1000)
  --dry-run              list what would be moved and leave it in the DLQ
  -h, --help             this text

Local example (the URLs are printed by npm start):
  DLQ_URL=http://sqs.us-west-2.localhost:<port>/000000000000/moves-dlq.fifo \\
  MOVE_QUEUE_URL=http://sqs.us-west-2.localhost:<port>/000000000000/moves.fifo \\
  npm run redrive-dlq -- --dry-run`;

function describe(m: Message): string {
  let move = '(unreadable body)';
  try {
    const body = JSON.parse(m.Body ?? '') as {
      move_id?: string;
      appointment_id?: string;
      to_status?: string;
    };
    move = `move ${body.move_id} → ${body.to_status} on ${body.appointment_id}`;
  } catch {
    // A poison message is moved like any other: the worker acknowledges and records it.
  }
  return `${move} (received ${m.Attributes?.ApproximateReceiveCount ?? '?'} times)`;
}

async function redrive(
  sqs: SQSClient,
  from: string,
  to: string,
  max: number,
  dryRun: boolean,
  io: ScriptIo,
): Promise<number> {
  let moved = 0;
  const peeked: Message[] = [];
  while (moved < max) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: Math.min(10, max - moved),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) {
      if (dryRun) {
        io.out(`would move: ${describe(m)}`);
        peeked.push(m);
        moved += 1;
        continue;
      }
      const group = m.Attributes?.MessageGroupId ?? 'redriven';
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: to,
          MessageBody: m.Body ?? '',
          MessageGroupId: group,
          // A new id: the original is still in the queue's 5-minute dedup memory.
          MessageDeduplicationId: `redrive-${m.MessageId}-${Date.now()}`.slice(0, 128),
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: from, ReceiptHandle: m.ReceiptHandle }));
      io.out(`moved: ${describe(m)}`);
      moved += 1;
    }
  }
  // A dry run hands every message it looked at straight back to the queue.
  for (let i = 0; i < peeked.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: from,
        Entries: peeked.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return moved;
}

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('redrive-dlq', io, async () => {
    const values = parseOptions(argv, {
      'dlq-url': { type: 'string' },
      'move-queue-url': { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      region: { type: 'string' },
      max: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const str = (name: string) => stringOption(values, name);
    const dlqUrl = urlOption('--dlq-url', str('dlq-url') ?? io.env.DLQ_URL);
    const queueUrl = urlOption('--move-queue-url', str('move-queue-url') ?? io.env.MOVE_QUEUE_URL);
    if (!dlqUrl || !queueUrl)
      throw new UsageError('give --dlq-url and --move-queue-url (or DLQ_URL and MOVE_QUEUE_URL)');
    const max = intOption('max', values.max, 1000, { min: 1, max: 100_000 });
    const endpoint = urlOption('--sqs-endpoint', str('sqs-endpoint') ?? io.env.SQS_ENDPOINT);
    const sqs = sqsClientFor(dlqUrl, endpoint, str('region') ?? io.env.AWS_REGION ?? 'us-west-2');
    try {
      const dryRun = values['dry-run'] === true;
      const n = await redrive(sqs, dlqUrl, queueUrl, max, dryRun, io);
      io.out(`redrive-dlq: ${n} message(s) ${dryRun ? 'would be moved' : 'moved'}`);
      return 0;
    } catch (err) {
      io.err(`redrive-dlq: ${(err as Error).message}`);
      return 1;
    } finally {
      sqs.destroy();
    }
  });
}

if (require.main === module) main(run);
