import type { INodeProperties } from 'n8n-workflow';
import { parseStageAsOf } from '../../../engine/inputs';
import * as fields from '../../../shared/descriptions';
import { perItem, type Operation } from '../../../shared/execution';
import { iso } from '../../../shared/output';
import { itemScope } from '../../../shared/scope';

const show = { resource: ['customer'], operation: ['stageAsOf'] };

export const description: INodeProperties[] = [
	fields.customerIdField({ displayOptions: { show } }),
	{
		displayName: 'As Of',
		name: 'asOf',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'The past moment to look at (e.g. the end of last quarter)',
		displayOptions: { show },
	},
];

/**
 * Where the customer stood in each journey at a past moment, rebuilt from history: one item
 * per journey they have history in (stage empty where they had not entered it yet).
 */
export const execute: Operation = async ({ context, items, store, read }) =>
	perItem(context, items, async (i) => {
		const { customerId, scope, asOf } = parseStageAsOf(
			{
				customerId: read.value('customerId', i),
				asOf: read.value('asOf', i),
				scope: itemScope(read, i),
			},
			{ timeZone: context.getTimezone() },
		);
		return (await store.stagesAsOf(customerId, asOf, scope)).map((row) => ({
			customerId,
			stage: row.stageName,
			asOf: iso(asOf),
			journey: row.journeyName,
			enteredAt: iso(row.enteredAt),
			keys: { journey: row.journey, stage: row.stage },
		}));
	});
