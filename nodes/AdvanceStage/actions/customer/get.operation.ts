import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { requireId } from '../../../engine/inputs';
import { iso, perItem } from '../../../shared/batch';
import { parameterReader } from '../../../shared/parameters';
import { customerIdField } from '../../../shared/fields';
import { getStore } from '../../../shared/store';
import type { CustomerView } from '../../../store/types';

const show = { resource: ['customer'], operation: ['get'] };

export const description: INodeProperties[] = [customerIdField({ displayOptions: { show } })];

const DAY = 24 * 60 * 60 * 1000;

export function customerJson(customer: CustomerView, now: number): IDataObject {
	return {
		...customer,
		lastContactAt: iso(customer.lastContactAt),
		lastEventAt: iso(customer.lastEventAt),
		createdAt: iso(customer.createdAt),
		updatedAt: iso(customer.updatedAt),
		journeys: customer.journeys.map((m) => ({
			...m,
			enteredAt: iso(m.enteredAt),
			daysInStage: Math.floor(((now - m.enteredAt) / DAY) * 10) / 10,
		})),
	};
}

/** One lookup for all items; an unknown customer is an error for that item only. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const store = await getStore(this);
	const read = parameterReader(this);
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
	return perItem(this, items, async (i) => {
		const id = ids[i];
		if (id instanceof Error) throw id;
		const customer = byId.get(id);
		if (!customer) {
			throw new NodeOperationError(this.getNode(), `Customer '${id}' was not found`, {
				itemIndex: i,
				description: 'Customers exist once an event, a stage or an import has named them.',
			});
		}
		return [customerJson(customer, now)];
	});
}
