/**
 * A pooled connection checked out for several statements (a transaction, the
 * migrations), safe against the connection dying while it is out.
 *
 * The pool listens for 'error' only on its idle connections. One that dies
 * while checked out (a database restart or failover, pg_terminate_backend, a
 * cut network) emits 'error' with nobody listening, and Node ends the whole
 * process ("Unhandled 'error' event"). Here a listener is attached for as
 * long as the connection is out: the failure becomes the error of the
 * statement that was running (or of the next one), the connection leaves
 * the pool, and the pool opens a new one on its next use.
 *
 * Every statement also has a client-side time-out (pg's query_timeout). On a
 * cut network the server's statement_timeout cannot send its answer, and
 * the statement would otherwise wait for TCP to give up: many minutes.
 */
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';

export interface PgSession {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface SessionLimits {
  /** The longest wait for the answer to one statement; then the connection is given up. */
  queryTimeoutMs: number;
  /**
   * When set (ms since the epoch), the whole session is done by then: the wait
   * for a connection and each statement's wait are cut to what is left.
   */
  deadline?: number;
}

/**
 * Runs `work` on one connection. On success the connection goes back to the
 * pool (or is closed, with `discard`, when `work` changed its settings); on
 * failure it is closed. Closing a connection ends its open transaction on
 * the server, so `work` need not send ROLLBACK, which on a dead or hung
 * connection would only wait for another time-out.
 */
export async function withSession<T>(pool: Pool, limits: SessionLimits, work: (session: PgSession) => Promise<T>, options: { discard?: boolean } = {}): Promise<T> {
  const client = await checkout(pool, limits.deadline);
  let lost: Error | undefined;
  const onError = (err: Error): void => {
    lost ??= err;
  };
  client.on('error', onError);
  const session: PgSession = {
    query: <R extends QueryResultRow>(text: string, values?: unknown[]) => {
      // The first error says why (e.g. "terminating connection due to administrator command"); later ones only "not queryable".
      if (lost) return Promise.reject(lost);
      const config = { text, values, query_timeout: waitFor(limits) } as QueryConfig;
      return client.query<R>(config).catch((err: unknown) => {
        // The answer is still owed on this connection: anything sent after it would wait behind it.
        if (err instanceof Error && err.message === 'Query read timeout') lost ??= err;
        throw err;
      });
    },
  };
  try {
    const result = await work(session);
    client.release(lost ?? options.discard === true);
    return result;
  } catch (err) {
    client.release(err instanceof Error ? err : new Error(String(err)));
    throw err;
  } finally {
    // After release: the pool has put its own listener back by then.
    client.removeListener('error', onError);
  }
}

function waitFor(limits: SessionLimits): number {
  if (limits.deadline === undefined) return limits.queryTimeoutMs;
  return Math.max(1, Math.min(limits.queryTimeoutMs, limits.deadline - Date.now()));
}

/** pool.connect(), given up at the deadline (the connection, should it come later, goes back to the pool). */
async function checkout(pool: Pool, deadline: number | undefined): Promise<PoolClient> {
  if (deadline === undefined) return pool.connect();
  const pending = pool.connect();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    const ms = Math.max(0, deadline - Date.now());
    timer = setTimeout(() => reject(Object.assign(new Error(`no connection to the database became free or could be opened in time`), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([pending, late]);
  } catch (err) {
    pending.then(
      (client) => client.release(),
      () => undefined,
    );
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
