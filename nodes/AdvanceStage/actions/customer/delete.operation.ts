import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['delete'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Erases the customer and everything stored about them (stages, events, history, contacts, reminders). This cannot be undone.',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	fields.customerIdField({ displayOptions: { show } }),
];

/** Erasure ("forget me"): one transaction for all items; says what was removed per table. */
export const execute = batchOperation({
	read: (read, i) => ({ customerId: read.value('customerId', i), scope: itemScope(read, i) }),
	write: (store, inputs, options) => store.eraseCustomers(inputs, options),
	toJson: (result) => ({ customerId: result.customerId, deleted: true, removed: result.removed }),
});
