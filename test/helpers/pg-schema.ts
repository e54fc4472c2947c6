/**
 * A fresh PostgreSQL schema per test (or test file), so runs never see each
 * other's data: CREATE SCHEMA lh_<random>, a DATABASE_URL whose search_path
 * names it, and DROP SCHEMA ... CASCADE afterwards.
 *
 * The server is the one .ci/ensure-postgres.sh starts (127.0.0.1:5432, trust
 * auth, database `test`); LIVEHOOK_TEST_DATABASE_URL points elsewhere.
 */
import crypto from 'node:crypto';
import { Client } from 'pg';

export const PG_TEST_URL = process.env.LIVEHOOK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  schema: string;
  /** DATABASE_URL selecting the schema (search_path), with extra query parameters if given. */
  url: string;
  /** Runs SQL in the schema on a short-lived connection of its own. */
  sql<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

export function schemaUrl(schema: string, extra: Record<string, string> = {}): string {
  const url = new URL(PG_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return url.toString();
}

export async function createTestSchema(): Promise<TestSchema> {
  const schema = `lh_${crypto.randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  return {
    schema,
    url: schemaUrl(schema),
    sql: async <R extends object>(text: string, values: unknown[] = []) => {
      const client = new Client({ connectionString: schemaUrl(schema) });
      await client.connect();
      try {
        return (await client.query<R>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    drop: () => adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new Client({ connectionString: PG_TEST_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL for the tests is not reachable at ${PG_TEST_URL} (run .ci/ensure-postgres.sh): ${(err as Error).message || String(err)}`, { cause: err });
  }
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
