import type { INodeProperties } from 'n8n-workflow';
import { parseCustomerQuery } from '../../../engine/inputs';
import * as fields from '../../../shared/descriptions';
import { perItem, type Operation } from '../../../shared/execution';
import { customerJson } from '../../../shared/output';
import type { ParameterReader } from '../../../shared/parameters';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	...fields.customerFilterFields(show),
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	fields.limitField({ displayOptions: { show: { ...show, returnAll: [false] } } }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			fields.choice({ displayName: 'Sort By', name: 'sortBy', default: 'customerId' }, [
				['Created At', 'createdAt'],
				['Customer ID', 'customerId'],
				['Last Contact At', 'lastContactAt'],
				['Rating', 'rating'],
				['Updated At', 'updatedAt'],
			]),
			fields.choice(
				{ displayName: 'Sort Direction', name: 'sortDirection', default: 'ascending' },
				[
					['Ascending', 'ascending'],
					['Descending', 'descending'],
				],
			),
		],
	},
];

/** The filters of one item, as the store reads them (Get Many and Assign). */
export function readFilter(read: ParameterReader, i: number) {
	return {
		journey: read.value('journey', i, ''),
		...read.collection('filters', i),
		scope: itemScope(read, i),
	};
}

/**
 * Customers matching the filters, read a page at a time: Return All streams through the whole
 * set without ever loading the table.
 */
export const execute: Operation = async ({ context, items, store, read }) =>
	perItem(context, items, async (i) => {
		const returnAll = read.value('returnAll', i, false) as boolean;
		const query = parseCustomerQuery(
			{
				...readFilter(read, i),
				...read.collection('options', i),
				limit: returnAll ? undefined : read.value('limit', i, 50),
			},
			{ timeZone: context.getTimezone() },
		);
		const now = Date.now();
		const found = [];
		for await (const page of store.customerPages(query, now))
			for (const customer of page) found.push(customerJson(customer, now));
		return found;
	});
