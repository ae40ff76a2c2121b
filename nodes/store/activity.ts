import {
	DAY_MS,
	countEvents,
	earliestAffectingDay,
	epochDay,
	scoreActivity,
	type ActivityResult,
	type DailyEventCount,
} from '../engine/activity';
import {
	automationSteps,
	evaluateAutomation,
	needsActivity,
	ruleAppliesIn,
	type AutomationMove,
	type CustomerFacts,
} from '../engine/automation';
import { inScope, type Scope } from '../engine/inputs';
import type { JourneyDefinition, RuleCondition } from '../engine/journey';
import { decideMove, stageLabel, type StageState } from '../engine/movement';
import { saveMemberships, type LockedCustomer } from './customers';
import { batchesOf, insertRows, matchAny } from './driver/sql';
import type { ArrayType, SqlDriver, SqlExecutor } from './driver/sql';
import { appendHistory } from './history';
import { loadJourneysForBatch, type JourneyCache, type LoadedJourney } from './journeys';
import type { ItemOutcome, MoveResult } from './types';
import { Batch, type ValidItem } from './writeBatch';

/**
 * Activity bookkeeping (Evaluate 30-Day Activity, automation rules): the per-customer daily event
 * roll-up kept by the ingest transaction, the stored score and level with the time they were
 * computed, and the gathering of CustomerFacts for engine/automation.ts. The engine decides
 * scores, levels and moves; this module only reads and writes.
 */

const DAY_COLUMNS: ReadonlyArray<readonly [string, ArrayType]> = [
	['journey_id', 'bigint'],
	['customer_id', 'bigint'],
	['day', 'integer'],
	['event_type', 'text'],
	['event_count', 'integer'],
];

const SCORE_COLUMNS: ReadonlyArray<readonly [string, ArrayType]> = [
	['journey_id', 'bigint'],
	['customer_id', 'bigint'],
	['score', 'float8'],
	['level_key', 'text'],
	['computed_at', 'bigint'],
];

/** One roll-up row: journey id, customer id, epoch day, event type, count. */
type DayRow = [number, number, number, string, number];

/** A newly recorded event, as the roll-up counts it. */
export interface CountedEvent {
	journeyId: number;
	customerId: number;
	occurredAt: number;
	eventType: string;
}

/**
 * Adds newly recorded events (never duplicates: those are excluded before) to the daily
 * roll-ups, one statement on PostgreSQL. Rows are merged first (one statement may not update a
 * row twice) and sorted, so two batches touching the same rows wait in one order.
 */
export async function addActivityDays(
	tx: SqlExecutor,
	events: readonly CountedEvent[],
): Promise<void> {
	// Sorted, then equal neighbours merged: about half the time of a Map keyed by joined strings.
	const sorted = events
		.map((e): DayRow => [e.journeyId, e.customerId, epochDay(e.occurredAt), e.eventType, 1])
		.sort(
			(a, b) =>
				a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0),
		);
	const rows: DayRow[] = [];
	let last: DayRow | undefined;
	for (const row of sorted) {
		if (
			last &&
			last[0] === row[0] &&
			last[1] === row[1] &&
			last[2] === row[2] &&
			last[3] === row[3]
		)
			last[4]++;
		else rows.push((last = row));
	}
	await insertRows(
		tx,
		'activity_days',
		DAY_COLUMNS,
		rows,
		`ON CONFLICT (journey_id, customer_id, day, event_type)
		 DO UPDATE SET event_count = activity_days.event_count + excluded.event_count`,
	);
}

/** Roll-up rows as `values` reads them: customer id, epoch day, event type, count. */
type DayValues = [customerId: number, day: number, eventType: string, count: number];

/**
 * Adds rows to `days`, by customer id. Rows of one customer come together from a read by key
 * (not guaranteed, so a Map still finds a customer's list when they do not).
 */
function addDays(days: Map<number, DailyEventCount[]>, rows: readonly DayValues[]) {
	let lastId = NaN;
	let list: DailyEventCount[] = [];
	for (const [customerId, day, eventType, count] of rows) {
		const id = Number(customerId);
		if (id !== lastId) {
			lastId = id;
			const known = days.get(id);
			if (known) list = known;
			else days.set(id, (list = []));
		}
		list.push({ day: Number(day), eventType, count: Number(count) });
	}
}

