import { z } from 'zod';
import { InputError } from './errors';
import { LIMITS } from './limits';

const key = z
	.string()
	.trim()
	.min(1, 'must not be empty')
	.max(64, 'must be at most 64 characters')
	.regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'may contain only letters, digits, "_", "." and "-"');

const name = z.string().trim().min(1, 'must not be empty').max(LIMITS.nameLength);

const comparison = z.enum(['equals', 'notEquals', 'contains', 'gt', 'gte', 'lt', 'lte', 'exists']);
export type Comparison = z.infer<typeof comparison>;

const propertyCondition = z.object({
	property: z.string().min(1),
	operator: comparison.default('equals'),
	value: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
export type PropertyCondition = z.infer<typeof propertyCondition>;

const stage = z.object({
	key,
	name,
	description: z.string().max(2000).optional(),
	/** `path` stages are ordered along the main road; `exit` stages are off it. */
	kind: z.enum(['path', 'exit']).default('path'),
	/** Sales-facing status this stage sets (RevOps stage → lead status sync). */
	status: key.optional(),
});

const eventRule = z.object({
	id: key.optional(),
	eventType: z.string().trim().min(1).max(LIMITS.nameLength),
	/** All must hold for the rule to match. */
	conditions: z.array(propertyCondition).max(LIMITS.conditionsPerRule).default([]),
	stage: key,
});

/** A look-back in whole UTC days (see activity.ts for where a window starts and ends). */
const windowDays = z
	.number()
	.int('must be a whole number of days')
	.min(1, `must be from 1 to ${LIMITS.windowDays} days`)
	.max(LIMITS.windowDays, `must be from 1 to ${LIMITS.windowDays} days`);

/** Event type an automation condition counts; `*` counts events of every type. */
export const ANY_EVENT_TYPE = '*';

const ruleCondition = z.discriminatedUnion('kind', [
	z.object({
		kind: z.literal('eventCount'),
		/** An event type, or `*` for events of any type ("no activity for 90 days"). */
		eventType: z.string().trim().min(1).max(LIMITS.nameLength),
		/** Days to look back; omitted = lifetime ("more than one purchase"). */
		windowDays: windowDays.optional(),
		operator: comparison,
		value: z.number(),
	}),
	z.object({ kind: z.literal('activityScore'), operator: comparison, value: z.number() }),
	/** Ordered operators (gt, gte, lt, lte) follow the order of the journey's activity levels. */
	z.object({ kind: z.literal('activityLevel'), operator: comparison, value: z.string() }),
	z.object({
		kind: z.literal('attribute'),
		/** `tags`, `rating`, `owner`, `department`, or a custom property by dotted path. */
		attribute: z.string().min(1),
		operator: comparison,
		value: z.union([z.string(), z.number(), z.boolean()]).optional(),
	}),
	/** Whole days since the customer entered the current stage. */
	z.object({ kind: z.literal('daysInStage'), operator: comparison, value: z.number() }),
	/** Whole days since the customer's last event of any type (inactivity → churned). */
	z.object({ kind: z.literal('daysSinceLastEvent'), operator: comparison, value: z.number() }),
]);
export type RuleCondition = z.infer<typeof ruleCondition>;

const automationRule = z.object({
	id: key,
	stage: key,
	/**
	 * Stages the rule may move customers from; omitted = any path stage (the movement rules keep
	 * it forward-only). A rule applies in an exit stage only where it names that exit here.
	 */
	fromStages: z.array(key).optional(),
	match: z.enum(['all', 'any']).default('all'),
	conditions: z.array(ruleCondition).min(1),
});

const reminderRule = z.object({
	id: key,
	stage: key,
	kind: z.enum(['daysInStage', 'daysWithoutContact']),
	days: z.number().positive(),
	/** Count only Monday–Friday (in the time zone the reminder node runs in), for `days` and repeats. */
	businessDays: z.boolean().default(false),
	recipient: z.enum(['owner', 'admin', 'ownerAndAdmin']).default('owner'),
	/** Fire again every N days while the condition still holds; omitted = once per stage entry. */
	repeatEveryDays: z.number().positive().finite().optional(),
	/**
	 * After this many reminders of one series, later ones also go to the admins ("escalated").
	 * Needs `repeatEveryDays`: a reminder that fires once has nothing to escalate.
	 */
	escalateAfter: z.number().int().positive().optional(),
});

const activitySettings = z.object({
	windowDays: windowDays.default(30),
	/** Points per event type; types not listed score `defaultWeight`. */
	weights: z.record(z.number().finite()).default({}),
	defaultWeight: z.number().finite().default(1),
	/** Strictly ascending by minScore; a customer gets the highest level reached. */
	levels: z
		.array(z.object({ key, name, minScore: z.number().finite() }))
		.min(1, 'needs at least one level')
		.default([
			{ key: 'inactive', name: 'Inactive', minScore: 0 },
			{ key: 'low', name: 'Low', minScore: 1 },
			{ key: 'medium', name: 'Medium', minScore: 5 },
			{ key: 'high', name: 'High', minScore: 15 },
		]),
});

export const journeySchema = z.object({
	key,
	name,
	description: z.string().max(2000).optional(),
	displayOrder: z.number().int().default(0),
	defaultStage: key.optional(),
	/** May an automatic move take a customer from an exit stage back onto the path? */
	allowReentry: z.boolean().default(false),
	stages: z.array(stage).min(1, 'a journey needs at least one stage'),
	eventRules: z.array(eventRule).default([]),
	automationRules: z.array(automationRule).default([]),
	remindersEnabled: z.boolean().default(true),
	reminderRules: z.array(reminderRule).default([]),
	/**
	 * Recorded events of these types count as contact with the customer (restarting the clock of
	 * "no contact for N days" reminders), besides contact logged by hand or imported.
	 */
	contactEventTypes: z
		.array(z.string().trim().min(1, 'must not be empty').max(LIMITS.nameLength))
		.default([]),
	activity: activitySettings.default({}),
	/** The sales-facing status list the stages map to (optional). */
	statuses: z.array(z.object({ key, name })).optional(),
});

export type JourneyInput = z.input<typeof journeySchema>;
export type JourneyDefinition = z.output<typeof journeySchema> & { defaultStage: string };
export type Stage = JourneyDefinition['stages'][number];
export type EventRule = JourneyDefinition['eventRules'][number];
export type AutomationRule = JourneyDefinition['automationRules'][number];
export type ReminderRule = JourneyDefinition['reminderRules'][number];
export type ActivitySettings = JourneyDefinition['activity'];

function formatPath(path: Array<string | number>): string {
	return path.reduce<string>(
		(text, part) =>
			typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part,
		'',
	);
}

/** " (rule 'id')" when a schema issue lies inside an automation rule that has a readable id. */
function ruleIdAt(input: unknown, path: Array<string | number>): string {
	if (path[0] !== 'automationRules' || typeof path[1] !== 'number') return '';
	const rules = (input as { automationRules?: unknown } | null)?.automationRules;
	const id = Array.isArray(rules) ? (rules[path[1]] as { id?: unknown } | null)?.id : undefined;
	return typeof id === 'string' && id.trim() ? ` (rule '${id.trim()}')` : '';
}

/**
 * Parses and checks a journey definition. Throws an InputError that names the offending
 * stage or rule; nothing about a journey is saved unless this passes.
 */
/**
 * What automation and reminder rules share: ids unique in their list, a target stage the
 * journey has, at most `limit` rules per stage. `check` adds the list's own rules, in order.
 */
function checkRuleList<R extends { id: string; stage: string }>(
	rules: readonly R[],
	listField: string,
	kind: string,
	limit: number,
	requireStage: (stageKey: string, what: string, field: string) => void,
	check: (rule: R, field: string) => void,
): void {
	const ids = new Set<string>();
	const perStage = new Map<string, number>();
	const label = kind[0].toUpperCase() + kind.slice(1);
	rules.forEach((rule, i) => {
		const field = `${listField}[${i}]`;
		if (ids.has(rule.id))
			throw new InputError(`${label} id '${rule.id}' is used twice`, `${field}.id`);
		ids.add(rule.id);
		requireStage(rule.stage, `${label} '${rule.id}'`, `${field}.stage`);
		check(rule, field);
		const count = (perStage.get(rule.stage) ?? 0) + 1;
		perStage.set(rule.stage, count);
		if (count > limit) {
			throw new InputError(
				`Stage '${rule.stage}' has more than ${limit} ${kind}s (rule '${rule.id}' is number ${count})`,
				field,
			);
		}
	});
}

export function parseJourney(input: unknown): JourneyDefinition {
	const parsed = journeySchema.safeParse(input);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = formatPath(issue.path);
		throw new InputError(
			`Invalid journey: ${where ? `${where}${ruleIdAt(input, issue.path)}: ` : ''}${issue.message}`,
			where || undefined,
		);
	}
	const journey = parsed.data;
	const stageKeys = new Set<string>();
	for (const [index, { key: stageKey }] of journey.stages.entries()) {
		if (stageKeys.has(stageKey)) {
			throw new InputError(
				`Stage key '${stageKey}' is used twice (stages[${index}])`,
				`stages[${index}].key`,
			);
		}
		stageKeys.add(stageKey);
	}
	if (journey.stages.length > LIMITS.stagesPerJourney) {
		throw new InputError(
			`Journey '${journey.key}' has ${journey.stages.length} stages; the limit is ${LIMITS.stagesPerJourney}`,
			'stages',
		);
	}
	const pathStages = journey.stages.filter((s) => s.kind === 'path');
	if (pathStages.length === 0)
		throw new InputError(`Journey '${journey.key}' needs at least one path stage`, 'stages');

	const defaultStage = journey.defaultStage ?? pathStages[0].key;
	const requireStage = (stageKey: string, what: string, field: string) => {
		if (!stageKeys.has(stageKey))
			throw new InputError(
				`${what} names stage '${stageKey}', which this journey does not have`,
				field,
			);
	};
	requireStage(defaultStage, 'The default stage', 'defaultStage');
	if (journey.stages.find((s) => s.key === defaultStage)?.kind !== 'path') {
		throw new InputError(
			`The default stage '${defaultStage}' must be a path stage, not an exit`,
			'defaultStage',
		);
	}
	journey.eventRules.forEach((rule, i) =>
		requireStage(rule.stage, `Event rule ${i + 1} (${rule.eventType})`, `eventRules[${i}].stage`),
	);

	// Levels are read as "the highest reached", so a level listed out of order could never be
	// reached (or would shadow the one before it).
	const levelKeys = new Set<string>();
	journey.activity.levels.forEach((level, i) => {
		if (levelKeys.has(level.key)) {
			throw new InputError(
				`Activity level key '${level.key}' is used twice (activity.levels[${i}])`,
				`activity.levels[${i}].key`,
			);
		}
		levelKeys.add(level.key);
		const previous = journey.activity.levels[i - 1];
		if (previous && level.minScore <= previous.minScore) {
			throw new InputError(
				`Activity levels must ascend by minimum score: '${level.key}' (${level.minScore}) follows '${previous.key}' (${previous.minScore})`,
				`activity.levels[${i}].minScore`,
			);
		}
	});

	checkRuleList(
		journey.automationRules,
		'automationRules',
		'automation rule',
		LIMITS.automationRulesPerStage,
		requireStage,
		(rule, field) => {
			rule.fromStages?.forEach((from, j) =>
				requireStage(from, `Automation rule '${rule.id}'`, `${field}.fromStages[${j}]`),
			);
			if (rule.conditions.length > LIMITS.conditionsPerRule) {
				throw new InputError(
					`Automation rule '${rule.id}' for stage '${rule.stage}' has ${rule.conditions.length} conditions; the limit is ${LIMITS.conditionsPerRule}`,
					`${field}.conditions`,
				);
			}
			rule.conditions.forEach((condition, j) => {
				if (condition.kind === 'activityLevel' && !levelKeys.has(condition.value)) {
					throw new InputError(
						`Automation rule '${rule.id}' names activity level '${condition.value}', which this journey does not have (its levels: ${[...levelKeys].join(', ')})`,
						`${field}.conditions[${j}].value`,
					);
				}
			});
		},
	);
	checkRuleList(
		journey.reminderRules,
		'reminderRules',
		'reminder rule',
		LIMITS.reminderRulesPerStage,
		requireStage,
		(rule, field) => {
			if (rule.escalateAfter !== undefined && rule.repeatEveryDays === undefined) {
				throw new InputError(
					`Reminder rule '${rule.id}' (${field}) escalates after ${rule.escalateAfter} reminders but fires only once: set repeatEveryDays, or remove escalateAfter`,
					`${field}.escalateAfter`,
				);
			}
		},
	);

	if (journey.statuses) {
		const statusKeys = new Set(journey.statuses.map((s) => s.key));
		journey.stages.forEach((s, i) => {
			if (s.status && !statusKeys.has(s.status)) {
				throw new InputError(
					`Stage '${s.key}' maps to status '${s.status}', which is not in the status list`,
					`stages[${i}].status`,
				);
			}
		});
	}
	return { ...journey, defaultStage };
}

/** Position of a stage on the path (0-based), or -1 for exit and unknown stages. */
export function pathIndex(journey: JourneyDefinition, stageKey: string): number {
	let index = 0;
	for (const s of journey.stages) {
		if (s.kind !== 'path') continue;
		if (s.key === stageKey) return index;
		index++;
	}
	return -1;
}

export function findStage(journey: JourneyDefinition, stageKey: string): Stage | undefined {
	return journey.stages.find((s) => s.key === stageKey);
}
