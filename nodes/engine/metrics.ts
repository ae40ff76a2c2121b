import { DateTime } from 'luxon';
import { InputError } from './errors';
import { inScope, scopeRule, type Scope } from './inputs';
import { pathIndex, type JourneyDefinition, type Stage } from './journey';
import { businessMsBetween } from './reminders';
import { checkTimeZone, parseTime } from './time';

/**
 * Funnel Report metrics, computed purely from a journey's history (the append-only transitions).
 * Every number is rebuilt from the rows the store hands over, so "as of D" needs no snapshots:
 * rows at or after D are simply not there.
 *
 * Attribution: each fact is credited to the owner (and department) recorded on the transition
 * behind it — the entry for current, history total, cohort and over SLA; the move itself for
 * transfers, flow and the stays it ended. A scope keeps only facts credited inside it.
 */

/** One history row, as much of it as the metrics read. */
export interface MetricTransition {
	customer: string | number;
	fromStage: string | null;
	toStage: string;
	/** Effective time (rule 7): never earlier than the customer's previous move. */
	occurredAt: number;
	/** When the left stage was entered; null for an initial move. */
	fromEnteredAt: number | null;
	owner: string | null;
	department: string | null;
}

export interface ReportWindow {
	/** Period start, inclusive (epoch ms). */
	from: number;
	/** Period end, exclusive (epoch ms); the report reads it as min(to, asOf). */
	to: number;
	/** The instant the report stands at: current and over-SLA are counted here. */
	asOf: number;
	/** For business-day SLA rules (Monday–Friday in this zone). */
	timeZone: string;
	/** Only facts recorded under these departments or owners; omitted = all. */
	scope?: Scope;
}

export interface StageMetrics {
	stage: string;
	stageName: string;
	kind: 'path' | 'exit';
	/** Customers whose stage at the report's instant is this one. */
	current: number;
	/** Distinct customers who ever entered the stage before the period's end. */
	historyTotal: number;
	transfersIn: number;
	transfersOut: number;
	customersIn: number;
	customersOut: number;
	/** Customers who entered the stage in the period (the cohort); path stages only, else 0. */
	cohortCustomers: number;
	/** Of the cohort, those who reached a later path stage by the period's end. */
	cohortConverted: number;
	cohortConversion: number | null;
	/** Customers in the stage at the period's start. */
	customersAtStart: number;
	/** Moves from the stage to a later path stage in the period. */
	flowConverted: number;
	/** flowConverted ÷ (customersAtStart + customersIn); null when that is 0 or an exit stage. */
	flowConversion: number | null;
	/** Stays in the stage that ended in the period. */
	staysEnded: number;
	medianTimeInStageMs: number | null;
	p90TimeInStageMs: number | null;
	/** Days of the stage's first time-in-stage reminder rule; null when it has none. */
	slaDays: number | null;
	/** Customers now in the stage for at least slaDays; null without an SLA. */
	overSla: number | null;
	/** Path stages: customers active in the period who reached this stage or beyond. */
	funnelCustomers: number | null;
	/** funnelCustomers ÷ the previous path stage's; null for the first path stage and exits. */
	stepConversion: number | null;
}

export interface OwnerMetrics {
	/** null = the unassigned pool. */
	owner: string | null;
	stages: StageMetrics[];
}

