/**
 * Fault injection at the SDK, for faults the local services cannot produce (throttling, a queue
 * that refuses sends). A middleware at the front of the client's stack throws before the
 * request leaves; the SDK's own retries sit behind it, so each `send` fails exactly once.
 */
import type { MiddlewareStack } from '@smithy/types';

let counter = 0;

export function injectFault(
  client: { middlewareStack: MiddlewareStack<any, any> },
  matches: (commandName: string, input: unknown) => boolean,
  makeError: () => Error,
): () => void {
  const name = `test-fault-${++counter}`;
  client.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      if (matches(String(context.commandName ?? ''), args.input)) throw makeError();
      return next(args);
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return () => {
    client.middlewareStack.remove(name);
  };
}

/** True when the request's input mentions `text` anywhere (marshalled or not). */
export const mentions = (text: string) => (_cmd: string, input: unknown) =>
  JSON.stringify(input).includes(text);
