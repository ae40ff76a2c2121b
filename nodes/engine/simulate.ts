import { eventRuleId, eventStep, rank, type EventFacts } from './eventRules';
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

/**
 * What in a journey can never happen on its own, for Simulate to say before it goes live: a
 * stage no rule leads to (only a manual move reaches it), and an event rule always beaten by
 * another rule for the same event type that has no conditions — an exit wins over a path stage,
 * and otherwise the stage further along the path wins.
 */
export function rulesThatNeverFire(journey: JourneyDefinition): string[] {
	const notes: string[] = [];
	const reached = new Set([
		journey.defaultStage,
		...journey.eventRules.map((rule) => rule.stage),
		...journey.automationRules.map((rule) => rule.stage),
	]);
	for (const stage of journey.stages) {
		if (!reached.has(stage.key)) {
			notes.push(
				`Stage '${stage.name}' is the target of no rule and not the default stage: only a manual move reaches it`,
			);
		}
	}
	for (const rule of journey.eventRules) {
		const winner = journey.eventRules.find(
			(other) =>
				other !== rule &&
				other.eventType === rule.eventType &&
				other.conditions.length === 0 &&
				rank(journey, other.stage) > rank(journey, rule.stage),
		);
		if (winner) {
			const why =
				rank(journey, winner.stage) === Number.MAX_SAFE_INTEGER
					? 'an exit wins over a path stage'
					: 'its stage is further along the path';
			notes.push(
				`Event rule ${eventRuleId(rule)} never fires: ${eventRuleId(winner)} matches every '${rule.eventType}' event and wins (${why})`,
			);
		}
	}
	return notes;
}
