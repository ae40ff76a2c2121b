import { DAY_MS } from './activity';
import { compare, rank, readProperty } from './eventRules';
import {
	ANY_EVENT_TYPE,
	findStage,
	type AutomationRule,
	type Comparison,
	type JourneyDefinition,
	type RuleCondition,
} from './journey';
import { applyDecision, decideMove, type Direction, type StageState, type Step } from './movement';

/**
 * Automation rules: conditions on what is known about a customer (event counts, activity,
 * attributes, time) that move them to a rule's stage. The store gathers the facts inside its
 * transaction and applies what this returns; nothing here reads a clock or a database.
 */

/** What the store knows about one customer in one journey at `now`. */
export interface CustomerFacts {
	/** Evaluation time, epoch milliseconds. */
	now: number;
	/** When the customer entered their current stage, epoch milliseconds. */
	stageEnteredAt: number;
	/**
	 * Events of a type (`*`: any type) in the window of `windowDays` UTC days ending with the day
	 * of `now` (activity.ts `dayWindow`), or in the customer's lifetime when `windowDays` is
	 * undefined. activity.ts `countEvents` answers it from daily roll-ups.
	 */
	eventCount(eventType: string, windowDays?: number): number;
	/**
	 * Time of the customer's latest event (any type) recorded into this journey — events recorded
	 * into other journeys do not count — and, in an evaluation, occurred at or before `now`; null
	 * when there is none.
	 */
	lastEventAt: number | null;
	owner: string | null;
	department: string | null;
	rating: number | null;
	tags: string[];
	properties: Record<string, unknown>;
	/** The activity score and level (activity.ts `scoreActivity`); null when not computed. */
	activity: { score: number; level: string | null } | null;
}

/** How one condition came out, with the values it compared, for explanations. */
export interface ConditionCheck {
	holds: boolean;
	/** The values compared, e.g. "purchase.completed: 2 in lifetime > 1". */
	text: string;
}

export interface AutomationMove {
	ruleId: string;
	from: string;
	to: string;
	direction: Direction;
	/** Effective time: `now`, or the stage entry time if that is later (time never runs back). */
	at: number;
	/** The whole reason, ready to store, e.g. "advanced from Customer to Loyal Customer (rule …)". */
	explanation: string;
	/** One entry per condition that held, in the rule's order. */
	because: string[];
}

/**
 * A rule whose conditions hold at the final stage but that moves nothing, and why (backwards,
 * exit to exit, re-entry not allowed, a stage this evaluation already left).
 */
export interface UnmovedRule {
	ruleId: string;
	to: string;
	explanation: string;
	because: string[];
}

export interface AutomationResult {
	/** The customer's stage after every move. */
	stage: string;
	/** When the customer entered `stage` (unchanged when nothing moved). */
	stageEnteredAt: number;
	moved: boolean;
	/** In the order they happen; each move's `from` is the previous move's `to`. */
	moves: AutomationMove[];
	/** Sorted by rule id, so the listing order of rules never shows. */
	notMoved: UnmovedRule[];
}

const SYMBOL: Record<Comparison, string> = {
	equals: '=',
	notEquals: '≠',
	contains: 'contains',
	gt: '>',
	gte: '≥',
	lt: '<',
	lte: '≤',
	exists: 'is set',
};

/** Whole 24-hour periods from `since` to `now`; never negative (clocks disagree). */
function wholeDays(now: number, since: number): number {
	return Math.max(0, Math.floor((now - since) / DAY_MS));
}

