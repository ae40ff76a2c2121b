import type { Direction, ReasonKind } from '../engine/movement';
import { chunk, placeholders, ROWS_PER_STATEMENT, type SqlExecutor } from './driver/sql';
import type { Transition } from './types';
import type { Batch } from './writeBatch';

const HISTORY_COLUMNS = [
	'journey_id',
	'journey_version',
	'customer_id',
	'from_stage',
	'to_stage',
	'direction',
	'reason_kind',
	'reason',
	'event_type',
	'event_key',
	'rule_id',
	'actor',
	'note',
	'owner',
	'department',
	'occurred_at',
	'recorded_at',
	'event_occurred_at',
	'from_entered_at',
];

/** Appends the batch's history records as the engine made them, with who owned the customer. */
export async function appendHistory(tx: SqlExecutor, batch: Batch) {
	for (const part of chunk(batch.history, ROWS_PER_STATEMENT)) {
		const params = part.flatMap(({ journey, customer, record }) => [
			journey.id,
			journey.version,
			customer.id,
			record.fromStage,
			record.toStage,
			record.direction,
			record.reasonKind,
			record.reason,
			record.eventType,
			record.eventId,
			record.ruleId,
			record.actor,
			record.note,
			customer.owner,
			customer.department,
			record.occurredAt,
			batch.now,
			record.eventOccurredAt,
			record.fromEnteredAt,
		]);
		await tx.run(
			`INSERT INTO transitions (${HISTORY_COLUMNS.join(', ')}) VALUES ${placeholders(part.length, HISTORY_COLUMNS.length)}`,
			params,
		);
	}
}

/** A customer's timeline, oldest first; optionally one journey's only. */
export async function getHistory(
	db: SqlExecutor,
	customerId: string,
	options: { journey?: string; limit?: number } = {},
): Promise<Transition[]> {
	const params: unknown[] = [customerId];
	let filter = '';
	if (options.journey) {
		filter = ' AND j.journey_key = ?';
		params.push(options.journey);
	}
	params.push(options.limit ?? 1000);
	const rows = await db.query(
		`SELECT t.*, j.journey_key, c.external_id FROM transitions t
		 JOIN customers c ON c.id = t.customer_id JOIN journeys j ON j.id = t.journey_id
		 WHERE c.external_id = ?${filter} ORDER BY t.id LIMIT ?`,
		params,
	);
	const time = (value: unknown) => (value === null || value === undefined ? null : Number(value));
	const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
	return rows.map((row) => ({
		id: Number(row.id),
		customerId: String(row.external_id),
		journey: String(row.journey_key),
		journeyVersion: Number(row.journey_version),
		fromStage: text(row.from_stage),
		toStage: String(row.to_stage),
		direction: row.direction as Direction,
		reasonKind: row.reason_kind as ReasonKind,
		reason: String(row.reason),
		eventType: text(row.event_type),
		eventId: text(row.event_key),
		ruleId: text(row.rule_id),
		actor: text(row.actor),
		note: text(row.note),
		owner: text(row.owner),
		department: text(row.department),
		occurredAt: Number(row.occurred_at),
		recordedAt: Number(row.recorded_at),
		eventOccurredAt: time(row.event_occurred_at),
		fromEnteredAt: time(row.from_entered_at),
	}));
}
