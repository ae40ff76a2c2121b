import { pathIndex } from '../engine/journey';
import {
	FunnelReportBuilder,
	rollupsCover,
	stageTimes,
	type FunnelReport,
	type MetricTransition,
	type PopulationCounts,
	type ReportWindow,
	type StageTime,
} from '../engine/metrics';
import {
	chunk,
	inList,
	matchList,
	ROWS_PER_STATEMENT,
	type Dialect,
	type SqlExecutor,
} from './driver/sql';
import type { JourneyCache } from './journeys';
import { getJourney } from './journeys';
import { customerRowsSql } from './customerQueries';
import {
	edgeContributions,
	ROLLUP_COUNTS,
	ROLLUP_DAY_MS,
	rollupDay,
	rollupParts,
	type PairCounts,
} from './rollups';
import type { StoredJourney } from './types';

/**
 * Report queries (Funnel Report, Customer → Get's time in stage), handed to the engine's
 * metrics. A Funnel Report reads what its period covers: the period's moves (index
 * transitions_journey_time), what those customers reached before it, and the daily roll-ups
 * (rollups.ts) for the population figures that reach back before it.
 */

export interface JourneyReport extends FunnelReport {
	journey: StoredJourney;
}

/**
 * SQL for a stage column's place in `keys` (0, 1, …; bound as `keys`, in order), `otherwise` for
 * a stage not among them.
 */
const placeIn = (keys: readonly string[], column: string, otherwise: string) =>
	`CASE ${column} ${keys.map((_, i) => `WHEN ? THEN ${i}`).join(' ')} ELSE ${otherwise} END`;

/**
 * The columns a report reads, in this order: customer, from and to stage, time, when the left
 * stage was entered, owner, department. Both history indexes carry them (migration 16), so a
 * report never visits the table. On SQLite the stages come as their place in `stages` (a
 * number: node:sqlite spends about as long handing over a short text as the rest of the row), or
 * as text when the journey no longer has them; PostgreSQL sends text either way.
 */
function reportColumns(d: Dialect, stages: readonly string[], alias = '') {
	const coding = d.name === 'sqlite' && stages.length > 0;
	const column = (name: string) => `${alias}${name}`;
	const coded = (name: string) =>
		coding ? placeIn(stages, column(name), column(name)) : column(name);
	return {
		sql: [
			column('customer_id'),
			coded('from_stage'),
			coded('to_stage'),
			column('occurred_at'),
			column('from_entered_at'),
			column('owner'),
			column('department'),
		].join(', '),
		params: coding ? [...stages, ...stages] : [],
	};
}

/**
 * A per-customer lookup's time bound, written so that no index can serve it (`+column`): the
 * planner then seeks each customer along transitions_journey_customer instead of walking the
 * journey's whole history before the bound along transitions_journey_time. SQLite picked the
 * latter in a store without statistics (the store never runs ANALYZE): at 100,000 customers the
 * over-SLA lookup below ran for minutes instead of 24 ms.
 */
const notByIndex = (column: string) => `+${column}`;

/**
 * A history row read with `values()` (reportColumns, in order): arrays, not the driver's row
 * objects, since a report reads hundreds of thousands of rows and each object is garbage.
 */
function toMetricTransition(row: readonly unknown[], stages: readonly string[]): MetricTransition {
	const fromStage = row[1];
	const fromEnteredAt = row[4];
	const owner = row[5];
	const department = row[6];
	return {
		customer: Number(row[0]),
		fromStage: fromStage === null ? null : stageKey(fromStage, stages),
		toStage: stageKey(row[2], stages),
		occurredAt: Number(row[3]),
		fromEnteredAt:
			fromEnteredAt === null || fromEnteredAt === undefined ? null : Number(fromEnteredAt),
		owner: owner === null || owner === undefined ? null : String(owner),
		department: department === null || department === undefined ? null : String(department),
	};
}

const stageKeys = (journey: StoredJourney) => journey.definition.stages.map((s) => s.key);

/** A stage as reportColumns sent it: its place in `stages`, or its key. */
const stageKey = (value: unknown, stages: readonly string[]) =>
	typeof value === 'number' ? stages[value] : String(value);

/** Customer ids per page: a page's rows are read, counted and let go before the next. */
const CUSTOMERS_PER_PAGE = 20_000;

/**
 * A period holding more than this share of the moves before the report's instant is read with
 * the whole history (one ordered pass by customer): the roll-ups would save little, and the
 * period's moves sorted by customer cost more than that pass.
 */
const WIDE_PERIOD_SHARE = 0.5;