function show(value: unknown): string {
	if (value === undefined || value === null || value === '') return '(not set)';
	if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

/** "owner: alice is set", "rating: 3 ≥ 2", "tags: [vip] contains vip". */
function comparisonText(label: string, actual: unknown, operator: Comparison, expected: unknown) {
	if (operator === 'exists') {
		const empty = expected === false || expected === 'false';
		return `${label}: ${show(actual)} ${empty ? 'is empty' : 'is set'}`;
	}
	return `${label}: ${show(actual)} ${SYMBOL[operator]} ${show(expected)}`;
}

/** Built-in attributes first; anything else is a custom property (`properties.` optional). */
function readAttribute(facts: CustomerFacts, attribute: string): unknown {
	switch (attribute) {
		case 'tags':
			return facts.tags;
		case 'rating':
			return facts.rating;
		case 'owner':
			return facts.owner;
		case 'department':
			return facts.department;
		default:
			return readProperty(
				facts.properties,
				attribute.startsWith('properties.') ? attribute.slice('properties.'.length) : attribute,
			);
	}
}

/** Levels compare by their place in the journey's list, so "gte medium" includes "high". */
function compareLevel(
	journey: JourneyDefinition,
	actual: string | null | undefined,
	operator: Comparison,
	expected: string,
): boolean {
	if (!['gt', 'gte', 'lt', 'lte'].includes(operator)) return compare(actual, operator, expected);
	const order = journey.activity.levels.map((l) => l.key);
	const a = actual == null ? -1 : order.indexOf(actual);
	const b = order.indexOf(expected);
	if (a < 0 || b < 0) return false;
	return compare(a, operator, b);
}

/** Evaluates one condition against the facts, with the stage entry time in force. */
export function checkCondition(
	journey: JourneyDefinition,
	condition: RuleCondition,
	facts: CustomerFacts,
	stageEnteredAt: number = facts.stageEnteredAt,
): ConditionCheck {
	switch (condition.kind) {
		case 'eventCount': {
			const count = facts.eventCount(condition.eventType, condition.windowDays);
			const what = condition.eventType === ANY_EVENT_TYPE ? 'any event' : condition.eventType;
			const span =
				condition.windowDays === undefined
					? 'in lifetime'
					: `in last ${condition.windowDays} ${condition.windowDays === 1 ? 'day' : 'days'}`;
			return {
				holds: compare(count, condition.operator, condition.value),
				text: comparisonText(what, `${count} ${span}`, condition.operator, condition.value),
			};
		}
		case 'activityScore': {
			const score = facts.activity?.score;
			return {
				holds: compare(score, condition.operator, condition.value),
				text: comparisonText('activity score', score, condition.operator, condition.value),
			};
		}
		case 'activityLevel': {
			const level = facts.activity?.level;
			return {
				holds: compareLevel(journey, level, condition.operator, condition.value),
				text: comparisonText('activity level', level, condition.operator, condition.value),
			};
		}
		case 'attribute': {
			const value = readAttribute(facts, condition.attribute);
			return {
				holds: compare(value, condition.operator, condition.value),
				text: comparisonText(condition.attribute, value, condition.operator, condition.value),
			};
		}
		case 'daysInStage': {
			const days = wholeDays(facts.now, stageEnteredAt);
			return {
				holds: compare(days, condition.operator, condition.value),
				text: comparisonText('days in stage', days, condition.operator, condition.value),
			};
		}
		case 'daysSinceLastEvent': {
			// A customer with no event in this journey has been quiet at least since entering the stage.
			const since = facts.lastEventAt ?? stageEnteredAt;
			const days = wholeDays(facts.now, since);
			const label =
				facts.lastEventAt === null
					? 'days since last event (none; counted from stage entry)'
					: 'days since last event';
			return {
				holds: compare(days, condition.operator, condition.value),
				text: comparisonText(label, days, condition.operator, condition.value),
			};
		}
	}
}

/** Whether a rule's conditions hold (all or any), and the texts of those that held. */
export function checkRule(
	journey: JourneyDefinition,
	rule: AutomationRule,
	facts: CustomerFacts,
	stageEnteredAt: number = facts.stageEnteredAt,
): { holds: boolean; because: string[]; checks: ConditionCheck[] } {
	const checks = rule.conditions.map((c) => checkCondition(journey, c, facts, stageEnteredAt));
	const holds = rule.match === 'any' ? checks.some((c) => c.holds) : checks.every((c) => c.holds);
	return { holds, because: checks.filter((c) => c.holds).map((c) => c.text), checks };
}

/**
 * Whether a rule applies to a customer in `stageKey`: the stages it names, or — when it names
 * none — every path stage. An exit never counts as "earlier", so leaving one by a rule needs the
 * rule to name it (and the journey to allow re-entry).
 */
export function ruleAppliesIn(
	journey: JourneyDefinition,
	rule: AutomationRule,
	stageKey: string,
): boolean {
	if (rule.fromStages) return rule.fromStages.includes(stageKey);
	return findStage(journey, stageKey)?.kind !== 'exit';
}

/**
 * Which of two rules that would both move a customer wins: the higher-ranked target, then the
 * smaller rule id (the first listed when ids are equal).
 */
function goesBefore(journey: JourneyDefinition, a: AutomationRule, b: AutomationRule): boolean {
	const byRank = rank(journey, a.stage) - rank(journey, b.stage);
	return byRank !== 0 ? byRank > 0 : a.id < b.id;
}

/**
 * Evaluates a journey's automation rules for a customer at `current`, to a fixpoint: a move can
 * make another rule true (a new stage, days in stage back at 0), so rules are checked again
 * after each move until none moves. Moves obey the movement rules (decideMove, 'automatic').
 *
 * When several rules would move at once, the target ranks as for event rules — an exit over
 * any path stage, otherwise the furthest along the path — and equal targets go to the smallest
 * rule id; so the listing order of rules never matters. A stage left during this evaluation is
 * not entered again (exit → re-entry → exit would otherwise cycle), and there are never more
 * rounds than stages.
 */
export function evaluateAutomation(
	journey: JourneyDefinition,
	current: string,
	facts: CustomerFacts,
): AutomationResult {
	let stage = current;
	let enteredAt = facts.stageEnteredAt;
	const visited = [current];
	const moves: AutomationMove[] = [];
	let notMoved: UnmovedRule[] = [];

	for (let round = 0; round < journey.stages.length; round++) {
		notMoved = [];
		let next: AutomationMove | undefined;
		let nextRule: AutomationRule | undefined;
		for (const rule of journey.automationRules) {
			if (!ruleAppliesIn(journey, rule, stage)) continue;
			const { holds, because } = checkRule(journey, rule, facts, enteredAt);
			// A rule for the stage the customer is in has nothing to do and nothing to explain.
			if (!holds || rule.stage === stage) continue;
			const decision = decideMove(journey, stage, rule.stage, 'automatic');
			if (!decision.moved) {
				notMoved.push({
					ruleId: rule.id,
					to: rule.stage,
					explanation: decision.explanation,
					because,
				});
			} else if (visited.includes(rule.stage)) {
				const name = findStage(journey, rule.stage)?.name ?? rule.stage;
				notMoved.push({
					ruleId: rule.id,
					to: rule.stage,
					explanation: `would return to ${name}, which this evaluation already left`,
					because,
				});
			} else if (!nextRule || goesBefore(journey, rule, nextRule)) {
				nextRule = rule;
				next = {
					ruleId: rule.id,
					from: stage,
					to: rule.stage,
					direction: decision.direction,
					at: Math.max(facts.now, enteredAt),
					explanation: `${decision.explanation} (rule '${rule.id}': ${because.join('; ')})`,
					because,
				};
			}
		}
		if (!next) break;
		moves.push(next);
		stage = next.to;
		enteredAt = next.at;
		visited.push(stage);
	}
	notMoved.sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
	return { stage, stageEnteredAt: enteredAt, moved: moves.length > 0, moves, notMoved };
}

/**
 * The history steps of an evaluation's moves, each from the state the previous one left: the
 * record says `reasonKind: 'rule'`, the rule id, and the values that made it true.
 */
export function automationSteps(
	journey: JourneyDefinition,
	before: StageState,
	result: AutomationResult,
): Step[] {
	let state = before;
	return result.moves.map((move) => {
		const step = applyDecision(
			journey,
			state,
			{
				moved: true,
				from: move.from,
				to: move.to,
				direction: move.direction,
				explanation: move.explanation,
			},
			{ reasonKind: 'rule', ruleId: move.ruleId, occurredAt: move.at },
		);
		state = step.after!;
		return step;
	});
}

/** Whether any rule reads the activity score or level, so the store knows to compute it. */
export function needsActivity(journey: JourneyDefinition): boolean {
	return journey.automationRules.some((rule) =>
		rule.conditions.some((c) => c.kind === 'activityScore' || c.kind === 'activityLevel'),
	);
}

/**
 * Things a journey allows but that are probably mistakes, for Journey → Get to show: counts and
 * weights of event types no event rule mentions (a misspelt type counts nothing), and rules
 * that can never move anyone from the stages they apply in.
 */
export function journeyWarnings(journey: JourneyDefinition): string[] {
	const known = new Set(journey.eventRules.map((r) => r.eventType));
	const warnings: string[] = [];
	journey.automationRules.forEach((rule, i) => {
		rule.conditions.forEach((condition, j) => {
			if (
				condition.kind === 'eventCount' &&
				condition.eventType !== ANY_EVENT_TYPE &&
				!known.has(condition.eventType)
			) {
				warnings.push(
					`Automation rule '${rule.id}' (automationRules[${i}].conditions[${j}]) counts '${condition.eventType}' events, but no event rule of this journey mentions that event type`,
				);
			}
		});
		const from = journey.stages.filter((s) => ruleAppliesIn(journey, rule, s.key));
		if (!from.some((s) => decideMove(journey, s.key, rule.stage, 'automatic').moved)) {
			const target = findStage(journey, rule.stage)?.name ?? rule.stage;
			warnings.push(
				`Automation rule '${rule.id}' (automationRules[${i}]) can never move anyone to ${target}: automatic moves go only forward, into exits, and out of exits only where re-entry is allowed${from.length ? ` (it applies in: ${from.map((s) => s.name).join(', ')})` : ''}`,
			);
		}
	});
	for (const eventType of Object.keys(journey.activity.weights)) {
		if (!known.has(eventType)) {
			warnings.push(
				`Activity weight for '${eventType}' (activity.weights): no event rule of this journey mentions that event type`,
			);
		}
	}
	return warnings;
}
