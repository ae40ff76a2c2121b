import { InputError } from '../engine/errors';
import {
	inScope,
	scopeRule,
	scopeText,
	type CustomerFilter,
	type CustomerQuery,
	type CustomerSortField,
	type Scope,
} from '../engine/inputs';
import { findStage } from '../engine/journey';
import { stageLabel } from '../engine/movement';
import { quoteText } from '../engine/text';
import { inList, type Dialect, type SqlExecutor } from './driver/sql';
import type { JourneyCache } from './journeys';
import { getCustomers } from './customers';
import type { CustomerView } from './types';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Picks one customer's rows of a table keyed by journey first, then customer (the history's
 * index, events_customer_time, the reminder log and activity tables' keys), aliased `alias`;
 * `customerId` is a column or `?`. The condition names every journey, so each becomes one seek
 * along that key instead of a scan of the whole table.
 */
export const customerRowsSql = (alias: string, customerId: string) =>
	`${alias}.journey_id IN (SELECT id FROM journeys) AND ${alias}.customer_id = ${customerId}`;

/** A WHERE condition over `customers c` (and `memberships m` when a journey is named). */
export interface Condition {
	sql: string;
	params: unknown[];
}

/**
 * The one SQL condition of a scope: the customers it lets an operation see or a run look at;
 * `c` is the customers table.
 */
export function scopeCondition(scope: Scope): Condition {
	if (scope.kind === 'all') return { sql: '1 = 1', params: [] };
	const { field, names } = scopeRule(scope);
	return { sql: `c.${field} IN (${inList(names.length)})`, params: names };
}

/** Why a customer is outside a scope (an error for that item), or null when inside it. */
export function outsideScope(
	scope: Scope,
	customerId: string,
	customer: { owner: string | null; department: string | null },
): InputError | null {
	if (scope.kind === 'all' || inScope(scope, customer)) return null;
	return new InputError(
		`Customer ${quoteText(customerId)} is outside this node's scope (${scopeText(scope)}); nothing was read or changed`,
		'customerId',
	);
}

/**
 * Tags are stored as a JSON list (`["vip","trade-show"]`). A tag is in it when `"tag"` follows
 * `[` or `,`: tags cannot hold commas, and a quote inside a tag is stored escaped (`\"`), so
 * this matches whole tags only. instr/strpos compare exactly (LIKE would ignore case in SQLite).
 */
function hasTag(dialect: Dialect, tag: string): Condition {
	const find = dialect.name === 'sqlite' ? 'instr(c.tags, ?)' : 'strpos(c.tags, ?)';
	const quoted = JSON.stringify(tag);
	return { sql: `(${find} > 0 OR ${find} > 0)`, params: [`[${quoted}`, `,${quoted}`] };
}

function all(conditions: Condition[], joiner = ' AND '): Condition {
	return {
		sql: conditions.length ? conditions.map((c) => `(${c.sql})`).join(joiner) : '1 = 1',
		params: conditions.flatMap((c) => c.params),
	};
}

/** The journey a filter names, with its stages checked: unknown ones are the field's error. */
async function filterJourney(
	db: SqlExecutor,
	cache: JourneyCache,
	filter: CustomerFilter,
): Promise<number | null> {
	if (!filter.journey) return null;
	const [row] = await db.query(
		`SELECT id, version, definition FROM journeys WHERE journey_key = ?`,
		[filter.journey],
	);
	if (!row) {
		throw new InputError(
			`Journey ${quoteText(filter.journey)} does not exist; create it first or pick one from the list`,
			'journey',
		);
	}
	const definition = cache.definition(Number(row.id), Number(row.version), String(row.definition));
	for (const stage of filter.stages ?? []) {
		if (!findStage(definition, stage)) {
			throw new InputError(
				`Stage ${quoteText(stage)} is not in journey '${definition.key}' (its stages: ${definition.stages.map((s) => s.key).join(', ')})`,
				'stages',
			);
		}
	}
	return Number(row.id);
}

