import type { INodeProperties } from 'n8n-workflow';
import { runBatch, type Operation } from '../../../shared/execution';
import {
	additionalFields,
	customerIdField,
	journeyField,
	occurredAtOption,
	timeZoneOption,
} from '../../../shared/descriptions';
import { eventJson, Names } from '../../../shared/output';

const show = { resource: ['event'], operation: ['record'] };

export const description: INodeProperties[] = [
	journeyField({ displayOptions: { show } }),
	customerIdField({ displayOptions: { show } }),
	{
		displayName: 'Event Type Name or ID',
		name: 'eventType',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getEventTypes', loadOptionsDependsOn: ['journey.value'] },
		default: '',
		required: true,
		description:
			'What the customer did. The list shows the event types the journey reacts to; any other type is recorded but moves nothing. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show },
	},
	additionalFields(show, [
		{
			displayName: 'Channel',
			name: 'channel',
			type: 'string',
			default: '',
			placeholder: 'e.g. wechat, email, sms, web',
			description: 'Where the event came from; kept with the event for reports',
		},
		{
			displayName: 'Event ID',
			name: 'eventId',
			type: 'string',
			default: '',
			placeholder: 'e.g. evt_8f2c41',
			description:
				"The source's own ID for this event. A repeated ID (a webhook retry) is reported as a duplicate and changes nothing.",
		},
		occurredAtOption,
		timeZoneOption,
		{
			displayName: 'Properties (JSON)',
			name: 'properties',
			type: 'json',
			default: '{}',
			description:
				'Details of the event (amount, product, campaign, …). Event rules may test them.',
		},
	]),
];

export const execute: Operation = async ({ context, items, store, read }) => {
	const names = await Names.of(store);
	return runBatch(
		context,
		items,
		(i) => {
			const extra = read.collection('additionalFields', i);
			return {
				journey: read.value('journey', i),
				customerId: read.value('customerId', i),
				eventType: read.value('eventType', i),
				...extra,
			};
		},
		(inputs, allOrNothing) =>
			store.recordEvents(inputs, { allOrNothing, timeZone: context.getTimezone() }),
		(result) => eventJson(result, names),
	);
};