/**
 * Daily roll-ups of some customers in one journey, by customer id: the days from `fromDay` on
 * (all when undefined) and before `beforeDay` (no bound when undefined).
 */
export async function loadActivityDays(
	tx: SqlExecutor,
	journeyId: number,
	customerIds: readonly number[],
	fromDay?: number,
	beforeDay?: number,
): Promise<Map<number, DailyEventCount[]>> {
	const days = new Map<number, DailyEventCount[]>();
	const bounds = `${fromDay === undefined ? '' : ' AND day >= ?'}${beforeDay === undefined ? '' : ' AND day < ?'}`;
	const boundParams = [fromDay, beforeDay].filter((d): d is number => d !== undefined);
	for (const part of batchesOf(tx.dialect, customerIds)) {
		const match = matchAny(tx.dialect, part, 'bigint');
		const rows = await tx.values<DayValues>(
			`SELECT customer_id, day, event_type, event_count FROM activity_days
			 WHERE journey_id = ? AND customer_id${match.sql}${bounds}`,
			[journeyId, ...match.params, ...boundParams],
		);
		addDays(days, rows);
	}
	return days;
}

/**
 * What an evaluation at `at` counts, by customer id: the roll-ups of the whole days before the
 * day of `at` (from `fromDay` on, or all), and that day's events up to `at` itself, counted from
 * the events (events_customer_time: a range per customer). An event after `at` never counts,
 * later the same day included, so a backfill sees exactly what had happened by then. `lastEvents`
 * (each customer's latest event in the journey up to `at`) says who had one that day at all:
 * only they are counted.
 */
export async function loadActivityUpTo(
	tx: SqlExecutor,
	journeyId: number,
	customerIds: readonly number[],
	at: number,
	lastEvents: ReadonlyMap<number, number>,
	fromDay?: number,
): Promise<Map<number, DailyEventCount[]>> {
	const today = epochDay(at);
	const days = await loadActivityDays(tx, journeyId, customerIds, fromDay, today);
	if (fromDay !== undefined && fromDay > today) return days;
	const startOfDay = today * DAY_MS;
	const busy = customerIds.filter((id) => (lastEvents.get(id) ?? -Infinity) >= startOfDay);
	for (const part of batchesOf(tx.dialect, busy)) {
		const match = matchAny(tx.dialect, part, 'bigint');
		const rows = await tx.values<[number, string, number]>(
			`SELECT customer_id, event_type, COUNT(*) AS event_count FROM events
			 WHERE journey_id = ? AND customer_id${match.sql} AND occurred_at >= ? AND occurred_at <= ?
			 GROUP BY customer_id, event_type`,
			[journeyId, ...match.params, startOfDay, at],
		);
		addDays(
			days,
			rows.map(([customerId, eventType, count]) => [customerId, today, eventType, count]),
		);
	}
	return days;
}

/**
 * Each customer's latest event recorded into one journey, by customer id; customers with none are
 * left out. The ids are read from the customers table so both dialects bind them alike.
 */
export async function loadLastEvents(
	tx: SqlExecutor,
	journeyId: number,
	customerIds: readonly number[],
): Promise<Map<number, number>> {
	const last = new Map<number, number>();
	for (const part of batchesOf(tx.dialect, customerIds)) {
		const match = matchAny(tx.dialect, part, 'bigint');
		const rows = await tx.values<[number, number | null]>(
			`SELECT c.id, ${lastEventSql('?', 'c.id')} AS last_at FROM customers c WHERE c.id${match.sql}`,
			[journeyId, ...match.params],
		);
		for (const [id, lastAt] of rows) {
			if (lastAt !== null && lastAt !== undefined) last.set(Number(id), Number(lastAt));
		}
	}
	return last;
}

/**
 * A customer's latest event in a journey, as an SQL expression over the given columns (or `?`);
 * with `upTo`, at or before one more `?`. One index seek (events_customer_time).
 */
function lastEventSql(journeyId: string, customerId: string, upTo = false): string {
	return `(SELECT MAX(e.occurred_at) FROM events e WHERE e.journey_id = ${journeyId}
	  AND e.customer_id = ${customerId}${upTo ? ' AND e.occurred_at <= ?' : ''})`;
}

/** What automation conditions read from the customer row. */
interface CustomerAttributes {
	externalId: string;
	owner: string | null;
	department: string | null;
	rating: number | null;
	tags: string[];
	properties: Record<string, unknown>;
}

