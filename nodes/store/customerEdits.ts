import {
	applyCustomerUpdate,
	shareOut,
	stagesForStatus,
	statusStep,
	type CustomerFields,
} from '../engine/customerEdits';
import { BatchItemError, InputError } from '../engine/errors';
import {
	parseAssign,
	parseCustomerQuery,
	parseCustomerUpdate,
	parseStatus,
	type CustomerUpdateInput,
} from '../engine/inputs';
import { moveOutcome } from '../engine/movement';
import { quoteText } from '../engine/text';
import type { SqlDriver, SqlExecutor } from './driver/sql';
import { chunk, inList, placeholders, ROWS_PER_STATEMENT } from './driver/sql';
import { getCustomers } from './customers';
import { filterSql, outsideScope } from './customerQueries';
import type { JourneyCache } from './journeys';
import type { CustomerView, ItemOutcome, MoveResult } from './types';
import { parseOrError, writeBatch, zoneOf, type BatchOptions } from './writeBatch';

type Raw = Record<string, unknown>;

/**
 * The items of a batch, parsed: each an input or its error. All-or-nothing batches stop at the
 * first bad one, before anything is read or written.
 */
export function parseBatch<I>(
	items: readonly Raw[],
	parse: (raw: Raw) => I,
	options: BatchOptions,
): Array<I | Error> {
	const inputs = items.map((raw) => parseOrError(() => parse(raw)));
	const bad = inputs.findIndex((input) => input instanceof Error);
	if (options.allOrNothing && bad >= 0) throw new BatchItemError(bad, inputs[bad] as Error);
	return inputs;
}

/** Unknown customers are not created by operations that only change or read existing ones. */
export function unknownCustomer(customerId: string): InputError {
	return new InputError(
		`Customer ${quoteText(customerId)} does not exist; import them or record an event for them first`,
		'customerId',
	);
}

/** One owner change: the history of owners (table owner_changes). */
interface OwnerChange {
	customerId: number;
	from: string | null;
	to: string | null;
	reasonKind: 'assign' | 'update';
	actor: string | null;
}

async function recordOwnerChanges(tx: SqlExecutor, changes: OwnerChange[], now: number) {
	for (const part of chunk(changes, ROWS_PER_STATEMENT)) {
		await tx.run(
			`INSERT INTO owner_changes (customer_id, from_owner, to_owner, reason_kind, actor, changed_at)
			 VALUES ${placeholders(part.length, 6)}`,
			part.flatMap((c) => [c.customerId, c.from, c.to, c.reasonKind, c.actor, now]),
		);
	}
}

export interface UpdateResult {
	customerId: string;
	/** The fields this item really changed (empty: it changed nothing). */
	changed: string[];
	customer: CustomerView;
}

interface LockedFields extends CustomerFields {
	id: number;
	dirty: boolean;
}

const parseJson = <T>(text: unknown, empty: T): T => (text ? JSON.parse(String(text)) : empty);

/** The customers' editable fields, their rows locked in external-id order (as every batch). */
async function lockFields(tx: SqlExecutor, ids: string[]): Promise<Map<string, LockedFields>> {
	const locked = new Map<string, LockedFields>();
	for (const part of chunk([...new Set(ids)].sort(), ROWS_PER_STATEMENT)) {
		const rows = await tx.query(
			`SELECT id, external_id, name, email, phone, owner, department, rating, tags, properties
			 FROM customers WHERE external_id IN (${inList(part.length)}) ORDER BY external_id${tx.dialect.forUpdate}`,
			part,
		);
		for (const row of rows) {
			locked.set(String(row.external_id), {
				id: Number(row.id),
				name: row.name as string | null,
				email: row.email as string | null,
				phone: row.phone as string | null,
				owner: row.owner as string | null,
				department: row.department as string | null,
				rating: row.rating === null ? null : Number(row.rating),
				tags: parseJson(row.tags, []),
				properties: parseJson(row.properties, {}),
				dirty: false,
			});
		}
	}
	return locked;
}

/**
 * Customer → Update in one transaction. Each customer's row is locked before its fields are
 * read, so tags added or removed by two executions at once both hold: the second reads the
 * first's tags. Several items for one customer apply in order. Unknown customers and customers
 * outside the scope are that item's error; nothing of a bad item is written.
 */
export async function updateCustomers(
	driver: SqlDriver,
	cache: JourneyCache,
	items: readonly Raw[],
	options: BatchOptions = {},
): Promise<Array<ItemOutcome<UpdateResult>>> {
	const now = Date.now();
	const inputs = parseBatch(items, parseCustomerUpdate, options);
	const valid = inputs.filter((i): i is CustomerUpdateInput => !(i instanceof Error));
	if (valid.length === 0) return inputs.map((error) => ({ ok: false, error: error as Error }));
	return driver.transaction(async (tx) => {
		const locked = await lockFields(
			tx,
			valid.map((i) => i.customerId),
		);
		const owners: OwnerChange[] = [];
		const decided = inputs.map((input) => {
			if (input instanceof Error) return input;
			return parseOrError(() => {
				const customer = locked.get(input.customerId);
				if (!customer) throw unknownCustomer(input.customerId);
				const refused = outsideScope(input.scope, input.customerId, customer);
				if (refused) throw refused;
				const { after, changed } = applyCustomerUpdate(customer, input);
				if (changed.includes('owner')) {
					owners.push({
						customerId: customer.id,
						from: customer.owner,
						to: after.owner,
						reasonKind: 'update',
						actor: input.actor ?? null,
					});
				}
				Object.assign(customer, after, { dirty: customer.dirty || changed.length > 0 });
				return { customerId: input.customerId, changed };
			});
		});
		const bad = decided.findIndex((d) => d instanceof Error);
		if (options.allOrNothing && bad >= 0) throw new BatchItemError(bad, decided[bad] as Error);
		for (const customer of locked.values()) {
			if (!customer.dirty) continue;
			await tx.run(
				`UPDATE customers SET name = ?, email = ?, phone = ?, owner = ?, department = ?, rating = ?,
				   tags = ?, properties = ?, updated_at = ? WHERE id = ?`,
				[
					customer.name,
					customer.email,
					customer.phone,
					customer.owner,
					customer.department,
					customer.rating,
					JSON.stringify(customer.tags),
					JSON.stringify(customer.properties),
					now,
					customer.id,
				],
			);
		}
		await recordOwnerChanges(tx, owners, now);
		const views = await viewsById(tx, cache, [...locked.keys()]);
		return decided.map((d): ItemOutcome<UpdateResult> => {
			if (d instanceof Error) return { ok: false, error: d };
			return { ok: true, ...d, customer: views.get(d.customerId)! };
		});
	});
}