/**
 * The Funnel Report of one journey (null when it does not exist). From the period's moves and
 * the roll-ups (see rollups.ts) when they cover the scope (rollupsCover) and the period is not
 * most of the history; else from the whole history.
 */
export async function funnelReport(
	db: SqlExecutor,
	cache: JourneyCache,
	journeyKey: string,
	window: ReportWindow,
	/** How to read (tests and the benchmark compare the ways): by default, the cheaper. */
	options: { read?: 'auto' | 'rollups' | 'history' } = {},
): Promise<JourneyReport | null> {
	const [row] = await db.query(`SELECT id FROM journeys WHERE journey_key = ?`, [journeyKey]);
	const journey = row ? await getJourney(db, cache, journeyKey) : null;
	if (!row || !journey) return null;
	const journeyId = Number(row.id);
	const builder = new FunnelReportBuilder(journey.definition, window);
	const read = options.read ?? 'auto';
	const population =
		rollupsCover(window.scope) && read !== 'history'
			? await rollupPopulation(db, journeyId, window)
			: null;
	if (population && (!population.wide || read === 'rollups')) {
		const period = await periodMoves(db, journeyId, journey, window);
		builder.addPopulation(await population.counts(builder, period.rows));
		builder.addPeriod(period.rows, period.before);
	} else {
		await addWholeHistory(db, journeyId, journey, builder, window);
	}
	return { journey, ...builder.finish() };
}

/**
 * The journey's history before `asOf`, read in pages of customers in (customer, history) order
 * along transitions_journey_customer, so memory stays flat however long the history is.
 */
async function addWholeHistory(
	db: SqlExecutor,
	journeyId: number,
	journey: StoredJourney,
	builder: FunnelReportBuilder,
	window: ReportWindow,
) {
	// Two subqueries: SQLite reads one MIN or MAX off an index's end, but scans it for both.
	const [bounds] = await db.query(
		`SELECT (SELECT MIN(customer_id) FROM transitions WHERE journey_id = ?) AS low,
		        (SELECT MAX(customer_id) FROM transitions WHERE journey_id = ?) AS high`,
		[journeyId, journeyId],
	);
	if (bounds?.low === null || bounds?.low === undefined) return;
	const high = Number(bounds.high);
	const stages = stageKeys(journey);
	const columns = reportColumns(db.dialect, stages);
	for (let low = Number(bounds.low); low <= high; low += CUSTOMERS_PER_PAGE) {
		const rows = await db.values(
			`SELECT ${columns.sql} FROM transitions
			 WHERE journey_id = ? AND customer_id >= ? AND customer_id < ? AND occurred_at < ?
			 ORDER BY customer_id, id`,
			[...columns.params, journeyId, low, low + CUSTOMERS_PER_PAGE, window.asOf],
		);
		builder.add(rows.map((row) => toMetricTransition(row, stages)));
	}
}

const pairKey = (stage: string, owner: string, department: string) =>
	JSON.stringify([stage, owner, department]);

function addCounts(into: Map<string, PairCounts>, parts: readonly PairCounts[]) {
	for (const part of parts) {
		const key = pairKey(part.stage, part.owner, part.department);
		const known = into.get(key);
		if (!known) into.set(key, { ...part, counts: { ...part.counts } });
		else for (const name of ROLLUP_COUNTS) known.counts[name] += part.counts[name];
	}
}

/**
 * The roll-ups read once, split at the days of the report's instants: whether the period is
 * most of the history (`wide`), and the population figures per stage, owner and department
 * (`counts`): current and over SLA at the report's instant, customers at the period's start,
 * history total at its end. Each instant's partial day comes from the transitions. Over SLA is
 * current less the customers still within it, who entered within the SLA's reach before the
 * instant: found among the period's moves when the period covers that reach, else read.
 */
