import type { INodeProperties } from 'n8n-workflow';
import { additionalFields, builtInStoreNotice } from '../shared/descriptions';

/** The Stage Reminder form, in the order a person fills it in. */
export const properties: INodeProperties[] = [
	builtInStoreNotice,
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Send Due Reminders',
				value: 'send',
				description:
					'Return the reminders due now and mark them as sent, so no later run or other worker sends them again',
			},
			{
				name: 'Preview',
				value: 'preview',
				description: 'Return what is due now without marking anything as sent',
			},
		],
		default: 'send',
	},
	{
		displayName: 'Journeys',
		name: 'journeyScope',
		type: 'options',
		options: [
			{ name: 'All Journeys', value: 'all' },
			{ name: 'Selected Journeys', value: 'selected' },
		],
		default: 'all',
	},
	{
		displayName: 'Journey Names or IDs',
		name: 'journeys',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getJourneys' },
		default: [],
		required: true,
		description:
			'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: { journeyScope: ['selected'] } },
	},
	{
		displayName: 'Customers',
		name: 'scope',
		type: 'options',
		options: [
			{ name: 'All Customers', value: 'all' },
			{ name: 'Of Departments', value: 'departments' },
			{ name: 'Of Owners', value: 'owners' },
		],
		default: 'all',
		description: 'Whose customers to look at; others are never read',
	},
	{
		displayName: 'Departments',
		name: 'departments',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. North, Export',
		description: 'Comma-separated department names, as stored on the customers',
		displayOptions: { show: { scope: ['departments'] } },
	},
	{
		displayName: 'Owners',
		name: 'owners',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. li.wei, wang.fang',
		description: 'Comma-separated owner IDs, as stored on the customers',
		displayOptions: { show: { scope: ['owners'] } },
	},
	{
		displayName: 'Admins',
		name: 'admins',
		type: 'string',
		default: '',
		placeholder: 'e.g. sales.lead@example.com, zhang.min',
		description:
			'Comma-separated IDs or e-mails of the people who receive admin reminders, reminders for unassigned customers and escalations',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'One Item per Reminder and Recipient',
				value: 'reminders',
				description: 'Ready to route to Slack, e-mail or WeCom one message at a time',
			},
			{
				name: 'One Item per Recipient (Digest)',
				value: 'digest',
				description: 'All of a person’s reminders in one item, with a combined message',
			},
		],
		default: 'reminders',
	},
	additionalFields({}, [
		{
			displayName: 'As Of',
			name: 'now',
			type: 'dateTime',
			default: '',
			description:
				'Check what is due at this time instead of now (for catching up or testing). Reminders are still marked as sent when sending.',
		},
		{
			displayName: 'Business Days Time Zone',
			name: 'businessDaysTimeZone',
			type: 'string',
			default: '',
			placeholder: 'e.g. Asia/Shanghai',
			description:
				"Where Saturdays and Sundays fall, for rules that count business days. Empty: the workflow's time zone.",
		},
	]),
];
