import { InputError } from '../engine/errors';
import { inScope, scopeRule, scopeText, type NamedScope } from '../engine/inputs';
import { fieldLabel } from '../engine/labels';
import { quoteText } from '../engine/text';
import { outsideScope } from './customerQueries';
import { lockCustomers } from './customers';
import { chunk, inList, ROWS_PER_STATEMENT, type SqlExecutor } from './driver/sql';
import type { Batch, BatchHooks, ValidItem } from './writeBatch';

/** Owner and department as a customer has them (or, new, would get them from an import). */
export interface Placement {
	owner: string | null;
	department: string | null;
}

/**
 * Why an item with a scope may not create the customer it names (null: it may). Only an import
 * can place a new customer inside a scope, by giving it an owner or department in it; a node
 * with a scope never creates a customer it could not see afterwards.
 */
function newCustomerRefusal(
	scope: NamedScope,
	customerId: string,
	placement: Placement | undefined,
): InputError | null {
	if (!placement) {
		return new InputError(
			`Customer ${quoteText(customerId)} does not exist; with a scope set (${scopeText(scope)}) only customers inside it are changed: import them with an owner or department in it first`,
			'customerId',
		);
	}
	if (inScope(scope, placement)) return null;
	const { field } = scopeRule(scope);
	const value = placement[field];
	return new InputError(
		`Customer ${quoteText(customerId)} is new and would be outside this node's scope (${scopeText(scope)}): ${
			value
				? `${fieldLabel(field)} ${quoteText(value)} is not in it`
				: `it has no ${fieldLabel(field)}`
		}; nothing was written`,
		field,
	);
}

/**
 * The items refused by their scope, judged in order, each on its customer as the items let
 * through before it leave them (as if run one at a time): the row as locked, then each admitted
 * import's owner and department over it. A customer the lock created does not exist (null)
 * until an item is let through; an item that finds it so is judged on what it alone gives it.
 */
function refusedInOrder<I extends { customerId: string }, R>(
	batch: Batch,
	items: ReadonlyArray<ValidItem<I>>,
	hooks: BatchHooks<I, R>,
): Map<I, Error> {
	const refused = new Map<I, Error>();
	const placements = new Map<string, Placement | null>();
	for (const { input } of items) {
		const customer = batch.customers.get(input.customerId)!;
		const before = placements.has(input.customerId)
			? (placements.get(input.customerId) ?? null)
			: customer.created
				? null
				: { owner: customer.owner, department: customer.department };
		const scope = hooks.scope!(input);
		const given = hooks.newCustomer?.(input);
		const error =
			scope.kind === 'all'
				? null
				: before
					? outsideScope(scope, input.customerId, before)
					: newCustomerRefusal(scope, input.customerId, given);
		if (error) refused.set(input, error);
		placements.set(
			input.customerId,
			error
				? before
				: {
						owner: given?.owner ?? before?.owner ?? null,
						department: given?.department ?? before?.department ?? null,
					},
		);
	}
	return refused;
}

/**
 * Locks the batch's customers (lockCustomers: sorted upserts) and refuses, per item, those
 * outside the item's scope, judged on each customer's row **as this transaction holds it
 * locked**: after any concurrent change of owner or department has committed, before this batch
 * writes anything about the customer. A check before the transaction would let an owner change
 * committed in between slip a write outside the scope; this one cannot. Several items for one
 * customer are judged in order, each on the customer as the admitted items before it leave
 * them: the same outcomes as running the items one at a time, in memory over the locked rows.
 *
 * The lock is taken without the items' own fields (an import's new owner is written only for
 * the items let through, by a second upsert of rows already locked). A customer the lock
 * created for refused items only is removed again: nothing of a refused item stays. Returns the
 * refused items and their errors; batches without a scope lock exactly as before.
 */
export async function lockInScope<I extends { customerId: string }, R>(
	tx: SqlExecutor,
	batch: Batch,
	items: ReadonlyArray<ValidItem<I>>,
	hooks: BatchHooks<I, R>,
): Promise<Map<I, Error>> {
	if (!hooks.scope || items.every((item) => hooks.scope!(item.input).kind === 'all')) {
		await lockCustomers(tx, batch, items, hooks);
		return new Map();
	}
	await lockCustomers(tx, batch, items, {});
	const refused = refusedInOrder(batch, items, hooks);
	const admitted = items.filter((item) => !refused.has(item.input));
	const kept = new Set(admitted.map((item) => item.input.customerId));
	const orphans: number[] = [];
	for (const [customerId, customer] of batch.customers) {
		if (customer.created && !kept.has(customerId)) {
			orphans.push(customer.id);
			batch.customers.delete(customerId);
		}
	}
	for (const part of chunk(orphans, ROWS_PER_STATEMENT)) {
		await tx.run(`DELETE FROM customers WHERE id IN (${inList(part.length)})`, part);
	}
	if ((hooks.attributes || hooks.lastEventAt || hooks.contactAt) && admitted.length > 0) {
		// The rows are this transaction's already: the second upsert takes no new lock.
		const created = [...batch.customers].filter(([, c]) => c.created).map(([id]) => id);
		await lockCustomers(tx, batch, admitted, hooks);
		for (const id of created) batch.customers.get(id)!.created = true;
	}
	return refused;
}
