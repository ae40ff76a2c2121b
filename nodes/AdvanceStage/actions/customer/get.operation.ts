import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { errorItem, iso } from '../../../shared/batch';
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
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const store = await getStore(this);
	const ids = items.map((_, i) => String(this.getNodeParameter('customerId', i)).trim());
	const customers = await store.getCustomers(ids);
	const now = Date.now();
	return customers.map((customer, i) => {
		if (customer) return { json: customerJson(customer, now), pairedItem: { item: i } };
		const error = new NodeOperationError(this.getNode(), `Customer '${ids[i]}' was not found`, {
			itemIndex: i,
			description: 'Customers exist once an event, a stage or an import has named them.',
		});
		if (!this.continueOnFail()) throw error;
		return errorItem(this, error, i);
	});
}
