import {
	FunnelReportBuilder,
	stageTimes,
	type FunnelReport,
	type MetricTransition,
	type ReportWindow,
	type StageTime,
} from '../engine/metrics';
import { chunk, inList, ROWS_PER_STATEMENT, type SqlExecutor } from './driver/sql';
import type { JourneyCache } from './journeys';
import { getJourney } from './journeys';
import type { StoredJourney } from './types';

/**
 * Report queries (Funnel Report, Customer → Get's time in stage): a journey's transitions read
 * in one ordered pass (index transitions_journey_customer), handed to the engine's metrics.
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
 * The Funnel Report of one journey (null when it does not exist): its history before `asOf`,
 * read in pages of customers in (customer, history) order along transitions_journey_customer,
 * so memory stays flat however long the history is.
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
	const [bounds] = await db.query(
		`SELECT MIN(customer_id) AS low, MAX(customer_id) AS high FROM transitions WHERE journey_id = ?`,
		[journeyId],
	);
	if (bounds?.low !== null && bounds?.low !== undefined) {
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
	return { journey, ...builder.finish() };
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
