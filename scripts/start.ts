/**
 * `npm start`: the whole system on one machine. DynamoDB Local (data under .data/, or
 * `-- --in-memory`), the SQS emulator with moves.fifo and its DLQ, the table and catalog, demo
 * data on a first start, the HTTP handlers behind a local function-URL gateway with SigV4 auth,
 * the worker fed by a local event source mapping, the sweeper on a timer, and the signing proxy.
 * Ctrl-C (or SIGTERM) stops all of it.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../infra/config';
import { startLocalStackFromConfig } from '../local/run-local-stack';
import { loadLocalConfig } from '../local/local-config';
import { createApiDocs, ensureApiDocs } from '../local/api-docs';
import { createStaticFiles, ensureWebBuild } from '../local/static-files';

const HELP = `Usage: npm start [-- [--in-memory] [--no-web]]

Runs Edgar's Auto Shop locally: API on PORT (default 3000, SigV4-signed requests only unless
AUTH=none), signing proxy on PROXY_PORT (default 8080) for curl and the browser, and the staff
board page at / through the proxy (web/dist, built first when missing or out of date; not with
--no-web).

Options:
  --in-memory   keep DynamoDB data and the SQS queues in memory (a throwaway run); default: on
                disk under DATA_DIR
  --no-web      no board page: neither build web/ nor serve it (the API and proxy only)
  --help        this text

While it runs, DATA_DIR/endpoints.json says where everything is (region, API and proxy URLs,
DynamoDB and SQS endpoints, table, queue URLs, pid); npm run redrive-dlq and npm run health-check
read it. A clean stop removes it.

Environment: PORT, PROXY_PORT, HOST, AWS_REGION, TABLE_NAME, DATA_DIR, SEED (demo|none),
AUTH (iam|none), AUTH_KEYS (KEY:SECRET:ROLE,…; default LOCALDEV admin, LOCALSTAFF staff,
LOCALVIEW viewer), PROXY_ROLE (viewer|staff|admin: the key the proxy signs with; default admin),
WRITE_POLICY (open|moves-only|read-only), POLLERS, LOG_LEVEL, METRICS_SINK,
METRICS_FILE, DYNAMODB_ENDPOINT / SQS_ENDPOINT (use running services instead of starting them).

Timings, with AWS's ratios to the visibility timeout V when unset (AWS: V 90 s, worker 15 s,
sweeper every 60 s, re-send after 60 s, give up after 900 s, 5 receives):
  VISIBILITY_TIMEOUT_SECONDS  V, of moves.fifo (default 30)
  WORKER_TIMEOUT_SECONDS      the worker's function timeout (default V/6, decimals allowed; <= V)
  SWEEP_INTERVAL_MS           how often the sweeper runs (default 2V/3 s; 0: never)
  SWEEP_AFTER_SECONDS         re-send a pending move this long after its last send (default 2V/3)
  SWEEP_GIVE_UP_SECONDS       settle a move still pending this long as failed (default 10V;
                              must exceed MAX_RECEIVE_COUNT × V)
  MAX_RECEIVE_COUNT           receives before the DLQ; the worker's last try (default 5)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'in-memory': { type: 'boolean', default: false },
      'no-web': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const config = loadLocalConfig();
  const web = values['no-web'] !== true;
  // The board page at / (through the proxy): built on a fresh clone or after its sources changed.
  // Skipped with --no-web: a tool that starts stacks over and over (npm run chaos) has no use for it.
  if (web) await ensureWebBuild({ log: (line) => console.log(line) });
  // The API reference at /api/docs, rendered from the document the running code generates.
  if (web) await ensureApiDocs({ log: (line) => console.log(line) });
  const stack = await startLocalStackFromConfig(config, {
    inMemory: values['in-memory'] ?? false,
    staticFiles: web ? createStaticFiles() : undefined,
    apiDocs: web ? createApiDocs() : undefined,
    writeEndpointsFile: true,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`npm start: ${err.message}`);
  } else {
    console.error(`npm start failed: ${(err as Error).message ?? err}`);
  }
  process.exit(1);
});
