import { NodeOperationError, type INode } from 'n8n-workflow';
import type { CustomerScope } from '../store/reminders';

/** "a, b, ,c" → ['a', 'b', 'c']. */
export function commaList(text: unknown): string[] {
	return String(text ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
}

/**
 * The customers a scoped node looks at (scopeFields), read with `read` (an execution reads item
 * 0, a trigger its one setting), refused when a list is left empty: a scope without names would
 * hide every customer.
 */
export function scopeOf(node: INode, read: (name: string) => unknown): CustomerScope {
	const kind = read('scope') as CustomerScope['kind'];
	if (!kind || kind === 'all') return { kind: 'all' };
	const values = commaList(read(kind));
	if (values.length === 0) {
		const label = kind === 'owners' ? 'Owners' : 'Departments';
		throw new NodeOperationError(node, `${label} is empty`, {
			description: 'Give at least one, separated by commas, or set Scope to All Customers.',
		});
	}
	return { kind, values };
}
