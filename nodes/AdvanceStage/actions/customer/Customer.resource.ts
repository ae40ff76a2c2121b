import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../../../shared/descriptions';
import * as assign from './assign.operation';
import * as deleteCustomers from './delete.operation';
import * as get from './get.operation';
import * as getHistory from './getHistory.operation';
import * as importCustomers from './import.operation';
import * as logContact from './logContact.operation';
import * as getMany from './getMany.operation';
import { scopeDescription } from './scope';
import * as setStage from './setStage.operation';
import * as setStatus from './setStatus.operation';
import * as stageAsOf from './stageAsOf.operation';
import * as update from './update.operation';

export {
	assign,
	deleteCustomers as delete,
	get,
	getHistory,
	getMany,
	importCustomers as import,
	logContact,
	setStage,
	setStatus,
	stageAsOf,
	update,
};

export const description: INodeProperties[] = [
	operationField(
		'customer',
		[
			{
				name: 'Assign',
				value: 'assign',
				description:
					'Give unassigned (or filtered) customers owners from a list of employees, in turn or to the least loaded',
				action: 'Assign customers to employees',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Erase a customer and everything stored about them',
				action: 'Delete a customer',
			},
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
				name: 'Get Many',
				value: 'getMany',
				description:
					'List customers by journey, stage, owner, tags, rating, time in stage or last contact',
				action: 'Get many customers',
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
			{
				name: 'Set Status',
				value: 'setStatus',
				description: 'Set the lead status; the stage follows where the journey maps the status',
				action: "Set a customer's lead status",
			},
			{
				name: 'Stage As Of',
				value: 'stageAsOf',
				description: 'The customer’s stage in each journey at a past date, from their history',
				action: "Get a customer's stage as of a date",
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Change owner, rating, tags, contact details or properties of customers',
				action: 'Update customers',
			},
		],
		'setStage',
	),
	...setStage.description,
	...get.description,
	...getHistory.description,
	...importCustomers.description,
	...logContact.description,
	...update.description,
	...getMany.description,
	...assign.description,
	...deleteCustomers.description,
	...stageAsOf.description,
	...setStatus.description,
	...scopeDescription,
];
