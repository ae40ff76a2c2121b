import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { getStore } from '../../../shared/store';
import { journeyJson } from './get.operation';

export const description: INodeProperties[] = [];

/** Every journey in the store, in display order; runs once whatever the input. */
export async function execute(
	this: IExecuteFunctions,
	_items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const journeys = await (await getStore(this)).listJourneys();
	return journeys.map((journey) => ({ json: journeyJson(journey), pairedItem: { item: 0 } }));
}
