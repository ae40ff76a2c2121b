import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	Workflow,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeProperties,
	type INodeType,
} from 'n8n-workflow';
import { CustomerStageStoreApi } from '../../credentials/CustomerStageStoreApi.credentials';
import {
	customerJson,
	eventJson,
	journeyJson,
	moveJson,
	Names,
	transitionJson,
} from '../../nodes/shared/output';
import { presetJourneys } from '../../nodes/engine/presets';
import type { CustomerView, StoredJourney } from '../../nodes/store/types';
import { packageNodeTypes } from '../harness/packageNodes';

/**
 * What a marketer sees in the editor, checked in code for every node the package registers:
 * found by the words people search for, plain action names, readable subtitles, one place per
 * shared option, the optional credential said up front.
 */
const nodes = Object.entries(packageNodeTypes());
const ROOT = join(__dirname, '..', '..');

function folderOf(node: INodeType): string {
	const name = node.description.name;
	return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `{ light, dark }`, two different files that exist in `folder` (the build copies them). */
function expectThemedIcon(
	icon: INodeType['description']['icon'] | ICredentialType['icon'],
	folder: string,
) {
	expect(icon).toEqual({
		light: expect.stringMatching(/^file:.+\.svg$/),
		dark: expect.stringMatching(/^file:.+\.svg$/),
	});
	const { light, dark } = icon as { light: string; dark: string };
	expect(light).not.toBe(dark);
	for (const file of [light, dark]) expect(existsSync(join(folder, file.slice(5)))).toBe(true);
}

function codexOf(node: INodeType): {
	alias?: string[];
	resources?: { primaryDocumentation?: Array<{ url: string }> };
} {
	const folder = folderOf(node);
	return JSON.parse(readFileSync(join(ROOT, 'nodes', folder, `${folder}.node.json`), 'utf8'));
}

/** Every property, nested collections and fixed collections included. */
function allProperties(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((p) => {
		const nested = (p.options ?? []).flatMap((o) => {
			if ('type' in o) return allProperties([o as INodeProperties]);
			if ('values' in o) return allProperties((o as { values: INodeProperties[] }).values);
			return [];
		});
		return [p, ...nested];
	});
}

test('the package registers at least one node', () => {
	expect(nodes.length).toBeGreaterThan(0);
});

describe.each(nodes)('%s', (_type, node) => {
	const { description } = node;

	test('its codex lists the words people search for, and docs point at the package page', () => {
		const codex = codexOf(node);
		expect(codex.alias?.length ?? 0).toBeGreaterThanOrEqual(5);
		const words = (codex.alias ?? []).map((a) => a.toLowerCase());
		// The words the editor check searches the node panel for (test/e2e/editor.mjs ALIASES).
		for (const word of [
			'customer',
			'journey',
			'lifecycle',
			'funnel',
			'stage',
			'lead',
			'crm',
			'pipeline',
		]) {
			expect(words).toContain(word);
		}
		for (const doc of codex.resources?.primaryDocumentation ?? []) {
			expect(doc.url).toMatch(/^https:\/\/www\.npmjs\.com\/package\/n8n-nodes-customer-stage/);
		}
	});

	test('action names are plain English, apostrophes intact', () => {
		const actions = allProperties(description.properties)
			.filter((p) => p.name === 'operation')
			.flatMap((p) => (p.options ?? []) as Array<{ action?: string }>)
			.map((o) => o.action)
			.filter((a): a is string => !!a);
		for (const action of actions) {
			expect(action).not.toMatch(/\w s\b/);
			expect(action).toMatch(/^[A-Z]/);
		}
	});

	test('the subtitle reads as words for every operation', () => {
		const operations = description.properties.filter((p) => p.name === 'operation');
		if (!description.subtitle || operations.length === 0) return;
		const types = {
			getByName: () => node,
			getByNameAndVersion: () => node,
			getKnownTypes: () => ({}),
		};
		for (const picker of operations) {
			const resource = (picker.displayOptions?.show?.resource as string[] | undefined)?.[0];
			for (const option of picker.options as Array<{ value: string }>) {
				const parameters = { resource: resource ?? '', operation: option.value };
				const workflowNode: INode = {
					id: '1',
					name: 'N',
					type: _type,
					typeVersion: 1,
					position: [0, 0],
					parameters,
				};
				const workflow = new Workflow({
					nodes: [workflowNode],
					connections: {},
					active: false,
					nodeTypes: types,
				});
				const subtitle = workflow.expression.getSimpleParameterValue(
					workflowNode,
					description.subtitle,
					'internal',
					{},
				);
				expect(typeof subtitle).toBe('string');
				expect(subtitle).toMatch(/^[A-Z][a-z]+( [a-z]+)*$/);
			}
		}
	});

	test('a shared option has one name, label and collection wherever it appears', () => {
		const seen = new Map<string, string>();
		const shared = ['actor', 'occurredAt', 'note', 'timeZone'];
		const visit = (properties: INodeProperties[], parent: string) => {
			for (const p of properties) {
				if (shared.includes(p.name)) {
					const place = `${parent}/${p.displayName}`;
					expect([p.name, seen.get(p.name) ?? place]).toEqual([p.name, place]);
					seen.set(p.name, place);
				}
				if (p.type === 'collection') visit(p.options as INodeProperties[], p.name);
			}
		};
		visit(description.properties, '');
	});

	test('its icon has a light and a dark variant, both shipped next to the node', () => {
		expectThemedIcon(description.icon, join(ROOT, 'nodes', folderOf(node)));
	});

	test('the credential is optional and the node says so first', () => {
		if (!description.credentials?.length) return;
		expect(description.credentials.every((c) => c.required === false)).toBe(true);
		expect(description.properties[0].type).toBe('notice');
		expect(description.properties[0].displayName).toMatch(/without one, the built-in store/i);
	});
});

test('the credential has a light and a dark icon too', () => {
	expectThemedIcon(new CustomerStageStoreApi().icon, join(ROOT, 'credentials'));
});

describe('output items lead with what people read, without key/name twins', () => {
	const [definition] = presetJourneys('marketingHub');
	const journey: StoredJourney = {
		key: definition.key,
		name: definition.name,
		version: 1,
		displayOrder: 0,
		definition,
		createdAt: 0,
		updatedAt: 0,
	};
	const names = new Names([journey]);
	/** A stored customer with no details: each test sets only the fields it is about. */
	const customerView = (
		fields: Pick<CustomerView, 'customerId' | 'journeys'> & Partial<CustomerView>,
	): CustomerView => ({
		name: null,
		email: null,
		phone: null,
		owner: null,
		department: null,
		rating: null,
		tags: [],
		properties: {},
		lastContactAt: null,
		lastEventAt: null,
		createdAt: 0,
		updatedAt: 0,
		...fields,
	});
	const [first, second] = definition.stages;
	const move = {
		customerId: 'c-1',
		journey: journey.key,
		previousStage: first.key,
		previousStageName: first.name,
		stage: second.key,
		stageName: second.name,
		status: null,
		moved: true,
		direction: 'advance' as const,
		reason: 'because',
	};
	const items: Record<string, IDataObject> = {
		move: moveJson(move, names),
		event: eventJson(
			{ ...move, eventType: 't', eventId: 'e', duplicate: false, ruleId: null, occurredAt: 0 },
			names,
		),
		customer: customerJson(
			customerView({
				customerId: 'c-1',
				name: 'Ann',
				journeys: [
					{
						journey: journey.key,
						journeyName: journey.name,
						stage: second.key,
						stageName: second.name,
						status: null,
						statusName: null,
						enteredAt: 0,
					},
				],
			}),
			0,
		),
		transition: transitionJson(
			{
				id: 7,
				customerId: 'c-1',
				journey: journey.key,
				journeyVersion: 1,
				fromStage: first.key,
				toStage: second.key,
				direction: 'advance',
				reasonKind: 'event',
				reason: 'because',
				eventType: 't',
				eventId: 'e',
				ruleId: null,
				actor: null,
				note: null,
				occurredAt: 0,
				eventOccurredAt: 0,
				fromEnteredAt: null,
				owner: null,
				department: null,
				recordedAt: 0,
			},
			names,
		),
		journey: journeyJson(journey),
	};
	const memberships = (items.customer.journeys as IDataObject[]).map((m) => ['membership', m]);

	test.each([...Object.entries(items), ...memberships])(
		'%s: no field beside its own key/name/id twin, no internal id',
		(_kind, item) => {
			const fields = Object.keys(item as IDataObject);
			const twins = fields.filter(
				(f) =>
					/(Name|Key|Id)$/.test(f) &&
					f !== 'customerId' &&
					f !== 'eventId' &&
					f !== 'ruleId' &&
					fields.includes(f.replace(/(Name|Key|Id)$/, '')),
			);
			expect(twins).toEqual([]);
			expect(fields).not.toContain('id');
			expect(fields.filter((f) => /Key$/.test(f))).toEqual([]);
		},
	);

	test('stages and journeys are shown by name; their keys sit together last, under the same names', () => {
		for (const kind of ['move', 'event'] as const) {
			const item = items[kind];
			expect(Object.keys(item).slice(0, 4)).toEqual(['customerId', 'stage', 'moved', 'reason']);
			expect([item.stage, item.previousStage, item.journey]).toEqual([
				second.name,
				first.name,
				journey.name,
			]);
			expect(Object.keys(item).at(-1)).toBe('keys');
			expect(item.keys).toEqual({
				journey: journey.key,
				stage: second.key,
				previousStage: first.key,
				status: null,
			});
		}
		const row = items.transition;
		expect(Object.keys(row).slice(0, 4)).toEqual([
			'customerId',
			'occurredAt',
			'fromStage',
			'toStage',
		]);
		expect([row.fromStage, row.toStage]).toEqual([first.name, second.name]);
		expect(row.keys).toEqual({ journey: journey.key, fromStage: first.key, toStage: second.key });
		expect(Object.keys(items.customer).slice(0, 3)).toEqual(['customerId', 'name', 'journeys']);
		expect(Object.keys(items.journey)[0]).toBe('name');
	});

	test('a lead status is shown by name, its key in keys (moves and memberships)', () => {
		const [revops] = presetJourneys('revopsLifecycle');
		const stored: StoredJourney = {
			...journey,
			key: revops.key,
			name: revops.name,
			definition: revops,
		};
		const sql = revops.stages.find((stage) => stage.status === 'meeting_set')!;
		const item = moveJson(
			{ ...move, journey: revops.key, stage: sql.key, stageName: sql.name, status: 'meeting_set' },
			new Names([stored]),
		);
		expect([item.status, (item.keys as IDataObject).status]).toEqual([
			'Meeting Set',
			'meeting_set',
		]);
		const membership = (
			customerJson(
				customerView({
					customerId: 'c-2',
					journeys: [
						{
							journey: revops.key,
							journeyName: revops.name,
							stage: sql.key,
							stageName: sql.name,
							status: 'meeting_set',
							statusName: 'Meeting Set',
							enteredAt: 0,
						},
					],
				}),
				0,
			).journeys as IDataObject[]
		)[0];
		expect([membership.status, (membership.keys as IDataObject).status]).toEqual([
			'Meeting Set',
			'meeting_set',
		]);
		expect(names.status(journey.key, 'not_listed')).toBe('not_listed');
	});

	test('a stage a later journey version removed is shown by its key, not lost', () => {
		expect(names.stage(journey.key, 'gone')).toBe('gone');
		expect(names.journey('unknown_journey')).toBe('unknown_journey');
	});
});
