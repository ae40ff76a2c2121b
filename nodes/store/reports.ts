/**
 * Report queries (Funnel Report): transitions by journey, stage and time, and current stage
 * counts, in the shape the engine's metrics (engine/metrics.ts) compute from.
 */
export {};
