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
import { chunk, inList, ROWS_PER_STATEMENT, type SqlExecutor } from './driver/sql';
import type { JourneyCache } from './journeys';
import { getJourney } from './journeys';
import {
	edgeContributions,
	ROLLUP_DAY_MS,
	rollupDay,
	rollupTotals,
	type PairCounts,
	type RollupCount,
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

const REPORT_COLUMNS = `customer_id, from_stage, to_stage, occurred_at, from_entered_at, owner, department`;

function toMetricTransition(row: Record<string, unknown>): MetricTransition {
	return {
		customer: Number(row.customer_id),
		fromStage: row.from_stage === null ? null : String(row.from_stage),
		toStage: String(row.to_stage),
		occurredAt: Number(row.occurred_at),
		fromEnteredAt:
			row.from_entered_at === null || row.from_entered_at === undefined
				? null
				: Number(row.from_entered_at),
		owner: row.owner === null || row.owner === undefined ? null : String(row.owner),
		department:
			row.department === null || row.department === undefined ? null : String(row.department),
	};
}

/** Customer ids per page: a page's rows are read, counted and let go before the next. */
const CUSTOMERS_PER_PAGE = 20_000;

/**
 * The Funnel Report of one journey (null when it does not exist). From the period's moves and
 * the roll-ups when they cover the scope (rollupsCover), else from the whole history.
 */
export async function funnelReport(
	db: SqlExecutor,
	cache: JourneyCache,
	journeyKey: string,
	window: ReportWindow,
): Promise<JourneyReport | null> {
	const [row] = await db.query(`SELECT id FROM journeys WHERE journey_key = ?`, [journeyKey]);
	const journey = row ? await getJourney(db, cache, journeyKey) : null;
	if (!row || !journey) return null;
	const journeyId = Number(row.id);
	const builder = new FunnelReportBuilder(journey.definition, window);
	if (rollupsCover(window.scope)) {
		await addPopulation(db, journeyId, builder, window);
		await addPeriod(db, journeyId, journey, builder, window);
	} else {
		await addWholeHistory(db, journeyId, builder, window);
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
	builder: FunnelReportBuilder,
	window: ReportWindow,
) {
	const [bounds] = await db.query(
		`SELECT MIN(customer_id) AS low, MAX(customer_id) AS high FROM transitions WHERE journey_id = ?`,
		[journeyId],
	);
	if (bounds?.low === null || bounds?.low === undefined) return;
	const high = Number(bounds.high);
	for (let low = Number(bounds.low); low <= high; low += CUSTOMERS_PER_PAGE) {
		const rows = await db.query(
			`SELECT ${REPORT_COLUMNS} FROM transitions
			 WHERE journey_id = ? AND customer_id >= ? AND customer_id < ? AND occurred_at < ?
			 ORDER BY customer_id, id`,
			[journeyId, low, low + CUSTOMERS_PER_PAGE, window.asOf],
		);
		builder.add(rows.map(toMetricTransition));
	}
}

/** Roll-up counts per stage, owner and department of every move before `at`. */
async function countsBefore(
	db: SqlExecutor,
	journeyId: number,
	at: number,
): Promise<Map<string, PairCounts>> {
	const day = rollupDay(at);
	const parts = [
		...(await rollupTotals(db, journeyId, day)),
		...(await edgeContributions(db, journeyId, day * ROLLUP_DAY_MS, at)),
	];
	const counts = new Map<string, PairCounts>();
	for (const part of parts) {
		const key = pairKey(part.stage, part.owner, part.department);
		const known = counts.get(key);
		if (!known) counts.set(key, part);
		else
			for (const [name, n] of Object.entries(part.counts)) known.counts[name as RollupCount] += n;
	}
	return counts;
}

const pairKey = (stage: string, owner: string, department: string) =>
	JSON.stringify([stage, owner, department]);

/**
 * Current and over SLA at the report's instant, customers at the period's start and history
 * total at its end, per stage, owner and department: roll-ups and the partial days before each
 * instant. Over SLA = current less the customers still within it, who entered within the SLA's
 * reach before the instant (read from the transitions in that reach).
 */
async function addPopulation(
	db: SqlExecutor,
	journeyId: number,
	builder: FunnelReportBuilder,
	window: ReportWindow,
) {
	const end = Math.min(window.to, window.asOf);
	const read = new Map<number, Promise<Map<string, PairCounts>>>();
	const before = (at: number) => {
		let counts = read.get(at);
		if (!counts) read.set(at, (counts = countsBefore(db, journeyId, at)));
		return counts;
	};
	const atInstant = await before(window.asOf);
	const atEnd = await before(end);
	const atStart = window.from < end ? await before(window.from) : new Map<string, PairCounts>();
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
	for (const stage of new Set([...population.values()].map((c) => c.stage))) {
		const reach = builder.slaReach(stage);
		if (reach === null) continue;
		// Customers whose last move before the instant entered this stage within its reach.
		const rows = await db.query(
			`SELECT t.owner, t.department, t.occurred_at FROM transitions t
			 WHERE t.journey_id = ? AND t.occurred_at >= ? AND t.occurred_at < ? AND t.to_stage = ?
			   AND NOT EXISTS (SELECT 1 FROM transitions n WHERE n.journey_id = t.journey_id
			     AND n.customer_id = t.customer_id AND n.id > t.id AND n.occurred_at < ?)`,
			[journeyId, window.asOf - reach, window.asOf, stage, window.asOf],
		);
		for (const row of rows) {
			if (!builder.withinSla(stage, Number(row.occurred_at))) continue;
			entry(stage, text(row.owner) ?? '', text(row.department) ?? '').withinSla++;
		}
	}
	builder.addPopulation([...population.values()]);
}

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

/**
 * The period's moves, grouped by customer, with the furthest path stage each of those customers
 * reached before the period and (for the rare move that does not say when its stage was entered)
 * when their last move before it was.
 */
async function addPeriod(
	db: SqlExecutor,
	journeyId: number,
	journey: StoredJourney,
	builder: FunnelReportBuilder,
	window: ReportWindow,
) {
	const end = Math.min(window.to, window.asOf);
	if (!(end > window.from)) return;
	const period = [journeyId, window.from, end];
	const rows = (
		await db.query(
			`SELECT ${REPORT_COLUMNS} FROM transitions
			 WHERE journey_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY customer_id, id`,
			period,
		)
	).map(toMetricTransition);
	if (rows.length === 0) return;
	const reached = new Map<number, number>();
	const lastAt = new Map<number, number>();
	const [earlier] = await db.query(
		`SELECT 1 AS found FROM transitions WHERE journey_id = ? AND occurred_at < ? LIMIT 1`,
		[journeyId, window.from],
	);
	if (earlier) {
		const path = journey.definition.stages.filter((s) => pathIndex(journey.definition, s.key) >= 0);
		const position = path.map((s, i) => `WHEN ? THEN ${i}`).join(' ');
		// Only customers who reached further before the period than in it (the rest add nothing).
		const furthest = await db.query(
			`SELECT t.customer_id, MAX(CASE t.to_stage ${position} ELSE -1 END) AS reached
			 FROM transitions t
			 WHERE t.journey_id = ? AND t.occurred_at < ? AND t.customer_id IN (
			   SELECT p.customer_id FROM transitions p
			   WHERE p.journey_id = ? AND p.occurred_at >= ? AND p.occurred_at < ?)
			 GROUP BY t.customer_id`,
			[...path.map((s) => s.key), journeyId, window.from, ...period],
		);
		for (const row of furthest) reached.set(Number(row.customer_id), Number(row.reached));
		// A move without the time its stage was entered: the customer's last move before it.
		const unknown = new Set<number>();
		let previous: string | number | null = null;
		for (const t of rows) {
			if (t.customer !== previous && t.fromStage !== null && t.fromEnteredAt === null) {
				unknown.add(Number(t.customer));
			}
			previous = t.customer;
		}
		for (const part of chunk([...unknown], ROWS_PER_STATEMENT)) {
			const found = await db.query(
				`SELECT customer_id, MAX(occurred_at) AS at FROM transitions
				 WHERE journey_id = ? AND occurred_at < ? AND customer_id IN (${inList(part.length)})
				 GROUP BY customer_id`,
				[journeyId, window.from, ...part],
			);
			for (const row of found) lastAt.set(Number(row.customer_id), Number(row.at));
		}
	}
	builder.addPeriod(rows, (customer) => ({
		furthest: reached.get(Number(customer)) ?? -1,
		lastAt: lastAt.get(Number(customer)) ?? null,
	}));
}

/** Latest and cumulative time in each stage, per customer (external id) and journey key. */
export async function customerStageTimes(
	db: SqlExecutor,
	customerIds: readonly string[],
	now: number,
): Promise<Map<string, Map<string, StageTime[]>>> {
	const result = new Map<string, Map<string, StageTime[]>>();
	for (const part of chunk([...new Set(customerIds)], ROWS_PER_STATEMENT)) {
		const rows = await db.query(
			`SELECT c.external_id, j.journey_key, t.${REPORT_COLUMNS.split(', ').join(', t.')}
			 FROM transitions t JOIN customers c ON c.id = t.customer_id
			 JOIN journeys j ON j.id = t.journey_id
			 WHERE c.external_id IN (${inList(part.length)})
			 ORDER BY t.customer_id, t.journey_id, t.id`,
			part,
		);
		const timelines = new Map<string, Map<string, MetricTransition[]>>();
		for (const row of rows) {
			const customer = String(row.external_id);
			const journey = String(row.journey_key);
			let journeys = timelines.get(customer);
			if (!journeys) timelines.set(customer, (journeys = new Map()));
			let timeline = journeys.get(journey);
			if (!timeline) journeys.set(journey, (timeline = []));
			timeline.push(toMetricTransition(row));
		}
		for (const [customer, journeys] of timelines) {
			const byJourney = new Map<string, StageTime[]>();
			for (const [journey, timeline] of journeys) byJourney.set(journey, stageTimes(timeline, now));
			result.set(customer, byJourney);
		}
	}
	return result;
}
