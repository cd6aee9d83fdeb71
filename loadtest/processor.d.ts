/** Types of what loadtest/processor.js exports, for the tests that exercise it. */
import type { Status } from '../domain/status';

export interface Settings {
  region: string;
  sign: boolean;
  day: string;
  cards: number;
  historyPerDay: number;
  waitMs: number;
  moveTimeoutMs: number;
  thinkMs: number;
  runId: string;
}

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

type Next = (err?: unknown) => void;

export const TRANSITIONS: Record<Status, Status[]>;
export const SETTINGS: Settings;
export function signedHeaders(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  opts?: Pick<Settings, 'sign' | 'region'>,
): Record<string, string>;
export function resolveUrl(url: string, vars: Record<string, unknown>): string;
export function sign(
  req: RequestParams,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
): void;
export function seedMoveCards(context: ArtilleryContext): Promise<void>;
export function ensureBoardCards(context: ArtilleryContext): Promise<void>;
export function seedHistory(context: ArtilleryContext): Promise<void>;
export function beginJourney(context: ArtilleryContext, events: ArtilleryEvents, next: Next): void;
export function pickCard(
  req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
): void;
export function hasCard(vars: Record<string, unknown>): boolean;
export function hasPendingMove(vars: Record<string, unknown>): boolean;
export function thinkBeforeDrop(context: ArtilleryContext, events: ArtilleryEvents, next: Next): void;
export function moveBody(
  req: RequestParams,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
): void;
export function submitted(
  req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
): void;
export function polled(
  req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
): void;
export function stillPending(context: ArtilleryContext, next: (more: boolean) => void): void;
export function retryAfterConflict(context: ArtilleryContext, next: (more: boolean) => void): void;
export function conditional(
  req: RequestParams,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
): void;
export function rememberEtag(
  req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
): void;
