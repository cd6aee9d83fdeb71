/** Finding the running `npm start` stack from an operator script, through <DATA_DIR>/endpoints.json. */
import {
  endpointsFilePath,
  isProcessAlive,
  readEndpointsFile,
  type LocalEndpoints,
} from '../../local/endpoints-file';
import { UsageError } from './cli';

export interface FoundStack {
  path: string;
  endpoints: LocalEndpoints;
}

/**
 * The endpoints of the local stack, or undefined when no file is there. A file whose pid is not
 * alive (a crashed or killed stack) is an error, not a fallback: its ports may belong to anything
 * now. `instead` names the options that would do without the file.
 */
export async function findLocalStack(
  env: Record<string, string | undefined>,
  instead: string,
): Promise<FoundStack | undefined> {
  const path = endpointsFilePath(env.DATA_DIR || '.data');
  let endpoints: LocalEndpoints | undefined;
  try {
    endpoints = await readEndpointsFile(path);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}, or give ${instead}`);
  }
  if (!endpoints) return undefined;
  if (!isProcessAlive(endpoints.pid)) {
    throw new UsageError(
      `the local stack that wrote ${path} (pid ${endpoints.pid}) is not running; ` +
        `start it with npm start or give ${instead}`,
    );
  }
  return { path, endpoints };
}