/** A customer row as `loadAttributes` reads it; the last three only for rules. */
type AttributeValues = [
	id: number,
	externalId: string,
	owner: string | null,
	department: string | null,
	rating?: number | null,
	tags?: string | null,
	properties?: string | null,
];

/** Columns not read (undefined) stand empty, as they would in a row without them. */
function attributesOf(row: AttributeValues): CustomerAttributes {
	const [, externalId, owner, department, rating, tags, properties] = row;
	return {
		externalId: String(externalId),
		owner: owner ?? null,
		department: department ?? null,
		rating: rating === null || rating === undefined ? null : Number(rating),
		tags: tags ? JSON.parse(String(tags)) : [],
		properties: properties ? JSON.parse(String(properties)) : {},
	};
}

/**
 * Customer rows by id. `lock` takes their row locks in external-id order (as batches do; SQLite's
 * write lock already covers them). Rating, tags and properties are read only `forRules` (a journey
 * whose rules read attributes); otherwise they stand empty.
 */
async function loadAttributes(
	tx: SqlExecutor,
	customerIds: readonly number[],
	options: { lock: boolean; forRules: boolean },
): Promise<Map<number, CustomerAttributes>> {
	const found = new Map<number, CustomerAttributes>();
	const columns = `id, external_id, owner, department${options.forRules ? ', rating, tags, properties' : ''}`;
	const lock = options.lock && tx.dialect.forUpdate !== '';
	for (const part of batchesOf(tx.dialect, customerIds)) {
		const match = matchAny(tx.dialect, part, 'bigint');
		const rows = await tx.values<AttributeValues>(
			`SELECT ${columns} FROM customers WHERE id${match.sql}${lock ? ` ORDER BY external_id${tx.dialect.forUpdate}` : ''}`,
			match.params,
		);
		for (const row of rows) found.set(Number(row[0]), attributesOf(row));
	}
	return found;
}

/** Whether any automation rule of the journey could move a customer out of `stage`. */
function canMoveFrom(journey: JourneyDefinition, stage: string): boolean {
	return journey.automationRules.some(
		(rule) =>
			ruleAppliesIn(journey, rule, stage) &&
			decideMove(journey, stage, rule.stage, 'automatic').moved,
	);
}

/** canMoveFrom, decided once per journey and stage (a batch asks it for every customer). */
function movableStages(): (journey: LoadedJourney, stage: string) => boolean {
	const known = new Map<string, boolean>();
	return (journey, stage) => {
		const key = `${journey.id}\u0000${stage}`;
		let movable = known.get(key);
		if (movable === undefined) {
			movable = canMoveFrom(journey.definition, stage);
			known.set(key, movable);
		}
		return movable;
	};
}

/** Stands in for a customer row the journey's rules never read. */
const UNREAD_ROW: CustomerAttributes = {
	externalId: '',
	owner: null,
	department: null,
	rating: null,
	tags: [],
	properties: {},
};

function readsConditions(journey: JourneyDefinition, kinds: ReadonlyArray<RuleCondition['kind']>) {
	return journey.automationRules.some((rule) =>
		rule.conditions.some((c) => kinds.includes(c.kind)),
	);
}

/** Whether the journey's rules count events over a customer's lifetime (all days needed). */
function countsLifetime(journey: JourneyDefinition): boolean {
	return journey.automationRules.some((rule) =>
		rule.conditions.some((c) => c.kind === 'eventCount' && c.windowDays === undefined),
	);
}

/** The widest window anything in the journey looks back over (activity and rule windows). */
function widestWindow(journey: JourneyDefinition): number {
	let widest = journey.activity.windowDays;
	for (const rule of journey.automationRules) {
		for (const c of rule.conditions) {
			if (c.kind === 'eventCount' && c.windowDays !== undefined)
				widest = Math.max(widest, c.windowDays);
		}
	}
	return widest;
}

function factsOf(
	now: number,
	state: StageState,
	customer: CustomerAttributes,
	days: readonly DailyEventCount[],
	lastEventAt: number | null,
	activity: ActivityResult | null,
): CustomerFacts {
	return {
		now,
		stageEnteredAt: state.enteredAt,
		eventCount: (eventType, windowDays) => countEvents(days, eventType, now, windowDays),
		lastEventAt,
		owner: customer.owner,
		department: customer.department,
		rating: customer.rating,
		tags: customer.tags,
		properties: customer.properties,
		activity: activity && { score: activity.score, level: activity.level },
	};
}

