/**
 * What Stage Trigger reads: history in commit order after a durable cursor kept per workflow
 * and node, and the cursor itself.
 */
export {};