/** The FROM clause and WHERE conditions of a filter within a scope. */
export async function filterSql(
	db: SqlExecutor,
	cache: JourneyCache,
	filter: CustomerFilter,
	scope: Scope,
	now: number,
): Promise<{ from: Condition; where: Condition }> {
	const journeyId = await filterJourney(db, cache, filter);
	const conditions: Condition[] = [scopeCondition(scope)];
	const from: Condition = { sql: 'customers c', params: [] };
	if (journeyId !== null) {
		from.sql += ' JOIN memberships m ON m.customer_id = c.id AND m.journey_id = ?';
		from.params.push(journeyId);
		if (filter.stages)
			conditions.push({
				sql: `m.stage_key IN (${inList(filter.stages.length)})`,
				params: filter.stages,
			});
		if (filter.minDaysInStage !== undefined)
			conditions.push({ sql: 'm.entered_at <= ?', params: [now - filter.minDaysInStage * DAY] });
		if (filter.maxDaysInStage !== undefined)
			conditions.push({ sql: 'm.entered_at >= ?', params: [now - filter.maxDaysInStage * DAY] });
	}
	if (filter.owners)
		conditions.push({ sql: `c.owner IN (${inList(filter.owners.length)})`, params: filter.owners });
	if (filter.unassigned) conditions.push({ sql: `(c.owner IS NULL OR c.owner = '')`, params: [] });
	if (filter.department !== undefined)
		conditions.push({ sql: 'c.department = ?', params: [filter.department] });
	if (filter.tagsAny)
		conditions.push(
			all(
				filter.tagsAny.map((t) => hasTag(db.dialect, t)),
				' OR ',
			),
		);
	if (filter.tagsAll) conditions.push(all(filter.tagsAll.map((t) => hasTag(db.dialect, t))));
	if (filter.minRating !== undefined)
		conditions.push({ sql: 'COALESCE(c.rating, 0) >= ?', params: [filter.minRating] });
	if (filter.noContactForDays !== undefined)
		conditions.push({
			sql: '(c.last_contact_at IS NULL OR c.last_contact_at <= ?)',
			params: [now - filter.noContactForDays * DAY],
		});
	if (filter.createdAfter !== undefined)
		conditions.push({ sql: 'c.created_at >= ?', params: [filter.createdAfter] });
	if (filter.createdBefore !== undefined)
		conditions.push({ sql: 'c.created_at < ?', params: [filter.createdBefore] });
	return { from, where: all(conditions) };
}

/** Sort expressions; nullable columns sort as lowest so every row has a keyset value. */
const SORT_COLUMNS: Record<CustomerSortField, string> = {
	customerId: 'c.external_id',
	createdAt: 'c.created_at',
	updatedAt: 'c.updated_at',
	lastContactAt: 'COALESCE(c.last_contact_at, -1)',
	rating: 'COALESCE(c.rating, -1)',
};

/** Rows read per page: under both databases' parameter caps for the details read after. */
export const PAGE_SIZE = 200;

/**
 * Customers matching a query, one page at a time (keyset pagination on the sort value and the
 * row id): memory holds one page whatever the table's size, and a customer changed while paging
 * is neither skipped nor repeated because of rows before it.
 */
export async function* customerPages(
	db: SqlExecutor,
	cache: JourneyCache,
	query: CustomerQuery,
	now: number = Date.now(),
): AsyncGenerator<CustomerView[]> {
	const { from, where } = await filterSql(db, cache, query.filter, query.scope, now);
	const sort = SORT_COLUMNS[query.sortBy];
	const order = query.descending ? 'DESC' : 'ASC';
	const after = query.descending ? '<' : '>';
	let remaining = query.limit ?? Number.POSITIVE_INFINITY;
	let last: { value: unknown; id: number } | null = null;
	while (remaining > 0) {
		const size = Math.min(PAGE_SIZE, remaining);
		const keyset: Condition = last
			? {
					sql: `(${sort} ${after} ? OR (${sort} = ? AND c.id ${after} ?))`,
					params: [last.value, last.value, last.id],
				}
			: { sql: '1 = 1', params: [] };
		const rows = await db.query(
			`SELECT c.id, c.external_id, ${sort} AS sort_value FROM ${from.sql}
			 WHERE ${where.sql} AND ${keyset.sql}
			 ORDER BY ${sort} ${order}, c.id ${order} LIMIT ?`,
			[...from.params, ...where.params, ...keyset.params, size],
		);
		if (rows.length === 0) return;
		const views = await getCustomers(
			db,
			cache,
			rows.map((row) => String(row.external_id)),
		);
		yield views.filter((view): view is CustomerView => view !== null);
		const tail = rows[rows.length - 1];
		last = { value: tail.sort_value, id: Number(tail.id) };
		remaining -= rows.length;
		if (rows.length < size) return;
	}
}

