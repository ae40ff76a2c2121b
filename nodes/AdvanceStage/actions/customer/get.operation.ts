import { NodeOperationError, type INodeProperties } from 'n8n-workflow';
import { requireId } from '../../../engine/inputs';
import { perItem, type Operation } from '../../../shared/execution';
import { customerIdField } from '../../../shared/descriptions';
import type { CustomerView } from '../../../store/types';
import { customerJson } from '../../../shared/output';

const show = { resource: ['customer'], operation: ['get'] };

export const description: INodeProperties[] = [customerIdField({ displayOptions: { show } })];

/** One lookup for all items; an unknown customer is an error for that item only. */
export const execute: Operation = async ({ context, items, store, read }) => {
	const ids = items.map((_, i) => {
		try {
			return requireId(read.value('customerId', i), 'customerId');
		} catch (error) {
			return error as Error;
		}
	});
	const found = await store.getCustomers(ids.filter((id): id is string => typeof id === 'string'));
	const byId = new Map(
		found.filter((c): c is CustomerView => c !== null).map((c) => [c.customerId, c]),
	);
	const now = Date.now();
	return perItem(context, items, async (i) => {
		const id = ids[i];
		if (id instanceof Error) throw id;
		const customer = byId.get(id);
		if (!customer) {
			throw new NodeOperationError(context.getNode(), `Customer '${id}' was not found`, {
				itemIndex: i,
				description: 'Customers exist once an event, a stage or an import has named them.',
			});
		}
		return [customerJson(customer, now)];
	});
};
