import { NodeOperationError, type INode } from 'n8n-workflow';
import { toScope, type Scope } from '../engine/inputs';
import type { ParameterReader } from './parameters';

/** "a, b, ,c" → ['a', 'b', 'c']. */
export function commaList(text: unknown): string[] {
	return String(text ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
}

/** Reads a parameter by name, with the value to take when the node has none. */
type ReadParameter = (name: string, fallback: string) => unknown;

/**
 * The scope fields (scopeFields) of one item as the engine reads them (toScope): the Scope
 * field and the list it shows. Only that list exists among the node's parameters.
 */
function scopeParameters(read: ReadParameter) {
	const scope = read('scope', 'all');
	const list = scope === 'departments' || scope === 'owners' ? scope : null;
	return list ? { scope, [list]: read(list, '') } : { scope };
}

/**
 * An item's scope fields, unparsed: for the store's items, which parse them per item (so a bad
 * scope is that item's error, naming the field); toScope parses them elsewhere.
 */
export function itemScope(read: ParameterReader, itemIndex: number) {
	return scopeParameters((name, fallback) => read.value(name, itemIndex, fallback));
}

/**
 * The scope a whole run keeps to, read with `read` (an execution reads item 0, a trigger its one
 * setting); a bad one (an empty list would hide every customer) fails the node.
 */
export function scopeOf(node: INode, read: ReadParameter): Scope {
	try {
		return toScope(scopeParameters(read));
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message, {
			description:
				'Give names separated by commas (employee IDs or e-mail addresses for owners), or set Scope to All Customers.',
		});
	}
}
