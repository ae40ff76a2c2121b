import { BatchItemError } from '../engine/errors';
import { parseScopedCustomer } from '../engine/inputs';
import type { SqlDriver } from './driver/sql';
import { customerOwners, customerRowsSql, outsideScope } from './customerQueries';
import { parseBatch, unknownCustomer } from './customerEdits';
import { dropRollups } from './rollups';
import type { ItemOutcome } from './types';
import type { BatchOptions } from './writeBatch';

type Raw = Record<string, unknown>;

/**
 * Every table that holds rows about a customer, with the index that finds them: one that starts
 * with the customer, or one that starts with the journey (customerRowsSql). A new table with a
 * customer_id column must be added here: the erasure test lists the schema's tables and fails on
 * any it does not find emptied.
 */
const CUSTOMER_ROWS = {
	memberships: 'customer',
	events: 'journey',
	transitions: 'journey',
	contacts: 'customer',
	reminder_log: 'journey',
	owner_changes: 'customer',
	activity_days: 'journey',
	activity_scores: 'journey',
} as const;

/** The tables above, children of the customer row (deleted before it). */
export const CUSTOMER_TABLES = Object.keys(CUSTOMER_ROWS) as Array<keyof typeof CUSTOMER_ROWS>;

export interface ErasureResult {
	customerId: string;
	/** Rows removed per table, the customer's own row included (`customers: 1`). */
	removed: Record<string, number>;
}

/**
 * Customer → Delete: erases customers and everything stored about them in one transaction.
 * Reports rebuilt from history afterwards no longer count them. Unknown customers and customers
 * outside the scope are that item's error; nothing of theirs is touched.
 */
export async function eraseCustomers(
	driver: SqlDriver,
	items: readonly Raw[],
	options: BatchOptions = {},
): Promise<Array<ItemOutcome<ErasureResult>>> {
	const inputs = parseBatch(items, parseScopedCustomer, options);
	// Every child row is deleted before its customer (CUSTOMER_TABLES), so SQLite's foreign-key
	// check on the customer row, a scan of the events and the history, is left out.
	return driver.transaction(
		async (tx) => {
			const ids = inputs.flatMap((input) => (input instanceof Error ? [] : [input.customerId]));
			const known = await customerOwners(tx, ids, true);
			const erased = new Map<string, ErasureResult>();
			const outcomes: Array<ItemOutcome<ErasureResult>> = [];
			for (const [index, input] of inputs.entries()) {
				let error: Error | null = input instanceof Error ? input : null;
				if (!error && !(input instanceof Error)) {
					const customer = known.get(input.customerId);
					const done = erased.get(input.customerId);
					if (done) {
						outcomes.push({ ok: true, ...done });
						continue;
					}
					error = customer
						? outsideScope(input.scope, input.customerId, customer)
						: unknownCustomer(input.customerId);
					if (!error) {
						// What the customer's moves added to the Funnel Report's roll-ups goes with them.
						await dropRollups(tx, customer!.id);
						const removed: Record<string, number> = {};
						for (const table of CUSTOMER_TABLES) {
							const rows =
								CUSTOMER_ROWS[table] === 'journey'
									? customerRowsSql(table, '?')
									: 'customer_id = ?';
							removed[table] = await tx.run(`DELETE FROM ${table} WHERE ${rows}`, [customer!.id]);
						}
						removed.customers = await tx.run(`DELETE FROM customers WHERE id = ?`, [customer!.id]);
						const result = { customerId: input.customerId, removed };
						erased.set(input.customerId, result);
						outcomes.push({ ok: true, ...result });
						continue;
					}
				}
				if (options.allOrNothing) throw new BatchItemError(index, error!);
				outcomes.push({ ok: false, error: error! });
			}
			return outcomes;
		},
		{ foreignKeyChecks: false },
	);
}
