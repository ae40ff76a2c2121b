import type { INodeProperties } from 'n8n-workflow';
import * as fields from '../../../shared/descriptions';
import { perItem, type Operation } from '../../../shared/execution';
import { readFilter } from './getMany.operation';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['assign'] };
const filtered = { ...show, customers: ['filtered'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Employees',
		name: 'employees',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. li.wei, wang.fang',
		description:
			'Employee IDs or e-mail addresses to share the customers among, separated by commas',
		displayOptions: { show },
	},
	fields.choice({ displayName: 'Method', name: 'method', default: 'roundRobin' }, [
		['Round Robin', 'roundRobin', 'Deal the customers out in the order the employees are listed'],
		['Least Loaded', 'leastLoaded', 'Give each customer to the employee who has the fewest'],
	]),
	fields.choice({ displayName: 'Customers', name: 'customers', default: 'unassigned' }, [
		['Unassigned', 'unassigned', 'Customers without an owner (the shared pool)'],
		['Matching Filters', 'filtered', 'Customers the filters below match, owned or not'],
	]),
	...fields.customerFilterFields(filtered),
	fields.additionalFields(show, [fields.actorOption, fields.limitField()]),
].map((field) =>
	field.displayOptions ? field : { ...field, displayOptions: { show } },
) as INodeProperties[];

/**
 * Gives customers owners in one transaction per input item; each assignment is recorded in the
 * customer's history of owners. One output item per customer assigned.
 */
export const execute: Operation = async ({ context, items, store, read }) =>
	perItem(context, items, async (i) => {
		const method = String(read.value('method', i, 'roundRobin'));
		const filter =
			read.value('customers', i, 'unassigned') === 'filtered'
				? readFilter(read, i)
				: { unassigned: true, scope: itemScope(read, i) };
		const results = await store.assignCustomers(
			{
				...filter,
				employees: read.value('employees', i),
				method,
				...read.collection('additionalFields', i),
			},
			{ timeZone: context.getTimezone() },
		);
		return results.map((result) => ({ ...result, method }));
	});
