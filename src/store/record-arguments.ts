/**
 * The argument checks of PluginRecords, shared by both engines. Bad
 * arguments are a bug in the plugin that a retry cannot fix, so they throw a
 * PermanentError naming the plugin, collection and key: the delivery goes
 * dead at once instead of being retried for hours.
 */
import { PermanentError, describeError } from '../errors';
import { escapeNul } from './nul';

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
    if (!Number.isSafeInteger(at)) {
      this.refuse(collection, key, `at must be an integer number of ms since the epoch (got ${String(at)})`);
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      this.refuse(collection, key, `the value is not plain JSON (${describeError(err)})`);
    }
    if (text === undefined) this.refuse(collection, key, 'the value is not plain JSON (undefined or a function)');
    return text;
  }

  refuse(collection: string, key: string, problem: string): never {
    throw new PermanentError(`plugin ${this.plugin}: records of "${collection}"${key ? ` key "${key}"` : ''}: ${problem}`, {
      plugin: this.plugin,
      collection,
      key,
    });
  }
}