/**
 * Automation rules after a batch's own decisions (events, imports), in its transaction: for
 * each touched customer in each journey with rules, the facts as the batch leaves them (its
 * events already in the roll-ups, its attributes saved) and evaluateAutomation to a fixpoint;
 * each move becomes a batch step (history reasonKind 'rule'). Returns the moves per
 * `journeyId:customerId`.
 *
 * Rules are evaluated at `at`, the time of the customer's latest event in the batch (its items'
 * time), or when the customer entered the stage the batch leaves them in if that is later (time
 * never runs back, DESIGN rule 7): the moment the last fact arrived. A backfill of last year's
 * purchases moves a customer to Loyal last year, with windows and days in stage counted to then,
 * not to the day the backfill ran.
 */
export async function applyAutomation(
	tx: SqlExecutor,
	batch: Batch,
	touched: ReadonlyArray<{ journey: LoadedJourney; customer: LockedCustomer; at: number }>,
): Promise<Map<string, AutomationMove[]>> {
	const moved = new Map<string, AutomationMove[]>();
	const byJourney = new Map<
		number,
		{
			journey: LoadedJourney;
			customers: LockedCustomer[];
			at: Map<number, number>;
			earliest: number;
		}
	>();
	const movable = movableStages();
	for (const { journey, customer, at } of touched) {
		// Customers no rule can move from where they are (already at or past every rule's stage)
		// need no facts at all.
		const state = batch.state(journey, customer);
		if (!state || !movable(journey, state.stage)) continue;
		const when = Math.max(at, state.enteredAt);
		let group = byJourney.get(journey.id);
		if (!group) {
			group = { journey, customers: [], at: new Map(), earliest: when };
			byJourney.set(journey.id, group);
		}
		group.customers.push(customer);
		group.at.set(customer.id, when);
		group.earliest = Math.min(group.earliest, when);
	}
	if (byJourney.size === 0) return moved;
	// Only what the rules read: the customer row for attribute conditions, the roll-ups for counts
	// and activity (from the widest window on, unless a count is lifetime), the last event in the
	// journey for quiet days. `touched` holds each customer once per journey.
	const rowIds: number[] = [];
	for (const group of byJourney.values()) {
		if (readsConditions(group.journey.definition, ['attribute']))
			for (const c of group.customers) rowIds.push(c.id);
	}
	const attributes = await loadAttributes(tx, [...new Set(rowIds)], {
		lock: false,
		forRules: true,
	});
	for (const { journey, customers, at, earliest } of byJourney.values()) {
		const definition = journey.definition;
		const ids = customers.map((c) => c.id);
		const days = readsConditions(definition, ['eventCount', 'activityScore', 'activityLevel'])
			? await loadActivityDays(
					tx,
					journey.id,
					ids,
					countsLifetime(definition)
						? undefined
						: earliestAffectingDay(earliest, widestWindow(definition)),
				)
			: new Map<number, DailyEventCount[]>();
		// At ingest every event counts, even one dated after the evaluation time.
		const lastEvents = readsConditions(definition, ['daysSinceLastEvent'])
			? await loadLastEvents(tx, journey.id, ids)
			: new Map<number, number>();
		const scores = needsActivity(definition);
		for (const customer of customers) {
			const state = batch.state(journey, customer);
			if (!state) continue;
			const when = at.get(customer.id)!;
			const row = attributes.get(customer.id) ?? UNREAD_ROW;
			const own = days.get(customer.id) ?? [];
			const activity = scores ? scoreActivity(definition.activity, own, when) : null;
			const last = lastEvents.get(customer.id) ?? null;
			const facts = factsOf(when, state, row, own, last, activity);
			const result = evaluateAutomation(definition, state.stage, facts);
			if (!result.moved) continue;
			for (const step of automationSteps(definition, state, result))
				batch.apply(journey, customer, step);
			moved.set(`${journey.id}:${customer.id}`, result.moves);
		}
	}
	return moved;
}

/**
 * A writing batch's `settle` hook (Record Event, Import): automation rules for every customer
 * and journey its items touched, at the time of the customer's latest item (applyAutomation).
 * The last item of each customer and journey that rules moved reports where the customer ended:
 * its stage becomes the final one and its reason goes on with each rule move ("…; then advanced
 * from Customer to Loyal Customer (rule …)").
 */
