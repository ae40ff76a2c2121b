import type { Store } from '../../../store/Store';
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { perItem } from '../../../shared/execution';
import { journeyField } from '../../../shared/descriptions';
import { journeyJson } from '../../../shared/output';

const show = { resource: ['journey'], operation: ['get'] };

export const description: INodeProperties[] = [journeyField({ displayOptions: { show } })];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	store: Store,
): Promise<INodeExecutionData[]> {
	return perItem(this, items, async (i) => {
		const key = String(this.getNodeParameter('journey', i));
		const journey = await store.getJourney(key);
		if (!journey)
			throw new NodeOperationError(this.getNode(), `Journey '${key}' does not exist`, {
				itemIndex: i,
			});
		return [journeyJson(journey)];
	});
}
