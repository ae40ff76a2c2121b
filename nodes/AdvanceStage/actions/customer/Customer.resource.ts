import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/descriptions';
import * as get from './get.operation';
import * as getHistory from './getHistory.operation';
import * as importCustomers from './import.operation';
import * as logContact from './logContact.operation';
import * as setStage from './setStage.operation';

export { get, getHistory, importCustomers as import, logContact, setStage };

export const description: INodeProperties[] = [
	operationField(
		'customer',
		[
			{
				name: 'Get',
				value: 'get',
				description: 'Get a customer with their current stage in every journey',
				action: 'Get a customer',
			},
			{
				name: 'Get History',
				value: 'getHistory',
				description: 'Get the timeline of a customer’s stage moves, with the reason for each',
				action: "Get a customer's history",
			},
			{
				name: 'Import',
				value: 'import',
				description: 'Create or update customers in bulk, optionally with a stage',
				action: 'Import customers',
			},
			{
				name: 'Log Contact',
				value: 'logContact',
				description:
					'Record that an employee reached a customer; restarts their "no contact" reminders',
				action: 'Log a contact with a customer',
			},
			{
				name: 'Set Stage',
				value: 'setStage',
				description: 'Move a customer to a stage by hand (may go backwards)',
				action: "Set a customer's stage",
			},
		],
		'setStage',
	),
	...setStage.description,
	...get.description,
	...getHistory.description,
	...importCustomers.description,
	...logContact.description,
];
