/** The plugin's collections in its store (`records`): what each one holds. */

/** One record per destroy-room event, keyed by its idempotency key, `at` = EventTime. */
export const ROOMS = 'rooms';
/** Per reported day: when its report was first published (for the revision note). */
export const PUBLISHED = 'published';
/** Per day being built: its build claim (store.claim), held by the process building it. */
export const BUILDING = 'building';
/** Days whose report is out of date because rooms arrived after it was built. */
export const STALE = 'stale';
/** Key `rooms`: how far room records have been deleted (see ./room-retention.ts). */
export const PRUNED = 'pruned';
/** One record per decided gift (Live.CallbackBeforeSendGift), keyed by its idempotency key, `at` = its arrival. */
export const GIFTS = 'gifts';