async function viewsById(
	db: SqlExecutor,
	cache: JourneyCache,
	ids: string[],
): Promise<Map<string, CustomerView>> {
	const views = await getCustomers(db, cache, ids);
	return new Map(views.filter((v): v is CustomerView => v !== null).map((v) => [v.customerId, v]));
}

export interface AssignResult {
	customerId: string;
	owner: string;
	previousOwner: string | null;
	/** Customers the new owner has after this run. */
	ownerLoad: number;
}

/**
 * Customer → Assign in one transaction: the customers the query matches (within its scope),
 * locked in external-id order, shared out among the employees; each change is a row of the
 * history of owners. A customer another run assigned meanwhile no longer matches "unassigned"
 * once its lock is released (PostgreSQL re-checks locked rows), so no one is assigned twice.
 */
export async function assignCustomers(
	driver: SqlDriver,
	cache: JourneyCache,
	raw: Raw,
	options: BatchOptions = {},
): Promise<AssignResult[]> {
	const assign = parseAssign(raw);
	const query = parseCustomerQuery(raw, zoneOf(raw, options));
	const now = Date.now();
	return driver.transaction(async (tx) => {
		const { from, where } = await filterSql(tx, cache, query.filter, query.scope, now);
		const limit = query.limit === undefined ? '' : ` LIMIT ${query.limit}`;
		const rows = await tx.query(
			`SELECT c.id, c.external_id, c.owner FROM ${from.sql} WHERE ${where.sql}
			 ORDER BY c.external_id${limit}${tx.dialect.forUpdate}`,
			[...from.params, ...where.params],
		);
		const loads = new Map<string, number>();
		for (const row of await tx.query(
			`SELECT owner, COUNT(*) AS n FROM customers WHERE owner IN (${inList(assign.employees.length)}) GROUP BY owner`,
			assign.employees,
		)) {
			loads.set(String(row.owner), Number(row.n));
		}
		// A customer who already has an owner gives that load back when reassigned.
		for (const row of rows) {
			const owner = row.owner as string | null;
			if (owner && loads.has(owner)) loads.set(owner, loads.get(owner)! - 1);
		}
		const owners = shareOut(rows.length, assign.employees, assign.method, loads);
		const changes: OwnerChange[] = [];
		const results = rows.map((row, i): AssignResult => {
			const previous = (row.owner as string | null) || null;
			loads.set(owners[i], (loads.get(owners[i]) ?? 0) + 1);
			if (previous !== owners[i]) {
				changes.push({
					customerId: Number(row.id),
					from: previous,
					to: owners[i],
					reasonKind: 'assign',
					actor: assign.actor ?? null,
				});
			}
			return {
				customerId: String(row.external_id),
				owner: owners[i],
				previousOwner: previous,
				ownerLoad: 0,
			};
		});
		for (const result of results) result.ownerLoad = loads.get(result.owner)!;
		for (const part of chunk(changes, ROWS_PER_STATEMENT)) {
			const cases = part.map(() => 'WHEN ? THEN ?').join(' ');
			await tx.run(
				`UPDATE customers SET owner = CASE id ${cases} END, updated_at = ? WHERE id IN (${inList(part.length)})`,
				[...part.flatMap((c) => [c.customerId, c.to]), now, ...part.map((c) => c.customerId)],
			);
		}
		await recordOwnerChanges(tx, changes, now);
		return results;
	});
}

/**
 * Customer → Set Status: where the journey maps the status to stages, the customer moves by hand
 * to that stage (reason "lead status set to …"). A status no stage maps to is the item's error.
 * A customer outside the scope is that item's error, checked on the row as the batch holds it
 * locked (scope.ts), so an owner change committed meanwhile is seen; an unknown customer is
 * created as by Set Stage only when the scope is everyone.
 */
export async function setStatuses(
	driver: SqlDriver,
	cache: JourneyCache,
	items: readonly Raw[],
	options: BatchOptions = {},
): Promise<Array<ItemOutcome<MoveResult>>> {
	const now = Date.now();
	const inputs = parseBatch(items, (raw) => parseStatus(raw, now, zoneOf(raw, options)), options);
	return writeBatch(driver, cache, now, inputs, options, {
		scope: (input) => input.scope,
		check: (input, journey) => void stagesForStatus(journey!.definition, input.status),
		decide: (batch, input, journey, customer) => {
			const step = statusStep(journey!.definition, batch.state(journey!, customer), input.status, {
				actor: input.actor,
				note: input.note,
				occurredAt: input.occurredAt,
			});
			batch.apply(journey!, customer, step);
			return moveOutcome(journey!.definition, input.customerId, step);
		},
	});
}
