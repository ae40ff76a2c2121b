import type { Scope } from '../engine/inputs';
import type { Direction, ReasonKind } from '../engine/movement';
import { scopeCondition } from './customerQueries';
import { matchAny, type SqlExecutor } from './driver/sql';
import { transitionFromRow } from './history';
import type { Transition } from './types';

/**
 * What Stage Trigger reads: history in commit order after a durable cursor kept per workflow
 * and node, and the cursor itself.
 *
 * Commit order. A feed position is a transition id, and a reader asks for `id > cursor`. That is
 * only safe if ids become visible in id order: a transition that commits after a higher id was
 * read would otherwise be skipped for ever. On PostgreSQL ids are taken at insert, and two
 * concurrent batches could insert in one order and commit in the other. So every batch that
 * appends history first takes one transaction-scoped advisory lock (lockFeed, below), inserts
 * its transitions, and holds the lock until its commit: ids are taken one batch at a time, and
 * a batch cannot take any before the previous holder has committed (PostgreSQL releases
 * transaction locks only after the commit is visible to new snapshots) or rolled back. Whatever
 * a reader sees is therefore a prefix of the ids, and later commits only add higher ones. The
 * lock is held for the history insert and the commit only (the batch's decisions, locks and
 * membership writes come before it), and it costs no extra statement: the history insert itself
 * takes it before its first row, and sends the NOTIFY that wakes listening triggers at commit. The identity sequence must keep its
 * default CACHE 1 (a per-session cache would hand out ids out of order).
 *
 * SQLite needs nothing: BEGIN IMMEDIATE lets one writer at a time into the file, and
 * AUTOINCREMENT ids only grow, so ids are already in commit order.
 */

/** PostgreSQL channel of the wake-up; the payload is the store's schema. */
export const FEED_CHANNEL = 'customer_stage_feed';

/** First key of the feed's advisory lock (the second is the schema's hash). */
const FEED_LOCK = 0x43534644; // "CSFD"

/**
 * The feed's lock and wake-up (PostgreSQL): appendHistory's insert runs it before its first row
 * (insertRows' `before`), so taking the lock costs no round trip of its own.
 */
export const FEED_LOCK_SQL = `SELECT pg_advisory_xact_lock(${FEED_LOCK}, hashtext(current_schema())), pg_notify('${FEED_CHANNEL}', current_schema())`;

/** The same lock as its own statement, for writers outside appendHistory (PostgreSQL only). */
export async function lockFeed(tx: SqlExecutor): Promise<void> {
	if (tx.dialect.name === 'postgres') await tx.query(FEED_LOCK_SQL);
}

/** Which transitions a trigger wants; empty lists match everything. */
export interface FeedFilter {
	journeys?: string[];
	toStages?: string[];
	fromStages?: string[];
	directions?: Direction[];
	reasonKinds?: ReasonKind[];
	scope?: Scope;
}

/** A transition with the customer as the store has them now. */
export interface FeedTransition extends Transition {
	customer: {
		name: string | null;
		email: string | null;
		owner: string | null;
		department: string | null;
		tags: string[];
		rating: number | null;
	};
}

export interface FeedPage {
	transitions: FeedTransition[];
	/** Where the cursor may go once these are handled: past them, and past every row they skipped. */
	position: number;
}

/** Where a trigger starts when it has no cursor yet (or its start setting changed). */
export type FeedStart = { from: 'now' } | { from: 'beginning' } | { from: 'date'; date: number };

const SELECT = `SELECT t.*, j.journey_key, c.external_id, c.name AS customer_name, c.email AS customer_email,
	c.owner AS customer_owner, c.department AS customer_department, c.tags AS customer_tags,
	c.rating AS customer_rating
	FROM transitions t JOIN customers c ON c.id = t.customer_id JOIN journeys j ON j.id = t.journey_id`;

function filterSql(
	d: SqlExecutor['dialect'],
	filter: FeedFilter,
): { sql: string; params: unknown[] } {
	let sql = '';
	const params: unknown[] = [];
	const any = (column: string, values: readonly string[] | undefined) => {
		if (!values?.length) return;
		const match = matchAny(d, values, 'text');
		sql += ` AND ${column}${match.sql}`;
		params.push(...match.params);
	};
	any('j.journey_key', filter.journeys);
	any('t.to_stage', filter.toStages);
	any('t.from_stage', filter.fromStages);
	any('t.direction', filter.directions);
	any('t.reason_kind', filter.reasonKinds);
	if (filter.scope) {
		const scope = scopeCondition(filter.scope);
		sql += ` AND ${scope.sql}`;
		params.push(...scope.params);
	}
	return { sql, params };
}

