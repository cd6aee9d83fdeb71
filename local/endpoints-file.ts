/**
 * `<DATA_DIR>/endpoints.json`: where the running `npm start` stack is (its ports are free ports
 * for the services), so operator scripts find the queues and the table without copying URLs.
 * Written atomically on start, removed on a clean stop; a file left by a crash names a pid that
 * is no longer alive, which the reader reports instead of using dead endpoints.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const ENDPOINTS_FILE_NAME = 'endpoints.json';

export const localEndpointsSchema = z.strictObject({
  region: z.string().min(1),
  api_url: z.url(),
  proxy_url: z.url().nullable(),
  dynamodb_endpoint: z.url(),
  sqs_endpoint: z.url(),
  table_name: z.string().min(1),
  move_queue_url: z.url(),
  dlq_url: z.url(),
  pid: z.number().int().positive(),
  started_at: z.iso.datetime(),
});
export type LocalEndpoints = z.infer<typeof localEndpointsSchema>;

export function endpointsFilePath(dataDir: string): string {
  return join(dataDir, ENDPOINTS_FILE_NAME);
}

/** Writes a temp file and renames it over the old one, so a reader never sees half a file. */
export async function writeEndpointsFile(dataDir: string, endpoints: LocalEndpoints): Promise<string> {
  const path = endpointsFilePath(dataDir);
  await mkdir(dataDir, { recursive: true });
  const temp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(temp, `${JSON.stringify(localEndpointsSchema.parse(endpoints), null, 2)}\n`);
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return path;
}

/** Removes the file if it is still this process's (another stack may have started since). */
export async function removeEndpointsFile(dataDir: string, pid = process.pid): Promise<void> {
  const path = endpointsFilePath(dataDir);
  const current = await readEndpointsFile(path).catch(() => undefined);
  if (current?.pid === pid) await rm(path, { force: true });
}

/** The file's contents, or undefined when there is none; a malformed file throws, naming it. */
export async function readEndpointsFile(path: string): Promise<LocalEndpoints | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not JSON; delete it and restart npm start`);
  }
  const parsed = localEndpointsSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || 'file').join(', ');
    throw new Error(`${path} is not a local stack endpoints file (bad: ${fields})`);
  }
  return parsed.data;
}

/** Signal 0 checks the process exists; EPERM means it does, under another user. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