export async function settleAutomation<
	I extends { customerId: string; occurredAt: number },
	R extends MoveResult,
>(
	tx: SqlExecutor,
	batch: Batch,
	decided: Array<{ index: number; item: ValidItem<I> }>,
	outcomes: Array<ItemOutcome<R>>,
): Promise<void> {
	const last = new Map<
		string,
		{ index: number; journey: LoadedJourney; customer: LockedCustomer; at: number }
	>();
	for (const { index, item } of decided) {
		if (!item.journey) continue;
		const customer = batch.customers.get(item.input.customerId)!;
		const key = `${item.journey.id}:${customer.id}`;
		const at = Math.max(last.get(key)?.at ?? -Infinity, item.input.occurredAt);
		last.set(key, { index, journey: item.journey, customer, at });
	}
	const moved = await applyAutomation(tx, batch, [...last.values()]);
	for (const [key, moves] of moved) {
		const { index, journey } = last.get(key)!;
		const outcome = outcomes[index];
		if (!outcome.ok) continue;
		const final = moves[moves.length - 1];
		const state = batch.state(journey, last.get(key)!.customer)!;
		outcome.reason = [outcome.reason, ...moves.map((m) => `then ${m.explanation}`)].join('; ');
		outcome.stage = final.to;
		outcome.stageName = stageLabel(journey.definition, final.to);
		outcome.status = state.status;
		if (!outcome.moved) outcome.direction = final.direction;
		outcome.moved = true;
	}
}

// ---------------------------------------------------------------- Evaluate 30-Day Activity

export interface ActivityEvaluationOptions {
	journey: string;
	/** Customers to evaluate (external ids); omitted = every customer whose result can change. */
	customerIds?: readonly string[];
	/** The time to evaluate at (backfills); default now. */
	asOf?: number;
	/** Whose customers to look at (owners, departments); default all. */
	scope?: Scope;
	/** Report every evaluated customer, not only those whose score, level or stage changed. */
	includeUnchanged?: boolean;
	/**
	 * With `customerIds`: if any named customer cannot be evaluated, throw NotEvaluated and write
	 * nothing (a node without "continue on fail"); otherwise they are listed in `notEvaluated`.
	 */
	allOrNothing?: boolean;
}

/** Why a named customer was not evaluated: unknown, not a member of the journey, out of scope. */
export type NotEvaluatedReason = 'unknown' | 'notInJourney' | 'outOfScope';

export interface NotEvaluatedCustomer {
	customerId: string;
	reason: NotEvaluatedReason;
}

/** Thrown (the evaluation undone) when an all-or-nothing evaluation names a customer it cannot evaluate. */
export class NotEvaluated extends Error {
	constructor(
		readonly journey: string,
		readonly journeyName: string,
		readonly customers: NotEvaluatedCustomer[],
	) {
		super(`${customers.length} named customer(s) could not be evaluated in journey '${journey}'`);
		this.name = 'NotEvaluated';
	}
}

export interface ActivityMove {
	ruleId: string;
	from: string;
	fromName: string;
	to: string;
	toName: string;
	direction: string;
	at: number;
	reason: string;
}

export interface ActivityEvaluation {
	customerId: string;
	owner: string | null;
	journey: string;
	score: number;
	previousScore: number | null;
	level: string | null;
	levelName: string | null;
	previousLevel: string | null;
	previousLevelName: string | null;
	/** The new level is below the previous one in the journey's list (or gone). */
	levelDropped: boolean;
	eventCount: number;
	countsByType: Record<string, number>;
	windowDays: number;
	previousStage: string;
	stage: string;
	stageName: string;
	moved: boolean;
	moves: ActivityMove[];
	evaluatedAt: number;
}

export interface ActivityRun {
	journey: string;
	journeyName: string;
	evaluatedAt: number;
	/** How many customers were looked at (the work done). */
	evaluated: number;
	results: ActivityEvaluation[];
	/** Customers named in `customerIds` that were not evaluated, and why (in the order named). */
	notEvaluated: NotEvaluatedCustomer[];
}

/**
 * The whole days T from which a clock condition ("days ≥ T") holds, when it can be bounded:
 * whole days ≥ V from ceil(V), > V from floor(V) + 1. Null for conditions that are not
 * monotone in time, or in a rule that any one condition can make true.
 */
