import type { INodeProperties } from 'n8n-workflow';
import { additionalFields, builtInStoreNotice, choice, scopeFields } from '../shared/descriptions';

/** The Stage Reminder form, in the order a person fills it in. */
export const properties: INodeProperties[] = [
	builtInStoreNotice,
	{
		...choice({ displayName: 'Mode', name: 'mode', default: 'send' }, [
			[
				'Send Due Reminders',
				'send',
				'Return the reminders due now and mark them as sent, so no later run or other worker sends them again',
			],
			['Preview', 'preview', 'Return what is due now without marking anything as sent'],
		]),
		noDataExpression: true,
	},
	choice({ displayName: 'Journeys', name: 'journeyScope', default: 'all' }, [
		['All Journeys', 'all'],
		['Selected Journeys', 'selected'],
	]),
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
	...scopeFields('Whose customers to look at; others are never read'),
	{
		displayName: 'Admins',
		name: 'admins',
		type: 'string',
		default: '',
		placeholder: 'e.g. sales.lead@example.com, zhang.min',
		description:
			'Comma-separated IDs or e-mails of the people who receive admin reminders, reminders for unassigned customers and escalations',
	},
	choice({ displayName: 'Output', name: 'output', default: 'reminders' }, [
		[
			'One Item per Reminder and Recipient',
			'reminders',
			'Ready to route to Slack, e-mail or WeCom one message at a time',
		],
		[
			'One Item per Recipient (Digest)',
			'digest',
			'All of a person’s reminders in one item, with a combined message',
		],
	]),
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
