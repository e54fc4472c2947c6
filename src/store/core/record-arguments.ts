/**
 * The argument checks of PluginRecords, shared by both engines. Bad
 * arguments are a bug in the plugin that a retry cannot fix, so they throw a
 * PermanentError naming the plugin, collection and key: the delivery goes
 * dead at once instead of being retried for hours.
 */
import { PermanentError, describeError } from '../../errors';
import { escapeNul } from '../nul';

/**
 * The largest value a record holds, as JSON: plugin records are written by
 * the same writer as the callbacks, and one 150 MB value held it (and the
 * answers to Tencent) for seconds. A plugin with more to keep splits it.
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/**
 * The longest collection name and key, in UTF-8 bytes: they are index
 * entries (PostgreSQL refuses an entry past a third of a page, 2,704 bytes,
 * for the whole row of the index), not data. A claim's owner is kept as short.
 */
export const MAX_COLLECTION_BYTES = 200;
export const MAX_KEY_BYTES = 1000;

export class RecordArguments {
  constructor(
    private readonly plugin: string,
    /** PostgreSQL text cannot hold NUL; SQLite can. */
    private readonly refuseNul: boolean,
  ) {}

  checkName(collection: string, key: string): void {
    if (typeof collection !== 'string' || collection.length === 0) {
      this.refuse(String(collection), key, 'the collection name must be a non-empty string');
    }
    if (typeof key !== 'string') this.refuse(collection, String(key), 'the key must be a string');
    if (moreBytesThan(collection, MAX_COLLECTION_BYTES)) {
      this.refuse(collection.slice(0, 100), '', `a collection name is at most ${MAX_COLLECTION_BYTES} bytes (got ${Buffer.byteLength(collection)})`);
    }
    if (moreBytesThan(key, MAX_KEY_BYTES)) {
      this.refuse(collection, key.slice(0, 100), `a key is at most ${MAX_KEY_BYTES} bytes (got ${Buffer.byteLength(key)}): keep the data in the value, or use a hash of it as the key`);
    }
    if (this.refuseNul && (collection.includes('\u0000') || key.includes('\u0000'))) {
      this.refuse(escapeNul(collection), escapeNul(key), 'names cannot contain the NUL character (\\u0000)');
    }
  }

  /** Checks deleteBefore's arguments. */
  checkBefore(collection: string, before: number): void {
    this.checkName(collection, '');
    if (!Number.isSafeInteger(before)) this.refuse(collection, '', `before must be an integer number of ms since the epoch (got ${String(before)})`);
  }

  /** Checks a put's arguments and returns the value as JSON text. */
  serialize(collection: string, key: string, at: number, value: unknown): string {
    this.checkName(collection, key);
    this.checkAt(collection, key, at);
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      this.refuse(collection, key, `the value is not plain JSON (${describeError(err)})`);
    }
    if (text === undefined) this.refuse(collection, key, 'the value is not plain JSON (undefined or a function)');
    if (moreBytesThan(text, MAX_RECORD_BYTES)) {
      this.refuse(collection, key, `the value is ${Buffer.byteLength(text)} bytes of JSON, more than a record holds (${MAX_RECORD_BYTES}, 16 MiB): split it over several records`);
    }
    return text;
  }

  /** Checks a claim's arguments. */
  checkClaim(collection: string, key: string, at: number, owner: string, ttlMs: number): void {
    this.checkName(collection, key);
    this.checkAt(collection, key, at);
    if (typeof owner !== 'string' || owner.length === 0) this.refuse(collection, key, 'the owner of a claim must be a non-empty string');
    if (moreBytesThan(owner, MAX_KEY_BYTES)) this.refuse(collection, key, `the owner of a claim is at most ${MAX_KEY_BYTES} bytes (got ${Buffer.byteLength(owner)})`);
    if (this.refuseNul && owner.includes('\u0000')) this.refuse(collection, key, 'the owner cannot contain the NUL character (\\u0000)');
    if (typeof ttlMs !== 'number' || !(ttlMs > 0)) this.refuse(collection, key, `ttlMs must be a positive number of ms, or Infinity (got ${String(ttlMs)})`);
  }

  /** Checks PluginRecords.add's changes. */
  checkCounters(changes: ReadonlyArray<{ collection: string; key: string; at: number; by: number; max?: number }>): void {
    if (!Array.isArray(changes) || changes.length === 0) this.refuse('', '', 'add() needs a non-empty list of counter changes');
    for (const c of changes) {
      this.checkName(c.collection, c.key);
      this.checkAt(c.collection, c.key, c.at);
      if (!Number.isFinite(c.by)) this.refuse(c.collection, c.key, `by must be a finite number (got ${String(c.by)})`);
      if (c.max !== undefined && !Number.isFinite(c.max)) this.refuse(c.collection, c.key, `max must be a finite number (got ${String(c.max)})`);
    }
  }

  private checkAt(collection: string, key: string, at: number): void {
    if (!Number.isSafeInteger(at)) this.refuse(collection, key, `at must be an integer number of ms since the epoch (got ${String(at)})`);
  }

  refuse(collection: string, key: string, problem: string): never {
    throw new PermanentError(`plugin ${this.plugin}: records of "${collection}"${key ? ` key "${key}"` : ''}: ${problem}`, {
      plugin: this.plugin,
      collection,
      key,
    });
  }
}

/**
 * True when `text` is more than `limit` bytes of UTF-8. Every put and get
 * checks its names and value: most are short enough to need no count (a
 * UTF-16 unit is at most 3 bytes), and a far too long one is refused by its
 * length alone.
 */
function moreBytesThan(text: string, limit: number): boolean {
  if (text.length * 3 <= limit) return false;
  return text.length > limit || Buffer.byteLength(text) > limit;
}
