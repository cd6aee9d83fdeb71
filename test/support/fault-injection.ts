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

/**
 * A lost response: the request reaches the service and takes effect, then the caller sees an error
 * instead of the answer (as when a response is lost on the SDK's last attempt). The middleware sits
 * before the SDK's retries, so the service sees exactly one request per `send`.
 */
export function injectLostResponses(
  client: { middlewareStack: MiddlewareStack<any, any> },
  matches: (commandName: string, input: unknown) => boolean,
  lose: () => boolean,
): { remove(): void; lost(): number } {
  const name = `test-lost-response-${++counter}`;
  let lost = 0;
  client.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      const out = await next(args);
      if (matches(String(context.commandName ?? ''), args.input) && lose()) {
        lost += 1;
        throw Object.assign(
          new Error('injected: the response was lost after the service accepted the request'),
          {
            name: 'TimeoutError',
          },
        );
      }
      return out;
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return {
    remove: () => {
      client.middlewareStack.remove(name);
    },
    lost: () => lost,
  };
}
