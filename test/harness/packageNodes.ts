import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeType } from 'n8n-workflow';

const ROOT = join(__dirname, '..', '..');

/**
 * Every node this package ships, keyed by the type name workflows use
 * (`n8n-nodes-customer-stage.<name>`), loaded from the sources package.json's `n8n.nodes`
 * lists. A new node is picked up here by being registered there: no test needs editing.
 */
export function packageNodeTypes(): Record<string, INodeType> {
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
	const types: Record<string, INodeType> = {};
	for (const built of pkg.n8n.nodes as string[]) {
		const source = join(ROOT, built.replace(/^dist\//, '').replace(/\.js$/, ''));
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const exports = require(source) as Record<string, new () => INodeType>;
		for (const NodeClass of Object.values(exports)) {
			if (typeof NodeClass !== 'function') continue;
			const node = new NodeClass();
			if (node.description?.name) types[`${pkg.name}.${node.description.name}`] = node;
		}
	}
	return types;
}