async function rollupPopulation(db: SqlExecutor, journeyId: number, window: ReportWindow) {
	const { from, asOf } = window;
	const end = Math.min(window.to, asOf);
	const instants = [asOf, end, ...(from < end ? [from] : [])];
	const days = [
		...new Set([
			...instants.map(rollupDay),
			rollupDay(from),
			rollupDay(end) + 1,
			rollupDay(asOf) + 1,
		]),
	].sort((a, b) => a - b);
	const parts = await rollupParts(db, journeyId, days);
	const moves = (fromDay: number, toDay: number) =>
		parts
			.filter((p) => days[p.part] > fromDay && days[p.part] <= toDay)
			.reduce((sum, p) => sum + p.counts.entries, 0);
	// Moves on the days the period touches, against all up to the instant's day.
	const wide =
		moves(rollupDay(from), rollupDay(end) + 1) >
		WIDE_PERIOD_SHARE * moves(-Infinity, rollupDay(asOf) + 1);

	const before = async (at: number) => {
		const day = rollupDay(at);
		const counts = new Map<string, PairCounts>();
		addCounts(
			counts,
			parts.filter((p) => days[p.part] <= day),
		);
		addCounts(counts, await edgeContributions(db, journeyId, day * ROLLUP_DAY_MS, at));
		return counts;
	};

	const counts = async (builder: FunnelReportBuilder, period: readonly MetricTransition[]) => {
		const atInstant = await before(asOf);
		const atEnd = end === asOf ? atInstant : await before(end);
		const atStart = from < end ? await before(from) : new Map<string, PairCounts>();
		const population = new Map<string, PopulationCounts>();
		const entry = (stage: string, owner: string, department: string) => {
			const key = pairKey(stage, owner, department);
			let counts = population.get(key);
			if (!counts) {
				counts = {
					stage,
					owner,
					department,
					current: 0,
					withinSla: 0,
					atStart: 0,
					moves: 0,
					firsts: { stage: 0, owner: 0, department: 0, pair: 0 },
				};
				population.set(key, counts);
			}
			return counts;
		};
		for (const c of atInstant.values()) {
			const counts = entry(c.stage, c.owner, c.department);
			counts.current = c.counts.entries - c.counts.exits;
			counts.moves = c.counts.entries;
		}
		for (const c of atStart.values()) {
			entry(c.stage, c.owner, c.department).atStart = c.counts.entries - c.counts.exits;
		}
		for (const c of atEnd.values()) {
			entry(c.stage, c.owner, c.department).firsts = {
				stage: c.counts.stage_firsts,
				owner: c.counts.owner_firsts,
				department: c.counts.department_firsts,
				pair: c.counts.pair_firsts,
			};
		}
		const within = (stage: string, owner: string | null, department: string | null, at: number) => {
			if (builder.withinSla(stage, at)) entry(stage, owner ?? '', department ?? '').withinSla++;
		};
		for (const stage of new Set([...population.values()].map((c) => c.stage))) {
			const reach = builder.slaReach(stage);
			if (reach === null) continue;
			if (end === asOf && asOf - reach >= from) {
				// Each customer's last move before the instant is their last in the period, if any.
				for (let i = 0; i < period.length; i++) {
					const t = period[i];
					const last = i + 1 === period.length || period[i + 1].customer !== t.customer;
					if (last && t.toStage === stage && t.occurredAt >= asOf - reach) {
						within(stage, t.owner, t.department, t.occurredAt);
					}
				}
				continue;
			}
			// Customers whose last move before the instant entered this stage within its reach.
			const rows = await db.query(
				`SELECT t.owner, t.department, t.occurred_at FROM transitions t
				 WHERE t.journey_id = ? AND t.occurred_at >= ? AND t.occurred_at < ? AND t.to_stage = ?
				   AND NOT EXISTS (SELECT 1 FROM transitions n WHERE n.journey_id = t.journey_id
				     AND n.customer_id = t.customer_id AND n.id > t.id AND ${notByIndex('n.occurred_at')} < ?)`,
				[journeyId, asOf - reach, asOf, stage, asOf],
			);
			for (const row of rows) {
				within(stage, text(row.owner), text(row.department), Number(row.occurred_at));
			}
		}
		return [...population.values()];
	};
	return { wide, counts };
}

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

/**
 * The period's moves, grouped by customer in history order, and for each of those customers
 * the furthest path stage they reached before the period.
 */