export interface FunnelReport {
	from: number;
	/** The period's end as read: min(to, asOf). */
	to: number;
	asOf: number;
	stages: StageMetrics[];
	owners: OwnerMetrics[];
	/** Customers with at least one move in the period (the funnel's population). */
	activeCustomers: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const NO_TALLIES: readonly Tally[] = [];

type DistinctMetric = 'ever' | 'customersIn' | 'customersOut' | 'cohort' | 'converted';

const counters = (slots: number) => new Float64Array(slots);

/**
 * Counters of one group (everyone in scope, or one owner), one slot per stage of the journey
 * (FunnelReportBuilder#slot): a report counts every move of its period several times, so each
 * count is an array index, not a map look-up by stage name. Distinct-customer counts need no sets
 * of customers: each customer's whole timeline is counted at once, so a per-stage mark (the
 * serial number of the last customer counted) says whether this customer was counted yet, and
 * memory stays flat however many customers there are.
 */
class Tally {
	readonly current: Float64Array;
	readonly overSla: Float64Array;
	readonly transfersIn: Float64Array;
	readonly transfersOut: Float64Array;
	readonly atStart: Float64Array;
	readonly flow: Float64Array;
	readonly stays: number[][];
	readonly distinct: Record<DistinctMetric, Float64Array>;
	private readonly marks: Record<DistinctMetric, Float64Array>;
	/** Customers with a move in the period, and how many of them reached each path position. */
	active = 0;
	private activeMark = -1;
	readonly reached: number[] = [];

	constructor(slots: number) {
		this.current = counters(slots);
		this.overSla = counters(slots);
		this.transfersIn = counters(slots);
		this.transfersOut = counters(slots);
		this.atStart = counters(slots);
		this.flow = counters(slots);
		this.stays = Array.from({ length: slots }, () => []);
		const perMetric = (fill: number) => ({
			ever: counters(slots).fill(fill),
			customersIn: counters(slots).fill(fill),
			customersOut: counters(slots).fill(fill),
			cohort: counters(slots).fill(fill),
			converted: counters(slots).fill(fill),
		});
		this.distinct = perMetric(0);
		this.marks = perMetric(-1);
	}

	/** Counts `customer` (a serial number) once per metric and stage. */
	once(metric: DistinctMetric, slot: number, customer: number) {
		const marks = this.marks[metric];
		if (marks[slot] === customer) return;
		marks[slot] = customer;
		this.distinct[metric][slot]++;
	}

