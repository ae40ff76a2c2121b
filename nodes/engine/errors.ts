/**
 * An error caused by the user's input (a journey definition, an event, a move), as opposed to a
 * failure of the store. `field` names what was wrong so nodes can say it plainly.
 */
export class InputError extends Error {
	constructor(
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

/**
 * Thrown by an all-or-nothing batch when one input is bad: which one (by position in the
 * batch) and why. The batch wrote nothing.
 */
export class BatchItemError extends Error {
	constructor(
		readonly index: number,
		override readonly cause: Error,
	) {
		super(`Item ${index}: ${cause.message}`);
		this.name = 'BatchItemError';
	}
}

/** Limits the product promises (and the seeds' WeCom assistant enforces). */
export const LIMITS = {
	stagesPerJourney: 12,
	automationRulesPerStage: 6,
	conditionsPerRule: 3,
	reminderRulesPerStage: 6,
	/** Long enough for any CRM id or e-mail address, short enough to keep indexes small. */
	idLength: 512,
	nameLength: 200,
	/** Properties of one event or customer, serialised: webhook payloads, not documents. */
	propertiesBytes: 256 * 1024,
	/** Rows written per multi-row statement: under SQLite's and PostgreSQL's parameter caps. */
	rowsPerStatement: 200,
} as const;
