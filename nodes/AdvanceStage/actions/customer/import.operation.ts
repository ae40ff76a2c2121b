import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { moveJson } from '../../../shared/output';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['import'] };

export const description: INodeProperties[] = [
	fields.customerIdField({ displayOptions: { show } }),
	fields.journeyField({
		required: false,
		description: 'Also place the customers in this journey (empty: only save their details)',
		displayOptions: { show },
	}),
	fields.stageField({
		required: false,
		description:
			'Stage to set; empty puts customers new to the journey at its default stage and leaves the others where they are',
		displayOptions: { show },
	}),
	{
		displayName: 'Customer Fields',
		name: 'customerFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Only the fields given change; the others keep their stored values',
		displayOptions: { show },
		options: fields.customerDetailOptions({
			properties: 'Custom properties; replaces the stored ones',
			tags: 'Comma-separated; replaces the stored tags',
			lastContactAt: true,
		}),
	},
	fields.additionalFields(show, [
		fields.actorOption,
		fields.stageEnteredAtOption,
		fields.timeZoneOption,
	]),
];

/**
 * Create or update customers in bulk (one transaction), optionally placing them in a journey.
 * With a scope: existing customers must be inside it, new ones must be given an owner or
 * department inside it.
 */
export const execute = batchOperation({
	read: (read, i) => ({
		customerId: read.value('customerId', i),
		journey: read.value('journey', i, ''),
		stage: read.value('stage', i, ''),
		...read.collection('customerFields', i),
		...read.collection('additionalFields', i),
		scope: itemScope(read, i),
	}),
	write: (store, inputs, options) => store.importCustomers(inputs, options),
	toJson: (result, names) => moveJson(result, names, { created: result.created }),
});