function crossingDays(match: 'all' | 'any', operator: string, value: number): number | null {
	if (match !== 'all') return null;
	if (operator === 'gte') return Math.max(0, Math.ceil(value));
	if (operator === 'gt') return Math.max(0, Math.floor(value) + 1);
	return null;
}

/**
 * Customer ids (internal) of a journey whose score, counts or time rules can have changed, in
 * ascending order: the run reads them in that order, so SQLite's seeks go through each index
 * once, front to back, rather than all over it.
 */
async function candidates(
	tx: SqlExecutor,
	journey: LoadedJourney,
	asOf: number,
	previousRun: number | null,
): Promise<number[]> {
	const definition = journey.definition;
	if (previousRun === null) {
		// The first run: nothing says who was looked at before.
		const rows = await tx.values<[number]>(
			`SELECT customer_id FROM memberships WHERE journey_id = ?`,
			[journey.id],
		);
		return ascending(rows.map(([id]) => Number(id)));
	}
	const ids = new Set<number>();
	const add = (rows: ReadonlyArray<[number]>) => {
		for (const [id] of rows) ids.add(Number(id));
	};
	// Events in a window now, or in one at the last run (just left it): the scores and windowed
	// counts that can differ. Customers with only older days scored the same then as now.
	const fromDay = earliestAffectingDay(asOf, widestWindow(definition), previousRun);
	// No DISTINCT: with it SQLite walks the whole journey's primary key instead of the (journey,
	// day) index; `ids` drops the duplicates.
	const rolled = await tx.values<[number]>(
		`SELECT customer_id FROM activity_days WHERE journey_id = ? AND day >= ?`,
		[journey.id, fromDay],
	);
	add(rolled);
	// Rules whose truth comes with time passing. Everything else a rule reads changes only with
	// ingest (which evaluates rules itself) or with windows (above). A "days ≥ T" clock condition
	// of an 'all' rule, once true, stays true until its clock restarts (a move or an event, both
	// evaluated at ingest): so only customers whose clock crossed T since the last run can have
	// become movable. Other forms (any, <, =) look at every customer in the rule's stages.
	for (const rule of definition.automationRules) {
		const stages = definition.stages
			.filter((s) => ruleAppliesIn(definition, rule, s.key))
			.map((s) => s.key);
		const inStages = matchAny(tx.dialect, stages, 'text');
		for (const condition of rule.conditions) {
			if (condition.kind !== 'daysInStage' && condition.kind !== 'daysSinceLastEvent') continue;
			const threshold = crossingDays(rule.match, condition.operator, condition.value);
			if (threshold === null || asOf < previousRun) {
				add(
					await tx.values<[number]>(
						`SELECT customer_id FROM memberships WHERE journey_id = ? AND stage_key${inStages.sql}`,
						[journey.id, ...inStages.params],
					),
				);
			} else {
				// Clocks started in (previous run − T, as of − T].
				const from = previousRun - threshold * DAY_MS;
				const to = asOf - threshold * DAY_MS;
				add(
					await tx.values<[number]>(
						`SELECT customer_id FROM memberships WHERE journey_id = ? AND stage_key${inStages.sql}
						   AND entered_at > ? AND entered_at <= ?`,
						[journey.id, ...inStages.params, from, to],
					),
				);
				// Customers of the rule's stages whose last event in this journey up to the run fell in
				// that span: a roll-up on one of its days and none on a later day before the run's own
				// (whose events may lie after the run's instant). Day-grained, so a superset at the
				// edges; the engine reads the exact time (loadLastEvents).
				if (condition.kind === 'daysSinceLastEvent') {
					const lastDay = epochDay(to);
					add(
						await tx.values<[number]>(
							// Driven by the (journey, day) index; duplicates are dropped in `ids`.
							`SELECT a.customer_id FROM activity_days a
							 WHERE a.journey_id = ? AND a.day >= ? AND a.day <= ?
							   AND NOT EXISTS (SELECT 1 FROM activity_days later
							     WHERE later.journey_id = a.journey_id AND later.customer_id = a.customer_id
							       AND later.day > ? AND later.day < ?)
							   AND EXISTS (SELECT 1 FROM memberships m
							     WHERE m.journey_id = a.journey_id AND m.customer_id = a.customer_id
							       AND m.stage_key${inStages.sql})`,
							[journey.id, epochDay(from), lastDay, lastDay, epochDay(asOf), ...inStages.params],
						),
					);
				}
			}
		}
	}
	return ascending([...ids]);
}

