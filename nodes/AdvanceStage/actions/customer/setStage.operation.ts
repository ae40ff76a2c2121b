import type { INodeProperties } from 'n8n-workflow';
import { runBatch, type Operation } from '../../../shared/execution';
import { customerIdField, journeyField, stageField } from '../../../shared/descriptions';
import { moveJson } from '../../../shared/output';

const show = { resource: ['customer'], operation: ['setStage'] };

export const description: INodeProperties[] = [
	journeyField({ displayOptions: { show } }),
	customerIdField({ displayOptions: { show } }),
	stageField({ displayOptions: { show } }),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Actor',
				name: 'actor',
				type: 'string',
				default: '',
				placeholder: 'e.g. alice@example.com',
				description: 'Who made the move; shown in the customer’s history',
			},
			{
				displayName: 'Note',
				name: 'note',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				description: 'Why the customer was moved',
			},
			{
				displayName: 'Occurred At',
				name: 'occurredAt',
				type: 'dateTime',
				default: '',
				description: 'When the move took effect; empty means now',
			},
		],
	},
];

/** Manual moves may go anywhere, backwards included; unknown customers are created. */
export const execute: Operation = async ({ context, items, store, read }) => {
	return runBatch(
		context,
		items,
		(i) => ({
			journey: read.value('journey', i),
			customerId: read.value('customerId', i),
			stage: read.value('stage', i),
			...read.collection('additionalFields', i),
		}),
		(inputs, allOrNothing) => store.setStages(inputs, { allOrNothing }),
		moveJson,
	);
};
