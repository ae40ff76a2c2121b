import type { IDataObject, IExecuteFunctions, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

/**
 * Reading parameters per item, fast where it is safe.
 *
 * n8n evaluates every expression in a sandbox that builds a fresh data proxy (with luxon's
 * `$now`) per call: about 70 µs, so six fields × 10,000 webhook items cost four seconds, far more
 * than recording the events. The commonest expression by far is a plain field reference,
 * `{{ $json.customerId }}` or `{{ $json.body["event-type"] }}`, whose value is simply that field
 * of the input item: those are read directly. Anything else goes through n8n unchanged.
 */
const FIELD_REFERENCE =
	/^=\{\{\s*\$json((?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\[\s*(?:'[^'\\]*'|"[^"\\]*"|\d+)\s*\])+)\s*\}\}\s*$/;
const PATH_PART = /\.\s*([A-Za-z_$][\w$]*)|\[\s*(?:'([^'\\]*)'|"([^"\\]*)"|(\d+))\s*\]/g;

const parsedReferences = new Map<string, string[] | null>();

/** The field path of a plain `={{ $json.… }}` reference, or null for any other value. */
export function fieldReference(raw: string): string[] | null {
	let path = parsedReferences.get(raw);
	if (path === undefined) {
		const match = FIELD_REFERENCE.exec(raw);
		path = match ? [...match[1].matchAll(PATH_PART)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]) : null;
		parsedReferences.set(raw, path);
	}
	return path;
}

function readPath(data: unknown, path: string[]): unknown {
	let value = data;
	for (const key of path) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

function rawParameter(parameters: INodeParameters, name: string): unknown {
	return readPath(parameters, name.split('.'));
}

export interface ParameterReader {
	/** Like getNodeParameter(name, itemIndex, fallback), reading plain field references directly. */
	value(name: string, itemIndex: number, fallback?: NodeParameterValueType): unknown;
	/** A collection parameter (e.g. Additional Fields), each of its fields read as above. */
	collection(name: string, itemIndex: number): IDataObject;
}

/** One reader per execution: getNode() deep-copies the node, so it is called once, not per item. */
export function parameterReader(context: IExecuteFunctions): ParameterReader {
	const parameters = context.getNode().parameters;
	const items = context.getInputData();
	const value = (name: string, itemIndex: number, fallback?: NodeParameterValueType): unknown => {
		const raw = rawParameter(parameters, name);
		if (typeof raw === 'string') {
			const path = fieldReference(raw);
			if (path) return readPath(items[itemIndex]?.json, path);
		}
		return context.getNodeParameter(name, itemIndex, fallback as never);
	};
	return {
		value,
		collection(name, itemIndex) {
			const raw = rawParameter(parameters, name);
			if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
				return context.getNodeParameter(name, itemIndex, {}) as IDataObject;
			}
			const values: IDataObject = {};
			for (const key of Object.keys(raw)) values[key] = value(`${name}.${key}`, itemIndex) as IDataObject[string];
			return values;
		},
	};
}
