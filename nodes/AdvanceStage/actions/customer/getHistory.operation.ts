import type { INodeProperties } from 'n8n-workflow';
import { requireId, toScope } from '../../../engine/inputs';
import { perItem, type Operation } from '../../../shared/execution';
import { Names, transitionJson } from '../../../shared/output';
import * as fields from '../../../shared/descriptions';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['getHistory'] };

export const description: INodeProperties[] = [
	fields.customerIdField({ displayOptions: { show } }),
	fields.journeyField({
		required: false,
		description: 'Only this journey’s moves; empty for every journey',
		displayOptions: { show },
	}),
	fields.limitField({ displayOptions: { show } }),
];

/** The customer's timeline: one output item per move, oldest first, with the reason for each. */
export const execute: Operation = async ({ context, items, store, read }) => {
	const names = await Names.of(store);
	return perItem(context, items, async (i) => {
		const customerId = requireId(context.getNodeParameter('customerId', i), 'customerId');
		const journey = (read.value('journey', i, '') as string) || undefined;
		const limit = context.getNodeParameter('limit', i, 50) as number;
		const scope = toScope(itemScope(read, i));
		const rows = await store.getHistory(customerId, { journey, limit, scope });
		return rows.map((row) => transitionJson(row, names));
	});
};
