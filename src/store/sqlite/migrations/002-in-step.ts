import type { Migration } from '../migrate';

/**
 * PostgreSQL's version 2 stores text values holding NUL as JSON string
 * literals; SQLite stores NUL as it is and needs nothing. This keeps the two
 * engines' version numbers in step, so "schema version N" means the same.
 */
export const inStep: Migration = {
  version: 2,
  name: 'nothing (PostgreSQL 2: text values as JSON string literals; SQLite keeps NUL as it is)',
  up: 'SELECT 1;',
};
