/**
 * The shapes artillery 2 hands a processor's hooks (it ships no types of its own). A hook written
 * as a plain function gets a `next` callback; artillery tells the kinds apart by the function's
 * constructor, so an `async` hook must not take one, and must resolve to nothing.
 */
export interface ArtilleryContext {
  vars: Record<string, unknown>;
}

export interface ArtilleryEvents {
  emit(type: 'counter' | 'histogram' | 'rate', name: string, value?: number): void;
}

export interface RequestParams {
  url: string;
  method: string;
  name?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

export interface ArtilleryResponse {
  statusCode: number;
  body: string;
  headers: Record<string, string | undefined>;
}

export type Next = (err?: unknown) => void;
