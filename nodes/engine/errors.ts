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
