import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { iso } from '../../../shared/output';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['logContact'] };

export const description: INodeProperties[] = [
	fields.customerIdField({ displayOptions: { show } }),
	{
		displayName: 'Employee',
		name: 'employee',
		type: 'string',
		default: '',
		placeholder: 'e.g. li.wei',
		description: 'Who reached the customer',
		displayOptions: { show },
	},
	{
		displayName: 'Channel',
		name: 'channel',
		type: 'string',
		default: '',
		placeholder: 'e.g. phone, wecom, email',
		description: 'How the customer was reached',
		displayOptions: { show },
	},
	fields.additionalFields(show, [
		{
			displayName: 'Contacted At',
			name: 'contactedAt',
			type: 'dateTime',
			default: '',
			description: 'When the contact happened; empty means now',
		},
		fields.noteOption,
		fields.timeZoneOption,
	]),
];

/**
 * Contacts restart the clock of "no contact for N days" reminders. A contact logged late never
 * moves the customer's last contact back.
 */
export const execute = batchOperation({
	read: (read, i) => ({
		customerId: read.value('customerId', i),
		employee: read.value('employee', i),
		channel: read.value('channel', i),
		...read.collection('additionalFields', i),
		scope: itemScope(read, i),
	}),
	write: (store, inputs, options) => store.logContacts(inputs, options),
	toJson: (result) => ({
		customerId: result.customerId,
		contactedAt: iso(result.contactedAt),
		employee: result.employee,
		channel: result.channel,
		lastContactAt: iso(result.lastContactAt),
	}),
});
