import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { moveJson } from '../../../shared/output';

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
		options: [
			{ displayName: 'Department', name: 'department', type: 'string', default: '' },
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
			},
			{
				displayName: 'Last Contact At',
				name: 'lastContactAt',
				type: 'dateTime',
				default: '',
				description: 'When an employee last talked to the customer (reminders use it)',
			},
			{ displayName: 'Name', name: 'name', type: 'string', default: '' },
			{
				displayName: 'Owner',
				name: 'owner',
				type: 'string',
				default: '',
				description:
					'The employee responsible (ID or e-mail); empty keeps the customer in the unassigned pool',
			},
			{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
			{
				displayName: 'Properties (JSON)',
				name: 'properties',
				type: 'json',
				default: '{}',
				description: 'Custom properties; replaces the stored ones',
			},
			{
				displayName: 'Rating',
				name: 'rating',
				type: 'options',
				options: [
					{ name: 'No Stars', value: 0 },
					{ name: '1 Star (Low Intent)', value: 1 },
					{ name: '2 Stars (Medium Intent)', value: 2 },
					{ name: '3 Stars (High Intent)', value: 3 },
				],
				default: 0,
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'e.g. vip, trade-show-2026',
				description: 'Comma-separated; replaces the stored tags',
			},
		],
	},
	fields.additionalFields(show, [fields.actorOption, fields.timeZoneOption]),
];

/** Create or update customers in bulk (one transaction), optionally placing them in a journey. */
export const execute = batchOperation({
	read: (read, i) => ({
		customerId: read.value('customerId', i),
		journey: read.value('journey', i, ''),
		stage: read.value('stage', i, ''),
		...read.collection('customerFields', i),
		...read.collection('additionalFields', i),
	}),
	write: (store, inputs, options) => store.importCustomers(inputs, options),
	toJson: (result, names) => moveJson(result, names, { created: result.created }),
});
