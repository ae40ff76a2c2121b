import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import type { CustomerScope } from '../store/reminders';

/** "a, b, ,c" → ['a', 'b', 'c']. */
export function commaList(text: unknown): string[] {
	return String(text ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
}

/** The customers a scoped node looks at (scopeFields), refused when a list is left empty. */
export function scopeOf(context: IExecuteFunctions): CustomerScope {
	const kind = context.getNodeParameter('scope', 0) as CustomerScope['kind'];
	if (kind === 'all') return { kind };
	const values = commaList(context.getNodeParameter(kind, 0));
	if (values.length === 0) {
		const label = kind === 'owners' ? 'Owners' : 'Departments';
		throw new NodeOperationError(context.getNode(), `${label} is empty`, {
			description: `Give at least one, separated by commas, or set Customers to All Customers.`,
		});
	}
	return { kind, values };
}
