import type { Migration } from '../migrate';

/**
 * The decision livehook answered a before-callback with (which plugin, the
 * code and text, how long it took), as JSON, kept with the event: a resend
 * is answered the same, and the after-plugins see it. NULL for every other
 * callback. Adding a column with no default rewrites nothing.
 */
export const decisions: Migration = {
  version: 3,
  name: 'events.decision: the answer given to a before-callback',
  up: 'ALTER TABLE events ADD COLUMN decision TEXT;',
};