async function periodMoves(
	db: SqlExecutor,
	journeyId: number,
	journey: StoredJourney,
	window: ReportWindow,
) {
	const end = Math.min(window.to, window.asOf);
	const reached = new Map<number, number>();
	// Every move that leaves a stage says when it was entered (migration 5 filled in the older
	// ones), unless there is no move before it: the last move before the period is never needed.
	const before = (customer: string | number) => ({
		furthest: reached.get(Number(customer)) ?? -1,
		lastAt: null,
	});
	if (!(end > window.from)) return { rows: [] as MetricTransition[], before };
	const stages = stageKeys(journey);
	const columns = reportColumns(db.dialect, stages);
	// In the time index's order, grouped by customer here: cheaper than a sort by customer.
	const rows = groupByCustomer(
		await db.values(
			`SELECT ${columns.sql}, id FROM transitions
			 WHERE journey_id = ? AND occurred_at >= ? AND occurred_at < ?`,
			[...columns.params, journeyId, window.from, end],
		),
	).map((row) => toMetricTransition(row, stages));
	const [earlier] = await db.query(
		`SELECT 1 AS found FROM transitions WHERE journey_id = ? AND occurred_at < ? LIMIT 1`,
		[journeyId, window.from],
	);
	if (rows.length === 0 || !earlier) return { rows, before };
	const path = stages.filter((key) => pathIndex(journey.definition, key) >= 0);
	const active: number[] = [];
	for (const t of rows)
		if (t.customer !== active[active.length - 1]) active.push(Number(t.customer));
	const customers = matchList(db.dialect, active, 'bigint');
	const furthest = await db.values(
		`SELECT t.customer_id, MAX(${placeIn(path, 't.to_stage', '-1')})
		 FROM transitions t
		 WHERE t.journey_id = ? AND ${notByIndex('t.occurred_at')} < ? AND t.customer_id${customers.sql}
		 GROUP BY t.customer_id`,
		[...path, journeyId, window.from, ...customers.params],
	);
	for (const [customer, position] of furthest) reached.set(Number(customer), Number(position));
	return { rows, before };
}

/**
 * Rows whose first column is the customer and last the history id, grouped by customer in
 * customer order, each customer's in id order. Read in the time index's order, they are sorted
 * here as numbers (customer × row count + place), several times cheaper than SQLite's sort or a
 * comparator; a customer's moves at one instant, which the time index orders otherwise, are then
 * put in id order.
 */
export function groupByCustomer(rows: readonly unknown[][]): unknown[][] {
	const count = rows.length;
	const customer = (row: readonly unknown[]) => Number(row[0]);
	const id = (row: readonly unknown[]) => Number(row[row.length - 1]);
	let highest = 0;
	for (const row of rows) highest = Math.max(highest, customer(row));
	let sorted: unknown[][];
	if ((highest + 1) * count <= Number.MAX_SAFE_INTEGER) {
		const keys = new Float64Array(count);
		for (let i = 0; i < count; i++) keys[i] = customer(rows[i]) * count + i;
		keys.sort();
		sorted = new Array(count);
		for (let i = 0; i < count; i++) sorted[i] = rows[keys[i] % count];
	} else {
		sorted = [...rows].sort((a, b) => customer(a) - customer(b));
	}
	for (let start = 0, i = 1; i <= count; i++) {
		if (i < count && customer(sorted[i]) === customer(sorted[start])) continue;
		for (let k = start + 1; k < i; k++) {
			if (id(sorted[k]) < id(sorted[k - 1])) {
				const run = sorted.slice(start, i).sort((a, b) => id(a) - id(b));
				for (let r = 0; r < run.length; r++) sorted[start + r] = run[r];
				break;
			}
		}
		start = i;
	}
	return sorted;
}

/** Latest and cumulative time in each stage, per customer (external id) and journey key. */
export async function customerStageTimes(
	db: SqlExecutor,
	customerIds: readonly string[],
	now: number,
): Promise<Map<string, Map<string, StageTime[]>>> {
	const result = new Map<string, Map<string, StageTime[]>>();
	// Across journeys: the stages come as text.
	const columns = reportColumns(db.dialect, [], 't.');
	for (const part of chunk([...new Set(customerIds)], ROWS_PER_STATEMENT)) {
		const rows = await db.values(
			`SELECT c.external_id, j.journey_key, ${columns.sql}
			 FROM transitions t JOIN customers c ON ${customerRowsSql('t', 'c.id')}
			 JOIN journeys j ON j.id = t.journey_id
			 WHERE c.external_id IN (${inList(part.length)})
			 ORDER BY t.customer_id, t.journey_id, t.id`,
			part,
		);
		const timelines = new Map<string, Map<string, MetricTransition[]>>();
		for (const row of rows) {
			const customer = String(row[0]);
			const journey = String(row[1]);
			let journeys = timelines.get(customer);
			if (!journeys) timelines.set(customer, (journeys = new Map()));
			let timeline = journeys.get(journey);
			if (!timeline) journeys.set(journey, (timeline = []));
			// The customer and journey keys come first.
			timeline.push(toMetricTransition(row.slice(2), []));
		}
		for (const [customer, journeys] of timelines) {
			const byJourney = new Map<string, StageTime[]>();
			for (const [journey, timeline] of journeys) byJourney.set(journey, stageTimes(timeline, now));
			result.set(customer, byJourney);
		}
	}
	return result;
}
