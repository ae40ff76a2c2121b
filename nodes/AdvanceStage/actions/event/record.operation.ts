import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { eventJson } from '../../../shared/output';

const show = { resource: ['event'], operation: ['record'] };

export const description: INodeProperties[] = [
	fields.journeyField({ displayOptions: { show } }),
	fields.customerIdField({ displayOptions: { show } }),
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
	fields.additionalFields(show, [
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
		fields.occurredAtOption,
		fields.timeZoneOption,
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

export const execute = batchOperation({
	read: (read, i) => ({
		journey: read.value('journey', i),
		customerId: read.value('customerId', i),
		eventType: read.value('eventType', i),
		...read.collection('additionalFields', i),
	}),
	write: (store, inputs, options) => store.recordEvents(inputs, options),
	toJson: (result, names) => eventJson(result, names),
});
