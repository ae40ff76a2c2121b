import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { routeToOperation, type OperationTable } from '../../shared/router';
import * as customer from './customer/Customer.resource';
import * as event from './event/Event.resource';
import * as journey from './journey/Journey.resource';

const operations: OperationTable = {
	event: { record: event.record },
	customer: {
		setStage: customer.setStage,
		get: customer.get,
		getHistory: customer.getHistory,
		import: customer.import,
		logContact: customer.logContact,
		update: customer.update,
		getMany: customer.getMany,
		assign: customer.assign,
		delete: customer.delete,
		stageAsOf: customer.stageAsOf,
		setStatus: customer.setStatus,
	},
	journey: {
		createOrUpdate: journey.createOrUpdate,
		get: journey.get,
		list: journey.list,
		simulate: journey.simulate,
	},
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return routeToOperation(this, operations);
}
