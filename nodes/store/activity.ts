/**
 * Activity bookkeeping (Evaluate 30-Day Activity): the per-customer daily event roll-up kept by
 * the ingest transaction, and the stored score and level with the time they were computed.
 * The engine (engine/activity.ts) decides scores and levels; this module only reads and writes.
 */
export {};
