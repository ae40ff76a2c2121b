import {
	applyDecision,
	decideMove,
	type MoveDecision,
	type StageState,
	type Step,
} from './movement';
import type { Comparison, EventRule, JourneyDefinition, PropertyCondition } from './journey';
import { findStage, pathIndex } from './journey';

/** Compares an actual value with a rule's expected value; shared by every kind of condition. */
export function compare(actual: unknown, operator: Comparison, expected: unknown): boolean {
	if (operator === 'exists') {
		const present =
			actual !== undefined &&
			actual !== null &&
			actual !== '' &&
			!(Array.isArray(actual) && actual.length === 0);
		// `exists` with the value false asks for the opposite: "owner is empty".
		return expected === false || expected === 'false' ? !present : present;
	}
	if (actual === undefined || actual === null) return operator === 'notEquals';
	switch (operator) {
		case 'equals':
			return String(actual) === String(expected);
		case 'notEquals':
			return String(actual) !== String(expected);
		case 'contains':
			return Array.isArray(actual)
				? actual.map(String).includes(String(expected))
				: String(actual).toLowerCase().includes(String(expected).toLowerCase());
		default: {
			const a = Number(actual);
			const b = Number(expected);
			if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
			if (operator === 'gt') return a > b;
			if (operator === 'gte') return a >= b;
			if (operator === 'lt') return a < b;
			return a <= b;
		}
	}
}

/** Reads a dotted path (`order.amount`) from properties; undefined where it leads nowhere. */
export function readProperty(properties: Record<string, unknown>, path: string): unknown {
	let value: unknown = properties;
	for (const part of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[part];
	}
	return value;
}

function conditionHolds(
	condition: PropertyCondition,
	properties: Record<string, unknown>,
): boolean {
	return compare(readProperty(properties, condition.property), condition.operator, condition.value);
}

/**
 * Ranks a target so that, when several rules match one event, the decisive one wins: an exit
 * over any path stage, otherwise the stage furthest along the path. Ranking (not rule order)
 * keeps the result independent of how the rules were listed.
 */
export function rank(journey: JourneyDefinition, stageKey: string): number {
	return findStage(journey, stageKey)?.kind === 'exit'
		? Number.MAX_SAFE_INTEGER
		: pathIndex(journey, stageKey);
}

/** The event rule an event triggers in a journey, or undefined when none matches. */
export function matchEventRule(
	journey: JourneyDefinition,
	eventType: string,
	properties: Record<string, unknown>,
): EventRule | undefined {
	let best: EventRule | undefined;
	for (const rule of journey.eventRules) {
		if (rule.eventType !== eventType) continue;
		if (!rule.conditions.every((c) => conditionHolds(c, properties))) continue;
		if (!best || rank(journey, rule.stage) > rank(journey, best.stage)) best = rule;
	}
	return best;
}

/** Rules may be unnamed; history still says which one moved the customer. */
export function eventRuleId(rule: EventRule): string {
	return rule.id ?? `${rule.eventType}→${rule.stage}`;
}

/** Event types a journey reacts to, for docs, dropdowns and "unknown event type" hints. */
export function knownEventTypes(journey: JourneyDefinition): string[] {
	return [...new Set(journey.eventRules.map((r) => r.eventType))];
}

export interface EventDecision {
	rule?: EventRule;
	decision: MoveDecision;
}

/**
 * What one event does to a customer at `current` (null: not yet in the journey). A customer
 * the journey has not seen joins it: at the rule's stage, or at the default stage when the
 * event matches no rule. An event that matches no rule is still recorded; it only moves nothing.
 */
export function decideEvent(
	journey: JourneyDefinition,
	current: string | null,
	eventType: string,
	properties: Record<string, unknown>,
): EventDecision {
	const rule = matchEventRule(journey, eventType, properties);
	if (!rule) {
		if (current === null) {
			const decision = decideMove(journey, null, journey.defaultStage, 'automatic');
			return {
				decision: {
					...decision,
					explanation: `${decision.explanation} (default stage; no rule for event type '${eventType}')`,
				},
			};
		}
		return {
			decision: {
				moved: false,
				from: current,
				to: current,
				explanation: `no rule in journey '${journey.name}' for event type '${eventType}'`,
			},
		};
	}
	return { rule, decision: decideMove(journey, current, rule.stage, 'automatic') };
}

/** An event as the engine needs it to decide. */
export interface EventFacts {
	eventType: string;
	eventId?: string;
	properties: Record<string, unknown>;
	occurredAt: number;
}

/** One recorded event applied to a customer's state: the step, and the rule that decided it. */
export function eventStep(
	journey: JourneyDefinition,
	before: StageState | null,
	event: EventFacts,
): Step & { ruleId: string | null } {
	const { rule, decision } = decideEvent(
		journey,
		before?.stage ?? null,
		event.eventType,
		event.properties,
	);
	const ruleId = rule ? eventRuleId(rule) : null;
	const step = applyDecision(journey, before, decision, {
		reasonKind: 'event',
		eventType: event.eventType,
		eventId: event.eventId,
		ruleId: ruleId ?? undefined,
		occurredAt: event.occurredAt,
	});
	return { ...step, ruleId };
}
