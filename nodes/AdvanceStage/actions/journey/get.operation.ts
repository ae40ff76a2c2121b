import { NodeOperationError, type INodeProperties } from 'n8n-workflow';
import { journeyWarnings } from '../../../engine/automation';
import { perItem, type Operation } from '../../../shared/execution';
import { journeyField } from '../../../shared/descriptions';
import { journeyJson } from '../../../shared/output';

const show = { resource: ['journey'], operation: ['get'] };

export const description: INodeProperties[] = [journeyField({ displayOptions: { show } })];

export const execute: Operation = async ({ context, items, store, read }) => {
	return perItem(context, items, async (i) => {
		const key = String(read.value('journey', i));
		const journey = await store.getJourney(key);
		if (!journey)
			throw new NodeOperationError(context.getNode(), `Journey '${key}' does not exist`, {
				itemIndex: i,
			});
		// Allowed but probably mistakes (a rule counting an event type nothing sends, …).
		return [journeyJson(journey, { warnings: journeyWarnings(journey.definition) })];
	});
};