function feedTransition(row: Record<string, unknown>): FeedTransition {
	return {
		...transitionFromRow(row),
		customer: {
			name: row.customer_name === null ? null : String(row.customer_name),
			email: row.customer_email === null ? null : String(row.customer_email),
			owner: row.customer_owner === null ? null : String(row.customer_owner),
			department: row.customer_department === null ? null : String(row.customer_department),
			tags: row.customer_tags ? (JSON.parse(String(row.customer_tags)) as string[]) : [],
			rating: row.customer_rating === null ? null : Number(row.customer_rating),
		},
	};
}

/** The highest transition id committed so far (0: none). */
export async function feedHead(db: SqlExecutor): Promise<number> {
	const [row] = await db.query<{ head: unknown }>(`SELECT MAX(id) AS head FROM transitions`);
	return Number(row?.head ?? 0);
}

/**
 * Up to `limit` matching transitions after `after` (and recorded at `notBefore` or later), in
 * commit order. The head is read first: rows up to it are all visible by then (see above), so
 * rows that do not match are passed over for good and the cursor never has to look back.
 */
export async function readFeed(
	db: SqlExecutor,
	after: number,
	filter: FeedFilter,
	limit: number,
	notBefore = 0,
): Promise<FeedPage> {
	const head = await feedHead(db);
	if (head <= after) return { transitions: [], position: after };
	const where = filterSql(db.dialect, filter);
	const rows = await db.query(
		`${SELECT} WHERE t.id > ? AND t.id <= ? AND t.recorded_at >= ?${where.sql} ORDER BY t.id LIMIT ?`,
		[after, head, notBefore, ...where.params, limit],
	);
	const transitions = rows.map(feedTransition);
	return {
		transitions,
		position: transitions.length === limit ? transitions[transitions.length - 1].id : head,
	};
}

/** The newest matching transition (a trigger's test step), or null. */
export async function latestInFeed(
	db: SqlExecutor,
	filter: FeedFilter,
): Promise<FeedTransition | null> {
	const where = filterSql(db.dialect, filter);
	const rows = await db.query(`${SELECT} WHERE 1 = 1${where.sql} ORDER BY t.id DESC LIMIT 1`, [
		...where.params,
	]);
	return rows.length ? feedTransition(rows[0]) : null;
}

export interface FeedCursor {
	position: number;
	/** Transitions recorded before this time are not delivered (start from a date). */
	notBefore: number;
}

function startKey(start: FeedStart): string {
	return start.from === 'date' ? `date:${start.date}` : start.from;
}

/**
 * The cursor of one trigger (workflow and node). Made on first use from `start`; made again if
 * the node's start setting has changed since, so "start from" takes effect when it is edited.
 */
export async function openFeedCursor(
	db: SqlExecutor,
	workflowId: string,
	nodeId: string,
	start: FeedStart,
	now: number,
): Promise<FeedCursor> {
	const key = startKey(start);
	const [row] = await db.query(
		`SELECT after_id, not_before, start_key FROM feed_cursors WHERE workflow_id = ? AND node_id = ?`,
		[workflowId, nodeId],
	);
	if (row && row.start_key === key) {
		return { position: Number(row.after_id), notBefore: Number(row.not_before) };
	}
	const cursor: FeedCursor = {
		position: start.from === 'now' ? await feedHead(db) : 0,
		notBefore: start.from === 'date' ? start.date : 0,
	};
	await db.run(
		`INSERT INTO feed_cursors (workflow_id, node_id, after_id, not_before, start_key, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?)
		 ON CONFLICT (workflow_id, node_id) DO UPDATE SET after_id = excluded.after_id,
		   not_before = excluded.not_before, start_key = excluded.start_key, updated_at = excluded.updated_at`,
		[workflowId, nodeId, cursor.position, cursor.notBefore, key, now],
	);
	return cursor;
}

/** Moves a trigger's cursor forward (never back: a late, stale advance changes nothing). */
export async function advanceFeedCursor(
	db: SqlExecutor,
	workflowId: string,
	nodeId: string,
	position: number,
	now: number,
): Promise<void> {
	await db.run(
		`UPDATE feed_cursors SET after_id = ?, updated_at = ?
		 WHERE workflow_id = ? AND node_id = ? AND after_id < ?`,
		[position, now, workflowId, nodeId, position],
	);
}

/** Forgets a trigger's cursor (the node was removed; tests). */
export async function dropFeedCursor(
	db: SqlExecutor,
	workflowId: string,
	nodeId: string,
): Promise<void> {
	await db.run(`DELETE FROM feed_cursors WHERE workflow_id = ? AND node_id = ?`, [
		workflowId,
		nodeId,
	]);
}
