import type { INodeProperties } from 'n8n-workflow';
import { runBatch, type Operation } from '../../../shared/execution';
import {
	actorOption,
	additionalFields,
	customerIdField,
	journeyField,
	noteOption,
	occurredAtOption,
	stageField,
	timeZoneOption,
} from '../../../shared/descriptions';
import { moveJson, Names } from '../../../shared/output';

const show = { resource: ['customer'], operation: ['setStage'] };

export const description: INodeProperties[] = [
	journeyField({ displayOptions: { show } }),
	customerIdField({ displayOptions: { show } }),
	stageField({ displayOptions: { show } }),
	additionalFields(show, [actorOption, noteOption, occurredAtOption, timeZoneOption]),
];

/** Manual moves may go anywhere, backwards included; unknown customers are created. */
export const execute: Operation = async ({ context, items, store, read }) => {
	const names = await Names.of(store);
	return runBatch(
		context,
		items,
		(i) => ({
			journey: read.value('journey', i),
			customerId: read.value('customerId', i),
			stage: read.value('stage', i),
			...read.collection('additionalFields', i),
		}),
		(inputs, allOrNothing) =>
			store.setStages(inputs, { allOrNothing, timeZone: context.getTimezone() }),
		(result) => moveJson(result, names),
	);
};
