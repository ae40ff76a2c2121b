import type { INodeProperties } from 'n8n-workflow';
import { choice, journeyField, scopeFields, timeZoneOption } from '../shared/descriptions';

/** The Funnel Report's form, in the order people fill it in. */
export const properties: INodeProperties[] = [
	journeyField({ description: 'The journey to report on' }),
	// Nearest first, as calendars and report tools list periods; A–Z would scatter them.
	choice(
		{
			displayName: 'Period',
			name: 'period',
			default: 'last30Days',
			description:
				"The days the report covers, in the report's time zone, so last month is your month",
		},
		[
			['Today', 'today'],
			['Yesterday', 'yesterday'],
			['Last 7 Days', 'last7Days', 'The 7 days ending today'],
			['Last 30 Days', 'last30Days', 'The 30 days ending today'],
			['This Week', 'thisWeek', 'Monday to Sunday'],
			['Last Week', 'lastWeek', 'Monday to Sunday'],
			['This Month', 'thisMonth'],
			['Last Month', 'lastMonth'],
			['This Quarter', 'thisQuarter'],
			['Last Quarter', 'lastQuarter'],
			['All Time', 'allTime'],
			['Custom', 'custom', 'From and to dates of your own'],
		],
	),
	{
		displayName: 'From',
		name: 'from',
		type: 'dateTime',
		default: '',
		description: 'The first instant of the period',
		displayOptions: { show: { period: ['custom'] } },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'dateTime',
		default: '',
		description: 'The end of the period (not included): 2026-04-01 ends the period with March',
		displayOptions: { show: { period: ['custom'] } },
	},
	choice({ displayName: 'Output', name: 'output', default: 'stages' }, [
		['One Item per Stage', 'stages', "Every stage's metrics, the chart on the first item"],
		[
			'One Item per Employee and Stage',
			'employees',
			'The same metrics per owner recorded on each move; the unassigned pool as its own rows',
		],
		[
			'One Summary Item',
			'summary',
			'Both tables and the funnel in one item (suits AI agents and messages)',
		],
	]),
	...scopeFields('Count only moves recorded under these departments or owners'),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'As Of',
				name: 'asOf',
				type: 'dateTime',
				default: '',
				description:
					'Rebuild every number as it stood at this past instant (the period is then counted back from it). Empty: now.',
			},
			choice(
				{
					displayName: 'Chart',
					name: 'chart',
					default: 'png',
					description: "The funnel as a picture in the binary property 'chart' (SVG in 'chartSvg')",
				},
				[
					['PNG', 'png'],
					['PNG and SVG', 'pngAndSvg'],
					['None', 'none'],
				],
			),
			{
				displayName: 'Chart Width',
				name: 'chartWidth',
				type: 'number',
				typeOptions: { minValue: 200, maxValue: 4000 },
				default: 800,
				description: 'Pixels; the height follows the number of stages',
			},
			{
				displayName: 'Leave Out Exit Stages',
				name: 'leaveOutExitStages',
				type: 'boolean',
				default: false,
				description:
					'Whether to report only the stages on the path (exits such as Lost are left out)',
			},
			{
				...timeZoneOption,
				description:
					"The time zone periods are read in (today, last month, …) and custom dates without a zone. Empty: the workflow's time zone.",
			},
		],
	},
];