/** A customer's stage in one journey at a past time, from the history. */
export interface StageAsOf {
	journey: string;
	journeyName: string;
	/** Null: the customer had not entered the journey by then. */
	stage: string | null;
	stageName: string | null;
	enteredAt: number | null;
}

/**
 * The stage in every journey the customer has history in, as it was at `at`: the last move that
 * took effect by then. Effective times never run backwards within a journey (rule 7), so the
 * last row by id at or before `at` is the one.
 */
export async function stagesAsOf(
	db: SqlExecutor,
	cache: JourneyCache,
	customerId: string,
	at: number,
	scope: Scope = { kind: 'all' },
): Promise<StageAsOf[]> {
	// The scope is part of the one query (as in Get History), so an owner changed meanwhile
	// cannot let a customer outside it be read; none found is then explained by the check below.
	const inScope = scopeCondition(scope);
	const rows = await db.query(
		`SELECT j.id AS journey_id, j.journey_key, j.name, j.version, j.definition,
		        (SELECT t.to_stage FROM transitions t WHERE t.customer_id = c.id AND t.journey_id = j.id
		           AND t.occurred_at <= ? ORDER BY t.id DESC LIMIT 1) AS stage_key,
		        (SELECT t.occurred_at FROM transitions t WHERE t.customer_id = c.id AND t.journey_id = j.id
		           AND t.occurred_at <= ? ORDER BY t.id DESC LIMIT 1) AS entered_at
		 FROM customers c JOIN journeys j
		   ON EXISTS (SELECT 1 FROM transitions h WHERE h.customer_id = c.id AND h.journey_id = j.id)
		 WHERE c.external_id = ? AND ${inScope.sql} ORDER BY j.display_order, j.name`,
		[at, at, customerId, ...inScope.params],
	);
	if (rows.length === 0) await requireCustomerInScope(db, customerId, scope);
	return rows.map((row) => {
		const definition = cache.definition(
			Number(row.journey_id),
			Number(row.version),
			String(row.definition),
		);
		const stage = row.stage_key === null ? null : String(row.stage_key);
		return {
			journey: String(row.journey_key),
			journeyName: String(row.name),
			stage,
			stageName: stageLabel(definition, stage),
			enteredAt: row.entered_at === null ? null : Number(row.entered_at),
		};
	});
}

/** Owner and department of known customers, by external id (for scope checks). */
export async function customerOwners(
	db: SqlExecutor,
	customerIds: readonly string[],
	lock: boolean,
): Promise<Map<string, { id: number; owner: string | null; department: string | null }>> {
	const found = new Map<string, { id: number; owner: string | null; department: string | null }>();
	const ids = [...new Set(customerIds)].sort();
	for (let i = 0; i < ids.length; i += PAGE_SIZE) {
		const part = ids.slice(i, i + PAGE_SIZE);
		const rows = await db.query(
			`SELECT id, external_id, owner, department FROM customers
			 WHERE external_id IN (${inList(part.length)}) ORDER BY external_id${lock ? db.dialect.forUpdate : ''}`,
			part,
		);
		for (const row of rows) {
			found.set(String(row.external_id), {
				id: Number(row.id),
				owner: row.owner === null ? null : String(row.owner),
				department: row.department === null ? null : String(row.department),
			});
		}
	}
	return found;
}

/** A known customer inside the scope, or the error saying which it is not (reads only). */
export async function requireCustomerInScope(
	db: SqlExecutor,
	customerId: string,
	scope: Scope,
): Promise<void> {
	const customer = (await customerOwners(db, [customerId], false)).get(customerId);
	if (!customer) {
		throw new InputError(`Customer ${quoteText(customerId)} was not found`, 'customerId');
	}
	const refused = outsideScope(scope, customerId, customer);
	if (refused) throw refused;
}

/**
 * Customer → Get: each asked customer as one read shows them, or the error of one outside the
 * scope asked with them (checked on that same read, so what is returned is what was checked);
 * null where unknown.
 */
export async function customersInScope(
	db: SqlExecutor,
	cache: JourneyCache,
	requests: ReadonlyArray<{ customerId: string; scope: Scope }>,
): Promise<Array<CustomerView | InputError | null>> {
	const views = await getCustomers(
		db,
		cache,
		requests.map((request) => request.customerId),
	);
	return views.map(
		(view, i) => view && (outsideScope(requests[i].scope, view.customerId, view) ?? view),
	);
}
