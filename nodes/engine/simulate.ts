import { eventStep, type EventFacts } from './eventRules';
import type { JourneyDefinition } from './journey';
import { duplicateStep, moveOutcome, type MoveOutcome, type StageState } from './movement';

/** An event of a simulation: whose, and what Record Event would be given. */
export interface SimulatedEvent extends EventFacts {
	customerId: string;
}

export interface SimulatedOutcome extends MoveOutcome {
	ruleId: string | null;
	duplicate: boolean;
}

/**
 * Journey → Simulate: the events run through the same engine as Record Event, in order, from
 * customers not yet in the journey, in memory only. An event id seen earlier is a duplicate that
 * changes nothing, as in the store. Returns each event's outcome (or its error, kept in place)
 * and each customer's state at the end.
 */
export function simulateEvents(
	journey: JourneyDefinition,
	events: ReadonlyArray<SimulatedEvent | Error>,
): { outcomes: Array<SimulatedOutcome | Error>; finals: Map<string, StageState | null> } {
	const states = new Map<string, StageState | null>();
	const seen = new Set<string>();
	const outcomes = events.map((event) => {
		if (event instanceof Error) return event;
		const before = states.get(event.customerId) ?? null;
		if (event.eventId !== undefined && seen.has(event.eventId)) {
			const step = duplicateStep(before, event.eventId);
			return { ...moveOutcome(journey, event.customerId, step), ruleId: null, duplicate: true };
		}
		if (event.eventId !== undefined) seen.add(event.eventId);
		const step = eventStep(journey, before, event);
		states.set(event.customerId, step.after);
		return {
			...moveOutcome(journey, event.customerId, step),
			ruleId: step.ruleId,
			duplicate: false,
		};
	});
	return { outcomes, finals: states };
}
