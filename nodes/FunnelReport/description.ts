import type { INodeProperties } from 'n8n-workflow';
import { journeyField, timeZoneOption } from '../shared/descriptions';

/** The Funnel Report's form, in the order people fill it in. */
export const properties: INodeProperties[] = [
	journeyField({ description: 'The journey to report on' }),
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		// Nearest first, as calendars and report tools list periods; A–Z would scatter them.
		// eslint-disable-next-line n8n-nodes-base/node-param-options-type-unsorted-items
		options: [
			{ name: 'Today', value: 'today' },
			{ name: 'Yesterday', value: 'yesterday' },
			{ name: 'Last 7 Days', value: 'last7Days', description: 'The 7 days ending today' },
			{ name: 'Last 30 Days', value: 'last30Days', description: 'The 30 days ending today' },
			{ name: 'This Week', value: 'thisWeek', description: 'Monday to Sunday' },
			{ name: 'Last Week', value: 'lastWeek', description: 'Monday to Sunday' },
			{ name: 'This Month', value: 'thisMonth' },
			{ name: 'Last Month', value: 'lastMonth' },
			{ name: 'This Quarter', value: 'thisQuarter' },
			{ name: 'Last Quarter', value: 'lastQuarter' },
			{ name: 'All Time', value: 'allTime' },
			{ name: 'Custom', value: 'custom', description: 'From and to dates of your own' },
		],
		default: 'last30Days',
		description:
			"The days the report covers, in the report's time zone, so last month is your month",
	},
	{
		displayName: 'From',
		name: 'from',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'The first instant of the period',
		displayOptions: { show: { period: ['custom'] } },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'The end of the period (not included): 2026-04-01 ends the period with March',
		displayOptions: { show: { period: ['custom'] } },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'One Item per Stage',
				value: 'stages',
				description: "Every stage's metrics, the chart on the first item",
			},
			{
				name: 'One Item per Employee and Stage',
				value: 'employees',
				description:
					'The same metrics per owner recorded on each move; the unassigned pool as its own rows',
			},
			{
				name: 'One Summary Item',
				value: 'summary',
				description: 'Both tables and the funnel in one item (suits AI agents and messages)',
			},
		],
		default: 'stages',
	},
	{
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		options: [
			{ name: 'All Customers', value: 'all' },
			{ name: 'Departments', value: 'departments' },
			{ name: 'Owners', value: 'owners' },
		],
		default: 'all',
		description: 'Count only moves recorded under these departments or owners',
	},
	{
		displayName: 'Departments',
		name: 'departments',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. east, west',
		description: 'Department names, separated by commas',
		displayOptions: { show: { scope: ['departments'] } },
	},
	{
		displayName: 'Owners',
		name: 'owners',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. alice@example.com, bob@example.com',
		description: 'Owners (employees) as recorded on customers, separated by commas',
		displayOptions: { show: { scope: ['owners'] } },
	},
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
			{
				displayName: 'Chart',
				name: 'chart',
				type: 'options',
				options: [
					{ name: 'PNG', value: 'png' },
					{ name: 'PNG and SVG', value: 'pngAndSvg' },
					{ name: 'None', value: 'none' },
				],
				default: 'png',
				description: "The funnel as a picture in the binary property 'chart' (SVG in 'chartSvg')",
			},
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
