import type { Operation } from '../../../shared/execution';
import type { INodeProperties } from 'n8n-workflow';
import { journeyJson } from '../../../shared/output';

export const description: INodeProperties[] = [];

/** Every journey in the store, in display order; runs once whatever the input. */
export const execute: Operation = async ({ context, items, store, read }) => {
	const journeys = await store.listJourneys();
	return journeys.map((journey) => ({ json: journeyJson(journey), pairedItem: { item: 0 } }));
};
