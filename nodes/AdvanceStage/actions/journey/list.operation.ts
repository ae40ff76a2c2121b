import type { Store } from '../../../store/Store';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { journeyJson } from '../../../shared/output';

export const description: INodeProperties[] = [];

/** Every journey in the store, in display order; runs once whatever the input. */
export async function execute(
	this: IExecuteFunctions,
	_items: INodeExecutionData[],
	store: Store,
): Promise<INodeExecutionData[]> {
	const journeys = await store.listJourneys();
	return journeys.map((journey) => ({ json: journeyJson(journey), pairedItem: { item: 0 } }));
}
