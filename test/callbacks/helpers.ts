import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEvent } from '../../src/callbacks/build-event';
import type { CallbackEvent } from '../../src/callbacks/event';
import { LivehookError } from '../../src/errors';

// Copies of ../shared/fixtures and ../shared/reference/CALLBACKS.md, so the suite runs from any checkout.
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');
export const REFERENCE_DIR = join(__dirname, '..', 'fixtures');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), 'utf8');
}

/** A fixture parsed with JSON.parse, for building variations (never use its big ids: they are rounded). */
export function fixtureObject(name: string): Record<string, unknown> {
  return JSON.parse(fixture(name)) as Record<string, unknown>;
}

export const QUERY = { SdkAppid: '1400000001', CallbackCommand: 'Live.CallbackAfterDestroyRoom', contenttype: 'json', ClientIP: '0.0.0.0', OptPlatform: 'RESTAPI' };

/** buildEvent on a raw string or on an object serialised with JSON.stringify. */
export function build(body: string | object, query: Record<string, string> = QUERY, receivedAt = 1_700_000_000_000): CallbackEvent {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return buildEvent({ raw, query, receivedAt });
}

/** The LivehookError buildEvent throws for this body; fails the test when it throws nothing. */
export function rejection(body: string | object, query: Record<string, string> = QUERY): LivehookError {
  try {
    build(body, query);
  } catch (err) {
    if (err instanceof LivehookError) return err;
    throw new Error(`expected a LivehookError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected buildEvent to reject the body, but it was accepted');
}

/** The seed destroy-room body (valid JSON; its Owner_Account is a bare 18-digit number). */
export const SEED = 'destroy-room.seed-example.json';
export const CAPTURE = 'destroy-room.production-capture.json';

/** The seed body with some top-level keys replaced (undefined removes a key). Keeps the raw big Owner_Account. */
export function seedWith(changes: Record<string, unknown>): string {
  const base = fixtureObject(SEED);
  base.RoomInfo = { ...(base.RoomInfo as object), Owner_Account: '144115216631667826' };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return JSON.stringify(base);
}
