import type { INodeProperties } from 'n8n-workflow';
import { builtInStoreNotice, choice, scopeFields } from '../shared/descriptions';

const DIRECTIONS: Array<[string, string, string]> = [
	['Initial', 'initial', 'The customer enters the journey for the first time'],
	['Advance', 'advance', 'A move forward'],
	['Regress', 'regress', 'A move back'],
	['Exit', 'exit', 'A move into an exit stage (churned, lost, unsubscribed)'],
	['Re-Entry', 're-entry', 'Back into the journey after an exit'],
];

const REASON_KINDS: Array<[string, string, string]> = [
	['Event', 'event', 'An event rule moved the customer'],
	['Rule', 'rule', 'An automation rule moved the customer'],
	['Manual', 'manual', 'Someone set the stage'],
	['Import', 'import', 'A customer import set the stage'],
	['Activity', 'activity', 'An activity score or inactivity rule moved the customer'],
];

const multi = (
	field: Pick<INodeProperties, 'displayName' | 'name' | 'description'>,
	choices: Array<[string, string, string]>,
): INodeProperties => ({
	...field,
	type: 'multiOptions',
	default: [],
	options: choices.map(([name, value, description]) => ({ name, value, description })),
});

/** The Stage Trigger form: what to listen for, where to start, how to deliver. */
export const properties: INodeProperties[] = [
	builtInStoreNotice,
	{
		displayName: 'Journey Names or IDs',
		name: 'journeys',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFeedJourneys' },
		default: [],
		description:
			'Journeys to listen to; none chosen = every journey. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'To Stage Names or IDs',
		name: 'toStages',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFeedStages', loadOptionsDependsOn: ['journeys'] },
		default: [],
		description:
			'Fire when a customer enters one of these stages; none chosen = any stage. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'From Stage Names or IDs',
		name: 'fromStages',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFeedStages', loadOptionsDependsOn: ['journeys'] },
		default: [],
		description:
			'Fire only when the customer leaves one of these stages; none chosen = from anywhere. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	multi(
		{
			displayName: 'Directions',
			name: 'directions',
			description: 'Which kinds of move fire; none chosen = all',
		},
		DIRECTIONS,
	),
	multi(
		{
			displayName: 'Reasons',
			name: 'reasonKinds',
			description: 'What made the move; none chosen = anything',
		},
		REASON_KINDS,
	),
	...scopeFields('Whose customers fire this trigger; others are passed over'),
	{
		...choice({ displayName: 'Start From', name: 'startFrom', default: 'now' }, [
			['Now', 'now', 'Only moves made after the workflow is activated'],
			['The Beginning', 'beginning', 'Every move in the history first, then new ones'],
			['A Date', 'date', 'Moves recorded at or after a date, then new ones'],
		]),
		description:
			'Where a new trigger starts. Once running it keeps its place across restarts; changing this starts it again from here.',
	},
	{
		displayName: 'Start Date',
		name: 'startDate',
		type: 'dateTime',
		default: '',
		required: true,
		displayOptions: { show: { startFrom: ['date'] } },
	},
	choice({ displayName: 'Delivery', name: 'delivery', default: 'each' }, [
		['One Execution per Move', 'each', 'Each move starts its own execution, in order'],
		['Batches', 'batch', 'Up to a number of moves per execution, one item each'],
	]),
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: 50,
		description: 'The most moves one execution receives',
		displayOptions: { show: { delivery: ['batch'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				...choice({ displayName: 'Advance When', name: 'advanceWhen', default: 'finished' }, [
					[
						'Execution Finishes',
						'finished',
						'Move on once the execution has ended, whether it succeeded or not (a crash before then delivers the moves again)',
					],
					[
						'Execution Succeeds',
						'succeeded',
						'Deliver the moves again if the execution fails, up to Retries times',
					],
					[
						'At Once',
						'started',
						'Move on as soon as the execution starts (a crash may lose moves)',
					],
				]),
				description: 'When the trigger counts moves as delivered and goes on to the next ones',
			},
			{
				displayName: 'Retries',
				name: 'retries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 100 },
				default: 3,
				description:
					'How often failed moves are delivered again (Advance When: Execution Succeeds) before the trigger logs them and moves on',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollSeconds',
				type: 'number',
				typeOptions: { minValue: 0.2, maxValue: 60, numberPrecision: 1 },
				default: 1,
				description:
					'How often the store is checked for new moves (one indexed query). A PostgreSQL store also wakes the trigger at once on each commit.',
			},
		],
	},
];
