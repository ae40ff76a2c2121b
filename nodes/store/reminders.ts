/**
 * Reminder bookkeeping (Stage Reminder): candidates by stage and time entered or last contact,
 * and the reminder log, claimed in the transaction that selects what is due. The engine
 * (engine/reminders.ts) decides what is due and words it; this module only reads and writes.
 */
export {};
