import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Workflow, type INode, type INodeProperties, type INodeType } from 'n8n-workflow';
import { packageNodeTypes } from '../harness/packageNodes';

/**
 * What a marketer sees in the editor, checked in code for every node the package registers:
 * found by the words people search for, plain action names, readable subtitles, one place per
 * shared option, the optional credential said up front.
 */
const nodes = Object.entries(packageNodeTypes());
const ROOT = join(__dirname, '..', '..');

function codexOf(node: INodeType): {
	alias?: string[];
	resources?: { primaryDocumentation?: Array<{ url: string }> };
} {
	const name = node.description.name;
	const folder = name.charAt(0).toUpperCase() + name.slice(1);
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
		for (const word of ['customer', 'journey', 'lifecycle', 'funnel', 'stage']) {
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

	test('the credential is optional and the node says so first', () => {
		if (!description.credentials?.length) return;
		expect(description.credentials.every((c) => c.required === false)).toBe(true);
		expect(description.properties[0].type).toBe('notice');
		expect(description.properties[0].displayName).toMatch(/without one, the built-in store/i);
	});
});