	markActive(furthest: number, customer: number) {
		if (this.activeMark === customer) return;
		this.activeMark = customer;
		this.active++;
		for (let position = 0; position <= furthest; position++) {
			this.reached[position] = (this.reached[position] ?? 0) + 1;
		}
	}
}

/**
 * The median and p90 of some stays, without sorting them all (a whole history holds millions):
 * p90 is the value at rank ⌈0.9·n⌉ by the nearest-rank method (p90 of 10 stays is the 9th);
 * the median of an even count is the mean of the two middle values.
 */
export function medianAndP90(stays: ArrayLike<number>): {
	median: number | null;
	p90: number | null;
} {
	const n = stays.length;
	if (n === 0) return { median: null, p90: null };
	const values = new Float64Array(stays);
	const p90Rank = Math.max(0, Math.ceil(0.9 * n) - 1);
	const middle = Math.floor(n / 2);
	select(values, p90Rank, 0, n - 1);
	// Every value below p90's rank is now at most p90, and the median's rank is no higher.
	select(values, middle, 0, p90Rank);
	let median = values[middle];
	if (n % 2 === 0) {
		let below = values[0];
		for (let i = 1; i < middle; i++) if (values[i] > below) below = values[i];
		median = (below + median) / 2;
	}
	return { median, p90: values[p90Rank] };
}

/**
 * Moves the value of rank k in values[low..high] to place k, the smaller ones before it and the
 * larger after (Hoare's selection, pivot the median of three): linear time on average.
 */
function select(values: Float64Array, k: number, low: number, high: number) {
	while (high > low) {
		const a = values[low];
		const b = values[(low + high) >>> 1];
		const c = values[high];
		const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
		let i = low;
		let j = high;
		while (i <= j) {
			while (values[i] < pivot) i++;
			while (values[j] > pivot) j--;
			if (i <= j) {
				const swap = values[i];
				values[i++] = values[j];
				values[j--] = swap;
			}
		}
		// Now values[low..j] ≤ pivot ≤ values[i..high], and everything between equals the pivot.
		if (k <= j) high = j;
		else if (k >= i) low = i;
		else return;
	}
}

function ratio(part: number, whole: number): number | null {
	return whole > 0 ? part / whole : null;
}

/** The first time-in-stage reminder rule of each stage: its SLA. */
function slaRules(journey: JourneyDefinition) {
	const rules = new Map<string, { days: number; businessDays: boolean }>();
	for (const rule of journey.reminderRules) {
		if (rule.kind === 'daysInStage' && !rules.has(rule.stage)) rules.set(rule.stage, rule);
	}
	return rules;
}

/**
 * What the moves before an instant contributed, per stage, owner and department (the store
 * keeps them as daily roll-ups): the population figures of FunnelReportBuilder#addPopulation.
 */
export interface PopulationCounts {
	stage: string;
	/** '' = the unassigned pool (an owner is never an empty string). */
	owner: string;
	/** '' = none. */
	department: string;
	/** Customers whose last move before the report's instant entered the stage under this pair. */
	current: number;
	/** Of those, the ones still within the stage's SLA at the instant. */
	withinSla: number;
	/** Customers whose last move before the period's start entered the stage under this pair. */
	atStart: number;
	/** Moves under this pair before the report's instant (the owner has rows if any). */
	moves: number;
	/**
	 * Customers whose first entry into the stage — at all, under this owner, under this
	 * department, under this owner and department — was a move under this pair before the
	 * period's end.
	 */
	firsts: { stage: number; owner: number; department: number; pair: number };
}

type FirstsKind = keyof PopulationCounts['firsts'];

/**
 * Whether population counts per pair give a scope's history total exactly: distinct customers
 * over a group of owners or departments is a sum of first entries only when the group names
 * one of them (or all). A wider scope reads the whole history.
 */
export function rollupsCover(scope: Scope | undefined): boolean {
	return !scope || scope.kind === 'all' || scopeRule(scope).names.length <= 1;
}

/**
 * Builds the report of one journey from its history, fed in pieces: rows grouped by customer,
 * each customer's rows in history order (the store reads them ordered by customer and id, page by
 * page). A customer's rows may span two pieces. Rows at or after `asOf` are ignored.
 */
export class FunnelReportBuilder {
	private readonly from: number;
	private readonly end: number;
	private readonly asOf: number;
	private readonly total: Tally;
	/** Per owner: everyone's tally and the owner's own, the groups each of their facts counts in. */
	private readonly byOwner = new Map<string | null, readonly [Tally, Tally]>();
	private readonly timeline: MetricTransition[] = [];
	private readonly scope: Scope;
	/** Each stage's slot in a Tally: its place in the journey; one more for stages it no longer has. */
	private readonly slots: Map<string, number>;
	private readonly otherSlot: number;
	/** Path position by slot (-1: an exit stage, or one the journey no longer has). */
	private readonly pathBySlot: Int8Array;
	private readonly sla: Map<string, { days: number; businessDays: boolean }>;
	/** The serial number of the customer being counted (Tally#once). */
	private customer = 0;
	/** Scratch for a customer's furthest later position per move, reused across customers. */
	private laterBest: number[] = [];

	constructor(
		private readonly journey: JourneyDefinition,
		private readonly window: ReportWindow,
	) {
		this.from = window.from;
		this.end = Math.min(window.to, window.asOf);
		this.asOf = window.asOf;
		this.scope = window.scope ?? { kind: 'all' };
		this.slots = new Map(journey.stages.map((s, i) => [s.key, i]));
		this.otherSlot = journey.stages.length;
		this.pathBySlot = Int8Array.from([...journey.stages.map((s) => pathIndex(journey, s.key)), -1]);
		this.sla = slaRules(journey);
		this.total = new Tally(this.otherSlot + 1);
	}

	add(rows: readonly MetricTransition[]): this {
		for (const t of rows) {
			if (t.occurredAt >= this.asOf) continue;
			if (this.timeline.length > 0 && t.customer !== this.timeline[0].customer) this.flush();
			this.timeline.push(t);
		}
		return this;
	}

