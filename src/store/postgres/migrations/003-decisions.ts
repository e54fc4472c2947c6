import type { PgMigration } from '../migrate';

/** The twin of ../../sqlite/migrations/003-decisions.ts. A nullable column with no default: no rewrite. */
export const decisions: PgMigration = {
  version: 3,
  name: 'events.decision: the answer given to a before-callback',
  up: 'ALTER TABLE events ADD COLUMN decision TEXT;',
};
