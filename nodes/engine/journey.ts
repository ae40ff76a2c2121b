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

const ruleCondition = z.discriminatedUnion('kind', [
	z.object({
		kind: z.literal('eventCount'),
		eventType: z.string().min(1),
		/** Days to look back; omitted = lifetime ("more than one purchase"). */
		windowDays: z.number().int().positive().optional(),
		operator: comparison,
		value: z.number(),
	}),
	z.object({ kind: z.literal('activityScore'), operator: comparison, value: z.number() }),
	z.object({ kind: z.literal('activityLevel'), operator: comparison, value: z.string() }),
	z.object({
		kind: z.literal('attribute'),
		attribute: z.string().min(1),
		operator: comparison,
		value: z.union([z.string(), z.number(), z.boolean()]).optional(),
	}),
	z.object({ kind: z.literal('daysInStage'), operator: comparison, value: z.number() }),
]);

const automationRule = z.object({
	id: key,
	stage: key,
	/** Stages the rule may move customers from; omitted = any earlier stage. */
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
	windowDays: z.number().int().positive().default(30),
	/** Points per event type; types not listed score `defaultWeight`. */
	weights: z.record(z.number()).default({}),
	defaultWeight: z.number().default(1),
	/** Ascending by minScore; a customer gets the highest level reached. */
	levels: z.array(z.object({ key, name, minScore: z.number() })).default([
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

function formatPath(path: Array<string | number>): string {
	return path.reduce<string>(
		(text, part) =>
			typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part,
		'',
	);
}

/**
 * Parses and checks a journey definition. Throws an InputError that names the offending
 * stage or rule; nothing about a journey is saved unless this passes.
 */
export function parseJourney(input: unknown): JourneyDefinition {
	const parsed = journeySchema.safeParse(input);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = formatPath(issue.path);
		throw new InputError(
			`Invalid journey: ${where ? `${where}: ` : ''}${issue.message}`,
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

	const ruleIds = new Set<string>();
	const perStage = new Map<string, number>();
	journey.automationRules.forEach((rule, i) => {
		const field = `automationRules[${i}]`;
		if (ruleIds.has(rule.id))
			throw new InputError(`Automation rule id '${rule.id}' is used twice`, `${field}.id`);
		ruleIds.add(rule.id);
		requireStage(rule.stage, `Automation rule '${rule.id}'`, `${field}.stage`);
		rule.fromStages?.forEach((from, j) =>
			requireStage(from, `Automation rule '${rule.id}'`, `${field}.fromStages[${j}]`),
		);
		if (rule.conditions.length > LIMITS.conditionsPerRule) {
			throw new InputError(
				`Automation rule '${rule.id}' for stage '${rule.stage}' has ${rule.conditions.length} conditions; the limit is ${LIMITS.conditionsPerRule}`,
				`${field}.conditions`,
			);
		}
		const count = (perStage.get(rule.stage) ?? 0) + 1;
		perStage.set(rule.stage, count);
		if (count > LIMITS.automationRulesPerStage) {
			throw new InputError(
				`Stage '${rule.stage}' has more than ${LIMITS.automationRulesPerStage} automation rules (rule '${rule.id}' is number ${count})`,
				`${field}`,
			);
		}
	});

	const reminderIds = new Set<string>();
	const remindersPerStage = new Map<string, number>();
	journey.reminderRules.forEach((rule, i) => {
		const field = `reminderRules[${i}]`;
		if (reminderIds.has(rule.id))
			throw new InputError(`Reminder rule id '${rule.id}' is used twice`, `${field}.id`);
		reminderIds.add(rule.id);
		requireStage(rule.stage, `Reminder rule '${rule.id}'`, `${field}.stage`);
		if (rule.escalateAfter !== undefined && rule.repeatEveryDays === undefined) {
			throw new InputError(
				`Reminder rule '${rule.id}' (${field}) escalates after ${rule.escalateAfter} reminders but fires only once: set repeatEveryDays, or remove escalateAfter`,
				`${field}.escalateAfter`,
			);
		}
		const count = (remindersPerStage.get(rule.stage) ?? 0) + 1;
		remindersPerStage.set(rule.stage, count);
		if (count > LIMITS.reminderRulesPerStage) {
			throw new InputError(
				`Stage '${rule.stage}' has more than ${LIMITS.reminderRulesPerStage} reminder rules (rule '${rule.id}' is number ${count})`,
				field,
			);
		}
	});

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
