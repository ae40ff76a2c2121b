import type { Scope } from '../engine/inputs';
import type { Direction, ReasonKind } from '../engine/movement';
import { customerRowsSql, requireCustomerInScope, scopeCondition } from './customerQueries';
import { insertRows, type ArrayType, type SqlExecutor } from './driver/sql';
import { FEED_LOCK_SQL } from './feed';
import type { Transition } from './types';
import type { Batch } from './writeBatch';

const HISTORY_COLUMNS: ReadonlyArray<readonly [string, ArrayType]> = [
	['journey_id', 'bigint'],
	['journey_version', 'integer'],
	['customer_id', 'bigint'],
	['from_stage', 'text'],
	['to_stage', 'text'],
	['direction', 'text'],
	['reason_kind', 'text'],
	['reason', 'text'],
	['event_type', 'text'],
	['event_key', 'text'],
	['rule_id', 'text'],
	['actor', 'text'],
	['note', 'text'],
	['owner', 'text'],
	['department', 'text'],
	['occurred_at', 'bigint'],
	['recorded_at', 'bigint'],
	['event_occurred_at', 'bigint'],
	['from_entered_at', 'bigint'],
];

/**
 * Appends the batch's history records as the engine made them, with who owned the customer.
 * Runs last in the batch's transaction: from here to the commit it holds the feed's lock, so
 * transition ids are in commit order (see feed.ts).
 */
export async function appendHistory(tx: SqlExecutor, batch: Batch) {
	if (batch.history.length === 0) return;
	await insertRows(
		tx,
		'transitions',
		HISTORY_COLUMNS,
		batch.history.map(({ journey, customer, record }) => [
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
		]),
		'',
		tx.dialect.name === 'postgres' ? FEED_LOCK_SQL : undefined,
	);
}

/**
 * A customer's timeline, oldest first; optionally one journey's only. With a scope, the rows are
 * read only while the customer is inside it (the condition is part of the one query); when none
 * come back, an unknown customer or one outside the scope is an error that says so.
 */
export async function getHistory(
	db: SqlExecutor,
	customerId: string,
	options: { journey?: string; limit?: number; scope?: Scope } = {},
): Promise<Transition[]> {
	const scope = scopeCondition(options.scope ?? { kind: 'all' });
	const params: unknown[] = [customerId, ...scope.params];
	let filter = '';
	if (options.journey) {
		filter = ' AND j.journey_key = ?';
		params.push(options.journey);
	}
	params.push(options.limit ?? 1000);
	const rows = await db.query(
		`SELECT t.*, j.journey_key, c.external_id FROM transitions t
		 JOIN customers c ON ${customerRowsSql('t', 'c.id')} JOIN journeys j ON j.id = t.journey_id
		 WHERE c.external_id = ? AND ${scope.sql}${filter} ORDER BY t.id LIMIT ?`,
		params,
	);
	if (rows.length === 0 && options.scope && options.scope.kind !== 'all') {
		await requireCustomerInScope(db, customerId, options.scope);
	}
	return rows.map(transitionFromRow);
}

const time = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** A transitions row (joined with its journey key and customer id) as a Transition. */
export function transitionFromRow(row: Record<string, unknown>): Transition {
	return {
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
	};
}
