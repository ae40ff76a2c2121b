import type {
	IDataObject,
	IExecuteFunctions,
	INodeParameters,
	NodeParameterValueType,
} from 'n8n-workflow';

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
		path = match
			? [...match[1].matchAll(PATH_PART)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4])
			: null;
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

/**
 * A parameter as stored in the workflow. A resource locator (a journey or stage picker) stores
 * `{ __rl: true, mode, value }`; what matters for reading it is its value, planned like any other.
 */
function rawParameter(parameters: INodeParameters, name: string): unknown {
	const raw = readPath(parameters, name.split('.'));
	return isResourceLocator(raw) ? raw.value : raw;
}

function isResourceLocator(value: unknown): value is { __rl: true; value: unknown } {
	return typeof value === 'object' && value !== null && (value as { __rl?: unknown }).__rl === true;
}

/**
 * The parameters of a move made by hand, as the store reads them: the journey, the customer,
 * the target (a stage, or a status that maps to one) and the Additional Fields.
 */
export function readManualMove(read: ParameterReader, itemIndex: number, target: string) {
	return {
		journey: read.value('journey', itemIndex),
		customerId: read.value('customerId', itemIndex),
		[target]: read.value(target, itemIndex),
		...read.collection('additionalFields', itemIndex),
	};
}

/**
 * An event's parameters as the store reads them (Record Event, Simulate), without the journey;
 * set on `into` (Record Event passes one holding the journey), one object per item.
 */
export function readEvent(read: ParameterReader, itemIndex: number, into: IDataObject = {}) {
	into.customerId = read.value('customerId', itemIndex) as IDataObject[string];
	into.eventType = read.value('eventType', itemIndex) as IDataObject[string];
	return read.collection('additionalFields', itemIndex, into);
}

export interface ParameterReader {
	/** Like getNodeParameter(name, itemIndex, fallback), reading plain field references directly. */
	value(name: string, itemIndex: number, fallback?: NodeParameterValueType): unknown;
	/**
	 * A collection parameter (e.g. Additional Fields), each of its fields read as above; set on
	 * `into` when given (saves spreading a fresh object into the item's on a hot path).
	 */
	collection(name: string, itemIndex: number, into?: IDataObject): IDataObject;
}

type Plan =
	| { kind: 'field'; path: string[] }
	| { kind: 'literal'; value: unknown }
	| { kind: 'engine' };

/**
 * One reader per execution. How to read each parameter is decided once per run, not per item:
 * getNode() deep-copies the node, and a literal (a journey picked from the list) is the same for
 * every item.
 */
export function parameterReader(context: IExecuteFunctions): ParameterReader {
	const parameters = context.getNode().parameters;
	const items = context.getInputData();
	const plans = new Map<string, Plan>();
	const planFor = (name: string): Plan => {
		let plan = plans.get(name);
		if (!plan) {
			const raw = rawParameter(parameters, name);
			const path = typeof raw === 'string' ? fieldReference(raw) : null;
			if (path) plan = { kind: 'field', path };
			else if (
				typeof raw === 'number' ||
				typeof raw === 'boolean' ||
				(typeof raw === 'string' && !raw.startsWith('='))
			) {
				plan = { kind: 'literal', value: raw };
			} else plan = { kind: 'engine' };
			plans.set(name, plan);
		}
		return plan;
	};
	const value = (name: string, itemIndex: number, fallback?: NodeParameterValueType): unknown => {
		const plan = planFor(name);
		if (plan.kind === 'field') return readPath(items[itemIndex]?.json, plan.path);
		if (plan.kind === 'literal') return plan.value;
		return context.getNodeParameter(name, itemIndex, fallback as never, { extractValue: true });
	};
	// Per collection: its fields as [key, dotted parameter name], worked out once.
	const collectionFields = new Map<string, Array<[string, string]> | null>();
	return {
		value,
		collection(name, itemIndex, into) {
			let fields = collectionFields.get(name);
			if (fields === undefined) {
				const raw = rawParameter(parameters, name);
				fields =
					raw !== null && typeof raw === 'object' && !Array.isArray(raw)
						? Object.keys(raw).map((key) => [key, `${name}.${key}`])
						: null;
				collectionFields.set(name, fields);
			}
			if (!fields) {
				const values = context.getNodeParameter(name, itemIndex, {}) as IDataObject;
				return into ? Object.assign(into, values) : values;
			}
			const values: IDataObject = into ?? {};
			for (const [key, fullName] of fields)
				values[key] = value(fullName, itemIndex) as IDataObject[string];
			return values;
		},
	};
}
