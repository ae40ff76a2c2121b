import type { INodeProperties } from 'n8n-workflow';
import {
	additionalFields,
	builtInStoreNotice,
	choice,
	customerIdField,
	journeyField,
	scopeFields,
} from '../shared/descriptions';

/** The Evaluate 30-Day Activity form, in the order a person fills it in. */
export const properties: INodeProperties[] = [
	builtInStoreNotice,
	journeyField({ description: 'The journey whose customers to score and whose rules to apply' }),
	{
		...choice({ displayName: 'Customers', name: 'mode', default: 'all' }, [
			[
				'All Customers of the Journey',
				'all',
				'For a Schedule Trigger: looks only at customers whose activity or time-based rules can have changed since the last run',
			],
			['Customers in the Input Items', 'input', 'One customer ID per input item'],
		]),
		noDataExpression: true,
	},
	customerIdField({
		description: 'Your own ID for the customer, as recorded with their events',
		displayOptions: { show: { mode: ['input'] } },
	}),
	...scopeFields('Whose customers to look at; others are never evaluated'),
	choice({ displayName: 'Output', name: 'output', default: 'changed' }, [
		[
			'Customers Whose Score, Level or Stage Changed',
			'changed',
			'Ready for an IF node: "level dropped", "moved", …',
		],
		['All Evaluated Customers', 'all'],
	]),
	additionalFields({}, [
		{
			displayName: 'As Of',
			name: 'asOf',
			type: 'dateTime',
			default: '',
			description:
				'Evaluate at this time instead of now (backfills, testing): windows end on its day, days in stage count up to it, moves take effect at it',
		},
	]),
];
