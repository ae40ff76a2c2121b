import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { toNodeError } from '../../shared/execution';
import { getStore } from '../../shared/store';
import type { Store } from '../../store/Store';
import * as customer from './customer/Customer.resource';
import * as event from './event/Event.resource';
import * as journey from './journey/Journey.resource';

type Operation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	store: Store,
) => Promise<INodeExecutionData[]>;

const resources: Record<string, Record<string, { execute: Operation }>> = {
	event: { record: event.record },
	customer: {
		setStage: customer.setStage,
		get: customer.get,
		getHistory: customer.getHistory,
		import: customer.import,
	},
	journey: { createOrUpdate: journey.createOrUpdate, get: journey.get, list: journey.list },
};

/**
 * Opens the store once and hands it to the operation. Every operation takes all items at once:
 * batch operations write them in one transaction.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = resources[resource]?.[operation];
	if (!handler) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation '${operation}' of '${resource}' is not supported`,
		);
	}
	const store = await getStore(this);
	try {
		return [await handler.execute.call(this, this.getInputData(), store)];
	} catch (error) {
		throw toNodeError(this, error as Error);
	}
}
