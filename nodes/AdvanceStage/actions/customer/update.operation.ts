import type { INodeProperties } from 'n8n-workflow';
import { batchOperation } from '../../../shared/execution';
import * as fields from '../../../shared/descriptions';
import { customerJson } from '../../../shared/output';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['update'] };

export const description: INodeProperties[] = [
	fields.customerIdField({ displayOptions: { show } }),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Only the fields given change; the others keep their stored values',
		displayOptions: { show },
		options: [
			...fields.customerDetailOptions({
				properties:
					'Custom properties; merged into the stored ones unless Properties Mode says replace',
				tags: 'Comma-separated; added to the stored tags unless Tag Mode says otherwise',
			}),
			fields.choice({ displayName: 'Properties Mode', name: 'propertiesMode', default: 'merge' }, [
				['Merge', 'merge', 'Keys given overwrite the stored ones; other keys stay'],
				['Replace', 'replace', 'The properties given become all the properties'],
			]),
			fields.choice({ displayName: 'Tag Mode', name: 'tagMode', default: 'add' }, [
				['Add', 'add', 'Add the tags given; the stored ones stay'],
				['Remove', 'remove', 'Remove the tags given'],
				['Replace', 'replace', 'The tags given become all the tags'],
			]),
		],
	},
	fields.additionalFields(show, [fields.actorOption]),
];

/**
 * Changes existing customers (never creates one): many items, one transaction. Tags added or
 * removed by two executions at once both hold.
 */
export const execute = batchOperation({
	read: (read, i) => ({
		customerId: read.value('customerId', i),
		...read.collection('updateFields', i),
		...read.collection('additionalFields', i),
		scope: itemScope(read, i),
	}),
	write: (store, inputs, options) => store.updateCustomers(inputs, options),
	toJson: (result) => {
		const { customerId, ...customer } = customerJson(result.customer, Date.now());
		return { customerId, changed: result.changed, ...customer };
	},
});