	/**
	 * The period-sized way to the same report (the store's roll-ups; never mixed with `add`): the
	 * period's moves, grouped by customer in history order, with what each customer did before
	 * the period — the furthest path position reached (-1: none) and when the last move was
	 * (null: none; read only for a move that does not say when its stage was entered). Then
	 * `addPopulation` for the figures that reach back before the period.
	 */
	addPeriod(
		rows: readonly MetricTransition[],
		before: (customer: string | number) => { furthest: number; lastAt: number | null },
	): this {
		let start = 0;
		for (let i = 1; i <= rows.length; i++) {
			if (i < rows.length && rows[i].customer === rows[start].customer) continue;
			this.countPeriodMoves(rows, start, i, before);
			start = i;
		}
		return this;
	}

	/**
	 * Population figures per stage, owner and department (PopulationCounts): current, over SLA,
	 * customers at start and history total, and which owners have rows at all.
	 */
	addPopulation(counts: readonly PopulationCounts[]): this {
		const firsts = (own: boolean): FirstsKind => {
			const byOwner = own || this.scope.kind === 'owners';
			const byDepartment = this.scope.kind === 'departments';
			return byOwner && byDepartment
				? 'pair'
				: byOwner
					? 'owner'
					: byDepartment
						? 'department'
						: 'stage';
		};
		const totalKind = firsts(false);
		const ownerKind = firsts(true);
		for (const c of counts) {
			const owner = c.owner === '' ? null : c.owner;
			const pair = { owner, department: c.department === '' ? null : c.department };
			if (c.moves <= 0 || !inScope(this.scope, pair)) continue;
			const own = this.groups(owner)[1];
			const slot = this.slot(c.stage);
			for (const [tally, kind] of [
				[this.total, totalKind],
				[own, ownerKind],
			] as const) {
				tally.current[slot] += c.current;
				if (this.sla.has(c.stage)) tally.overSla[slot] += c.current - c.withinSla;
				if (this.from < this.end) tally.atStart[slot] += c.atStart;
				tally.distinct.ever[slot] += c.firsts[kind];
			}
		}
		return this;
	}

	/** Whether a customer's last move before `asOf` at `enteredAt` in `stage` is within its SLA. */
	withinSla(stage: string, enteredAt: number): boolean {
		const rule = this.sla.get(stage);
		if (!rule) return false;
		const dwell = rule.businessDays
			? businessMsBetween(enteredAt, this.asOf, this.window.timeZone)
			: this.asOf - enteredAt;
		return dwell < rule.days * DAY_MS;
	}

	/**
	 * How far back from `asOf` a customer can have entered a stage and still be within its SLA:
	 * its days; for business days, the whole weeks that hold that many and two more (7 × 24 h
	 * hold 5 business days, give or take a daylight-saving hour), so anyone earlier is over.
	 */
	slaReach(stage: string): number | null {
		const rule = this.sla.get(stage);
		if (!rule) return null;
		return rule.businessDays ? (Math.ceil(rule.days / 5) + 2) * 7 * DAY_MS : rule.days * DAY_MS;
	}

	finish(): FunnelReport {
		this.flush();
		const rows = (tally: Tally) => stageRows(this.journey.stages, tally, this.sla, this.pathBySlot);
		const ownerRows = [...this.byOwner.entries()]
			.sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
			.map(([owner, [, own]]) => ({ owner, stages: rows(own) }));
		return {
			from: this.from,
			to: this.end,
			asOf: this.asOf,
			stages: rows(this.total),
			owners: ownerRows,
			activeCustomers: this.total.active,
		};
	}

	private slot(stage: string): number {
		return this.slots.get(stage) ?? this.otherSlot;
	}

	/** A stage's path position (-1: an exit, or a stage the journey no longer has). */
	private pathOf(stage: string): number {
		return this.pathBySlot[this.slot(stage)];
	}

	private inPeriod(t: MetricTransition): boolean {
		return t.occurredAt >= this.from && t.occurredAt < this.end;
	}