function ascending(ids: number[]): number[] {
	return ids.sort((a, b) => a - b);
}

function levelName(definition: JourneyDefinition, key: string | null): string | null {
	if (key === null) return null;
	return definition.activity.levels.find((l) => l.key === key)?.name ?? key;
}

function levelDropped(
	definition: JourneyDefinition,
	previous: string | null,
	current: string | null,
): boolean {
	if (previous === null || previous === current) return false;
	const order = definition.activity.levels.map((l) => l.key);
	return current === null || order.indexOf(current) < order.indexOf(previous);
}

/** A member as `readMembers` reads it. */
type MemberValues = [
	customerId: number,
	stage: string,
	status: string | null,
	enteredAt: number,
	storedScore: number | null,
	storedLevel: string | null,
	lastEventAt: number | null,
];

/**
 * The journey's memberships of some customers (locked already), in customer id order, each with
 * the score and level stored by the last evaluation and the customer's latest event in the
 * journey up to `at`.
 */
function readMembers(
	tx: SqlExecutor,
	journeyId: number,
	customerIds: readonly number[],
	at: number,
): Promise<MemberValues[]> {
	const match = matchAny(tx.dialect, customerIds, 'bigint');
	return tx.values<MemberValues>(
		`SELECT m.customer_id, m.stage_key, m.status_key, m.entered_at, s.score, s.level_key,
		   ${lastEventSql('m.journey_id', 'm.customer_id', true)}
		 FROM memberships m
		 LEFT JOIN activity_scores s ON s.journey_id = m.journey_id AND s.customer_id = m.customer_id
		 WHERE m.journey_id = ? AND m.customer_id${match.sql} ORDER BY m.customer_id`,
		[at, journeyId, ...match.params],
	);
}

/**
 * Evaluate 30-Day Activity, one transaction: re-scores the customers whose score can have
 * changed (or the ones named), stores score and level with the time computed, and applies the
 * automation rules at that time (sliding windows, days in stage, inactivity exits).
 */
export async function evaluateActivity(
	driver: SqlDriver,
	cache: JourneyCache,
	options: ActivityEvaluationOptions,
): Promise<ActivityRun | null> {
	return driver.transaction(async (tx) => {
		const journeys = await loadJourneysForBatch(tx, cache, [options.journey]);
		const journey = journeys.get(options.journey);
		if (!journey) return null;
		const definition = journey.definition;
		const now = Date.now();
		const asOf = options.asOf ?? now;
		const batch = new Batch(now);
		batch.journeys = journeys;

		const [run] = await tx.query(`SELECT evaluated_at FROM activity_runs WHERE journey_id = ?`, [
			journey.id,
		]);
		const previousRun = run ? Number(run.evaluated_at) : null;
		const named = options.customerIds ? [...new Set(options.customerIds)] : undefined;
		let candidateIds: number[];
		if (named) {
			candidateIds = [];
			for (const part of batchesOf(tx.dialect, named)) {
				const match = matchAny(tx.dialect, part, 'text');
				const rows = await tx.values<[number]>(
					`SELECT id FROM customers WHERE external_id${match.sql}`,
					match.params,
				);
				for (const [id] of rows) candidateIds.push(Number(id));
			}
			ascending(candidateIds);
		} else {
			candidateIds = await candidates(tx, journey, asOf, previousRun);
		}

		const attributes = await loadAttributes(tx, candidateIds, {
			lock: true,
			forRules: readsConditions(definition, ['attribute']),
		});
		const inScopeIds = candidateIds.filter((id) => {
			const row = attributes.get(id);
			return row !== undefined && inScope(options.scope, row);
		});

		const fromDay = countsLifetime(definition)
			? undefined
			: earliestAffectingDay(asOf, widestWindow(definition));
		let evaluated = 0;
		// Only a run of named customers asks who is in the journey (notInJourney below).
		const inJourney = new Set<number>();
		const results: ActivityEvaluation[] = [];
		const scoreRows: unknown[][] = [];
		// A slice of customers at a time, everything about them read by id (a few statements per
		// slice on SQLite, one each on PostgreSQL), then decided.
		for (const part of batchesOf(tx.dialect, inScopeIds)) {
			const rows = await readMembers(tx, journey.id, part, asOf);
			const lastEvents = new Map<number, number>();
			for (const [id, , , , , , lastAt] of rows)
				if (lastAt !== null) lastEvents.set(Number(id), Number(lastAt));
			// What happened up to the evaluation's instant, in this journey only.
			const days = await loadActivityUpTo(tx, journey.id, part, asOf, lastEvents, fromDay);
			for (const [memberId, stage, status, enteredAt, storedScore, storedLevel] of rows) {
				const id = Number(memberId);
				evaluated++;
				if (named) inJourney.add(id);
				const state: StageState = {
					stage: String(stage),
					status: status ?? null,
					enteredAt: Number(enteredAt),
				};
				const row = attributes.get(id)!;
				const own = days.get(id) ?? [];
				const activity = scoreActivity(definition.activity, own, asOf);
				const facts = factsOf(asOf, state, row, own, lastEvents.get(id) ?? null, activity);
				const result = evaluateAutomation(definition, state.stage, facts);
				if (result.moved) {
					const customer = { id, owner: row.owner, department: row.department, created: false };
					for (const step of automationSteps(definition, state, result))
						batch.apply(journey, customer, step);
				}
				const previous =
					storedScore === null ? null : { score: Number(storedScore), level: storedLevel };
				scoreRows.push([journey.id, id, activity.score, activity.level, asOf]);
				const changed =
					result.moved ||
					previous === null ||
					previous.score !== activity.score ||
					previous.level !== activity.level;
				if (!changed && !options.includeUnchanged) continue;
				results.push({
					customerId: row.externalId,
					owner: row.owner,
					journey: definition.key,
					score: activity.score,
					previousScore: previous?.score ?? null,
					level: activity.level,
					levelName: activity.levelName,
					previousLevel: previous?.level ?? null,
					previousLevelName: levelName(definition, previous?.level ?? null),
					levelDropped: levelDropped(definition, previous?.level ?? null, activity.level),
					eventCount: activity.eventCount,
					countsByType: activity.countsByType,
					windowDays: definition.activity.windowDays,
					previousStage: state.stage,
					stage: result.stage,
					stageName: stageLabel(definition, result.stage)!,
					moved: result.moved,
					moves: result.moves.map((m) => ({
						ruleId: m.ruleId,
						from: m.from,
						fromName: stageLabel(definition, m.from)!,
						to: m.to,
						toName: stageLabel(definition, m.to)!,
						direction: m.direction,
						at: m.at,
						reason: m.explanation,
					})),
					evaluatedAt: asOf,
				});
			}
		}

		// Named customers that cannot be evaluated: unknown, outside the scope, not in the journey.
		const notEvaluated: NotEvaluatedCustomer[] = [];
		if (named) {
			const known = new Map<string, number>();
			for (const [id, row] of attributes) known.set(row.externalId, id);
			for (const customerId of named) {
				const id = known.get(customerId);
				const reason: NotEvaluatedReason | null =
					id === undefined
						? 'unknown'
						: !inScope(options.scope, attributes.get(id)!)
							? 'outOfScope'
							: !inJourney.has(id)
								? 'notInJourney'
								: null;
				if (reason) notEvaluated.push({ customerId, reason });
			}
		}
		if (options.allOrNothing && notEvaluated.length > 0) {
			throw new NotEvaluated(definition.key, definition.name, notEvaluated);
		}
		await insertRows(
			tx,
			'activity_scores',
			SCORE_COLUMNS,
			scoreRows,
			`ON CONFLICT (journey_id, customer_id) DO UPDATE SET
			   score = excluded.score, level_key = excluded.level_key, computed_at = excluded.computed_at`,
		);
		await saveMemberships(tx, batch);
		// Only a run over every customer may say the next one can skip those with nothing new.
		if (!options.customerIds && (options.scope?.kind ?? 'all') === 'all') {
			await tx.run(
				`INSERT INTO activity_runs (journey_id, evaluated_at) VALUES (?, ?)
				 ON CONFLICT (journey_id) DO UPDATE SET evaluated_at =
				   CASE WHEN excluded.evaluated_at > activity_runs.evaluated_at
				     THEN excluded.evaluated_at ELSE activity_runs.evaluated_at END`,
				[journey.id, asOf],
			);
		}
		// Last: from the history insert to the commit the run holds the feed's lock (feed.ts).
		await appendHistory(tx, batch);
		return {
			journey: definition.key,
			journeyName: definition.name,
			evaluatedAt: asOf,
			evaluated,
			results,
			notEvaluated,
		};
	});
}