	/** The tallies a transition counts in: everyone's and its owner's (none outside the scope). */
	private tallies(t: MetricTransition): readonly Tally[] {
		return inScope(this.scope, t) ? this.groups(t.owner) : NO_TALLIES;
	}

	/** Everyone's tally and the owner's: one array per owner, not one per fact counted. */
	private groups(owner: string | null): readonly [Tally, Tally] {
		let groups = this.byOwner.get(owner);
		if (!groups) this.byOwner.set(owner, (groups = [this.total, new Tally(this.otherSlot + 1)]));
		return groups;
	}

	private flush() {
		if (this.timeline.length > 0) this.countCustomer(this.timeline);
		this.timeline.length = 0;
	}

	private countCustomer(rows: MetricTransition[]) {
		const { from, end } = this;
		const customer = ++this.customer;
		// Furthest path index reached after row i (exclusive) and before the period's end.
		const laterBest = this.laterBest;
		let best = -1;
		for (let i = rows.length - 1; i >= 0; i--) {
			laterBest[i] = best;
			if (rows[i].occurredAt < end) best = Math.max(best, this.pathOf(rows[i].toStage));
		}
		const furthest = best;
		let previousAt: number | null = null;
		let beforeStart: MetricTransition | null = null;
		let beforeEnd: MetricTransition | null = null;
		for (let i = 0; i < rows.length; i++) {
			const t = rows[i];
			const groups = this.tallies(t);
			if (t.occurredAt < from) beforeStart = t;
			if (t.occurredAt < end) {
				const slot = this.slot(t.toStage);
				for (const g of groups) g.once('ever', slot, customer);
			}
			if (this.inPeriod(t)) {
				this.countMove(t, groups, laterBest[i], furthest, previousAt, customer);
			}
			beforeEnd = t;
			previousAt = t.occurredAt;
		}
		if (beforeStart && from < end) {
			const slot = this.slot(beforeStart.toStage);
			for (const g of this.tallies(beforeStart)) g.atStart[slot]++;
		}
		if (beforeEnd) {
			const stage = beforeEnd.toStage;
			const slot = this.slot(stage);
			const over = this.sla.has(stage) && !this.withinSla(stage, beforeEnd.occurredAt);
			for (const g of this.tallies(beforeEnd)) {
				g.current[slot]++;
				if (over) g.overSla[slot]++;
			}
		}
	}

	/**
	 * One customer's moves in the period, rows[start, stop) in history order (moves are never
	 * earlier than the move before them, so nothing between or after them comes before the
	 * period's end); rows outside the period are passed over.
	 */
	private countPeriodMoves(
		rows: readonly MetricTransition[],
		start: number,
		stop: number,
		before: (customer: string | number) => { furthest: number; lastAt: number | null },
	) {
		const laterBest = this.laterBest;
		let best = -1;
		let first = -1;
		for (let i = stop - 1; i >= start; i--) {
			if (!this.inPeriod(rows[i])) continue;
			laterBest[i - start] = best;
			best = Math.max(best, this.pathOf(rows[i].toStage));
			first = i;
		}
		if (first < 0) return;
		const customer = ++this.customer;
		const prior = before(rows[first].customer);
		const furthest = Math.max(best, prior.furthest);
		let previousAt = prior.lastAt;
		for (let i = first; i < stop; i++) {
			const t = rows[i];
			if (!this.inPeriod(t)) continue;
			this.countMove(t, this.tallies(t), laterBest[i - start], furthest, previousAt, customer);
			previousAt = t.occurredAt;
		}
	}

	/**
	 * A move in the period: `laterBest` is the furthest path position the customer reached after
	 * it and before the period's end, `furthest` the furthest before the period's end, `previousAt`
	 * when the customer's move before it was.
	 */
	private countMove(
		t: MetricTransition,
		groups: readonly Tally[],
		laterBest: number,
		furthest: number,
		previousAt: number | null,
		customer: number,
	) {
		const to = this.slot(t.toStage);
		const toPath = this.pathBySlot[to];
		const fromSlot = t.fromStage === null ? -1 : this.slot(t.fromStage);
		const fromPath = fromSlot < 0 ? -1 : this.pathBySlot[fromSlot];
		const enteredAt = t.fromEnteredAt ?? previousAt;
		for (const g of groups) {
			g.transfersIn[to]++;
			g.once('customersIn', to, customer);
			if (toPath >= 0) {
				g.once('cohort', to, customer);
				if (laterBest > toPath) g.once('converted', to, customer);
			}
			g.markActive(furthest, customer);
			if (fromSlot >= 0) {
				g.transfersOut[fromSlot]++;
				g.once('customersOut', fromSlot, customer);
				if (fromPath >= 0 && toPath > fromPath) g.flow[fromSlot]++;
				if (enteredAt !== null) g.stays[fromSlot].push(t.occurredAt - enteredAt);
			}
		}
	}
}

/** The report for one journey from all its history at once (see FunnelReportBuilder). */
export function computeFunnelReport(
	journey: JourneyDefinition,
	transitions: readonly MetricTransition[],
	window: ReportWindow,
): FunnelReport {
	return new FunnelReportBuilder(journey, window).add(transitions).finish();
}

function stageRows(
	stages: readonly Stage[],
	tally: Tally,
	sla: Map<string, { days: number }>,
	pathBySlot: Int8Array,
): StageMetrics[] {
	const reached = (position: number) => tally.reached[position] ?? 0;
	let previousFunnel: number | null = null;
	return stages.map((s, slot) => {
		const position = pathBySlot[slot];
		const isPath = position >= 0;
		const stays = tally.stays[slot];
		const { median, p90 } = medianAndP90(stays);
		const customersIn = tally.distinct.customersIn[slot];
		const atStart = tally.atStart[slot];
		const flow = tally.flow[slot];
		const cohort = tally.distinct.cohort[slot];
		const converted = tally.distinct.converted[slot];
		const rule = sla.get(s.key);
		const funnel = isPath ? reached(position) : null;
		const step = funnel === null || previousFunnel === null ? null : ratio(funnel, previousFunnel);
		if (isPath) previousFunnel = funnel;
		return {
			stage: s.key,
			stageName: s.name,
			kind: s.kind,
			current: tally.current[slot],
			historyTotal: tally.distinct.ever[slot],
			transfersIn: tally.transfersIn[slot],
			transfersOut: tally.transfersOut[slot],
			customersIn,
			customersOut: tally.distinct.customersOut[slot],
			cohortCustomers: cohort,
			cohortConverted: converted,
			cohortConversion: isPath ? ratio(converted, cohort) : null,
			customersAtStart: atStart,
			flowConverted: flow,
			flowConversion: isPath ? ratio(flow, atStart + customersIn) : null,
			staysEnded: stays.length,
			medianTimeInStageMs: median,
			p90TimeInStageMs: p90,
			slaDays: rule ? rule.days : null,
			overSla: rule ? tally.overSla[slot] : null,
			funnelCustomers: funnel,
			stepConversion: step,
		};
	});
}

const given = (value: unknown) => value !== undefined && value !== null && value !== '';

export const PERIODS = [
	'today',
	'yesterday',
	'last7Days',
	'last30Days',
	'thisWeek',
	'lastWeek',
	'thisMonth',
	'lastMonth',
	'thisQuarter',
	'lastQuarter',
	'allTime',
	'custom',
] as const;
export type Period = (typeof PERIODS)[number];

export interface ResolvedPeriod {
	from: number;
	to: number;
}

/** The earliest instant a period can start: all time begins here. */
export const ALL_TIME_FROM = 0;

/**
 * A named period as [from, to) in `timeZone`, relative to `now`: calendar days, ISO weeks
 * (Monday first), months and quarters of that zone, so "last month" is the user's month even
 * across a daylight-saving change. "Last 7/30 days" are the days ending with today, today
 * included. Custom takes from and to as given (to exclusive; a date alone is that day's start).
 */
export function resolvePeriod(
	period: Period,
	timeZone: string,
	now: number,
	custom: { from?: unknown; to?: unknown } = {},
): ResolvedPeriod {
	const zone = checkTimeZone(timeZone) ?? 'UTC';
	const today = DateTime.fromMillis(now, { zone }).startOf('day');
	const span = (start: DateTime, end: DateTime) => ({
		from: start.toMillis(),
		to: end.toMillis(),
	});
	switch (period) {
		case 'today':
			return span(today, today.plus({ days: 1 }));
		case 'yesterday':
			return span(today.minus({ days: 1 }), today);
		case 'last7Days':
			return span(today.minus({ days: 6 }), today.plus({ days: 1 }));
		case 'last30Days':
			return span(today.minus({ days: 29 }), today.plus({ days: 1 }));
		case 'thisWeek':
		case 'lastWeek': {
			const start = today.startOf('week').minus({ weeks: period === 'lastWeek' ? 1 : 0 });
			return span(start, start.plus({ weeks: 1 }));
		}
		case 'thisMonth':
		case 'lastMonth': {
			const start = today.startOf('month').minus({ months: period === 'lastMonth' ? 1 : 0 });
			return span(start, start.plus({ months: 1 }));
		}
		case 'thisQuarter':
		case 'lastQuarter': {
			const start = today.startOf('quarter').minus({ quarters: period === 'lastQuarter' ? 1 : 0 });
			return span(start, start.plus({ quarters: 1 }));
		}
		case 'allTime':
			return { from: ALL_TIME_FROM, to: Number.MAX_SAFE_INTEGER };
		case 'custom': {
			// Named by the form's labels: a custom period's dates are the node's From and To fields.
			if (!given(custom.from)) throw new InputError('From is required for a custom period', 'From');
			if (!given(custom.to)) throw new InputError('To is required for a custom period', 'To');
			const fromAt = parseTime(custom.from, 'From', { timeZone: zone });
			const toAt = parseTime(custom.to, 'To', { timeZone: zone });
			if (!(toAt > fromAt)) throw new InputError('To must be after From', 'To');
			return { from: fromAt, to: toAt };
		}
		default:
			throw new InputError(
				`period '${String(period)}' is not one of ${PERIODS.join(', ')}`,
				'period',
			);
	}
}

/** A customer's time in one stage of one journey (HubSpot's "time in stage" properties). */
export interface StageTime {
	stage: string;
	/** How many times the customer entered the stage. */
	entries: number;
	firstEnteredAt: number;
	/** The latest entry and, when the customer has left since, when. */
	lastEnteredAt: number;
	lastExitedAt: number | null;
	/** The latest stay; one still going counts up to `now`. */
	latestMs: number;
	/** All stays added up, a current one up to `now`. */
	cumulativeMs: number;
}

/** Time in each stage from one customer's timeline in one journey (history order). */
export function stageTimes(timeline: readonly MetricTransition[], now: number): StageTime[] {
	const times = new Map<string, StageTime>();
	let open: StageTime | null = null;
	for (const t of timeline) {
		if (open) {
			open.lastExitedAt = t.occurredAt;
			open.latestMs = t.occurredAt - open.lastEnteredAt;
			open.cumulativeMs += open.latestMs;
		}
		let time = times.get(t.toStage);
		if (!time) {
			time = {
				stage: t.toStage,
				entries: 0,
				firstEnteredAt: t.occurredAt,
				lastEnteredAt: t.occurredAt,
				lastExitedAt: null,
				latestMs: 0,
				cumulativeMs: 0,
			};
			times.set(t.toStage, time);
		}
		time.entries++;
		time.lastEnteredAt = t.occurredAt;
		time.lastExitedAt = null;
		open = time;
	}
	if (open) {
		open.latestMs = Math.max(0, now - open.lastEnteredAt);
		open.cumulativeMs += open.latestMs;
	}
	return [...times.values()];
}
