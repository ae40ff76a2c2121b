import { InputError } from './errors';
import { fieldLabel } from './labels';
import { LIMITS } from './limits';
import { describeType, quoteText, reasonOf, requireStorable, unstorableReason } from './text';
import { checkTimeZone, parseTime, type TimeOptions } from './time';

/**
 * Checks for what reaches the engine from webhooks, imports and expressions. Every check throws
 * an InputError naming the field, so one bad item can be reported without touching the others.
 */

type Raw = Record<string, unknown>;

export { describeType };
export type { TimeOptions };

/**
 * Ids and text may arrive as numbers (a CRM id, a phone number). Only safe integers have one
 * exact decimal form; 1e21, 0.1 + 0.2 or 12345678901234567890 were already changed before they
 * got here, so they are refused rather than stored as "1e+21" or a rounded number.
 */
function numberAsText(value: number, field: string): string {
	if (!Number.isSafeInteger(value)) {
		throw new InputError(
			`${fieldLabel(field)} is the number ${String(value)}, which has no exact text form; send it as text`,
			field,
		);
	}
	return String(value);
}

/**
 * A required id. Strings are kept as given (SQL, quotes, emoji, right-to-left text) except
 * for surrounding blanks (String.prototype.trim: spaces, tabs, line breaks, no-break spaces);
 * safe integers become their decimal text.
 */
export function requireId(value: unknown, field: string): string {
	if (typeof value === 'number') return checkLength(numberAsText(value, field), field);
	if (typeof value !== 'string') {
		throw new InputError(
			value === undefined || value === null
				? `${fieldLabel(field)} is required`
				: `${fieldLabel(field)} must be a string or a number, not ${describeType(value)}`,
			field,
		);
	}
	const trimmed = value.trim();
	if (!trimmed) throw new InputError(`${fieldLabel(field)} is required`, field);
	return requireStorable(checkLength(trimmed, field), field);
}

function checkLength(text: string, field: string, max: number = LIMITS.idLength): string {
	if (text.length > max) {
		throw new InputError(
			`${fieldLabel(field)} is ${text.length} characters long; the limit is ${max}`,
			field,
		);
	}
	return text;
}

export function optionalId(value: unknown, field: string): string | undefined {
	return value === undefined || value === null || value === ''
		? undefined
		: requireId(value, field);
}

/** Optional text, stored exactly as given (not trimmed); safe integers become their text. */
export function optionalText(
	value: unknown,
	field: string,
	max: number = LIMITS.nameLength,
): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number') return checkLength(numberAsText(value, field), field, max);
	if (typeof value !== 'string') {
		throw new InputError(`${fieldLabel(field)} must be text, not ${describeType(value)}`, field);
	}
	return requireStorable(checkLength(value, field, max), field);
}

/**
 * An optional time (see parseTime for what is accepted); missing (undefined, null or '') gives
 * `fallback`, usually now.
 */
export function toTimestamp(
	value: unknown,
	field: string,
	fallback: number,
	options?: TimeOptions,
): number;
export function toTimestamp(
	value: unknown,
	field: string,
	fallback?: undefined,
	options?: TimeOptions,
): number | undefined;
export function toTimestamp(
	value: unknown,
	field: string,
	fallback?: number,
	options: TimeOptions = {},
): number | undefined {
	if (value === undefined || value === null || value === '') return fallback;
	return parseTime(value, field, options);
}

/**
 * A JSON object of properties, from an object or a JSON string; size-capped. Returns the JSON
 * text too, so the store does not serialise the same object twice. Keys and string values must
 * be storable text (no NUL, no lone surrogate): PostgreSQL's jsonb cannot hold either.
 */
export function parseProperties(
	value: unknown,
	field: string,
): { properties: Record<string, unknown>; json: string } {
	if (value === undefined || value === null || value === '') return { properties: {}, json: '{}' };
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw new InputError(`${fieldLabel(field)} is not valid JSON`, field);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InputError(
			`${fieldLabel(field)} must be an object, not ${describeType(parsed)}`,
			field,
		);
	}
	let json: string;
	try {
		json = JSON.stringify(parsed);
	} catch (error) {
		throw new InputError(
			`${fieldLabel(field)} cannot be stored as JSON: ${reasonOf(error)}`,
			field,
		);
	}
	// Length in UTF-16 units first: cheap, and only near the cap is the exact byte count needed.
	const bytes = json.length * 3 > LIMITS.propertiesBytes ? Buffer.byteLength(json) : json.length;
	if (bytes > LIMITS.propertiesBytes) {
		throw new InputError(
			`${fieldLabel(field)} is ${(bytes / 1024).toFixed(0)} KB as JSON; the limit is ${LIMITS.propertiesBytes / 1024} KB`,
			field,
		);
	}
	// JSON.stringify writes NUL and lone surrogates as escapes (\u0000, \ud800), so one scan of
	// the text finds them; only then is the (clean, parsed) copy walked to say where.
	// Without any `\u` in the text (the usual case) there is nothing to look for.
	if (json.includes('\\u') && UNSTORABLE_ESCAPE.test(json))
		throw unstorableProperty(JSON.parse(json), field);
	return { properties: parsed as Record<string, unknown>, json };
}

/** `\u0000` or `\udXXX` escapes, not preceded by an odd number of backslashes (an escaped `\`). */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** The first key or string value that cannot be stored, as an error naming its path. */
function unstorableProperty(root: unknown, field: string): InputError {
	const pending: Array<{ value: unknown; path: string }> = [{ value: root, path: field }];
	while (pending.length > 0) {
		const { value, path } = pending.pop()!;
		if (typeof value === 'string') {
			const reason = unstorableReason(value);
			if (reason)
				return new InputError(
					`${fieldLabel(path)} contains ${reason}, which cannot be stored`,
					field,
				);
		} else if (Array.isArray(value)) {
			value.forEach((item, i) => pending.push({ value: item, path: shortPath(path, `[${i}]`) }));
		} else if (typeof value === 'object' && value !== null) {
			for (const [key, item] of Object.entries(value)) {
				const reason = unstorableReason(key);
				if (reason) {
					return new InputError(
						`${fieldLabel(path)} has a key ${quoteText(key)} that contains ${reason}, which cannot be stored`,
						field,
					);
				}
				pending.push({ value: item, path: shortPath(path, pathStep(key)) });
			}
		}
	}
	// Unreachable when the scan matched; said plainly all the same.
	return new InputError(`${fieldLabel(field)} contains text that cannot be stored`, field);
}

/** Deep paths keep their start and end: properties.a.b…[3].c */
function shortPath(path: string, step: string): string {
	if (path.length + step.length <= 200) return path + step;
	const cut = path.indexOf('…');
	return `${cut >= 0 ? path.slice(0, cut) : path.slice(0, 100)}…${step}`;
}

/** One step of a property path, as shown in messages: bounded, however long or odd the key. */
function pathStep(key: string): string {
	return /^[A-Za-z_$][\w$]{0,39}$/.test(key) ? `.${key}` : `[${quoteText(key)}]`;
}

export function toProperties(value: unknown, field: string): Record<string, unknown> {
	return parseProperties(value, field).properties;
}

/** Tags from a list or comma-separated text; each trimmed, empty ones and repeats dropped. */
export function toTags(value: unknown, field: string): string[] | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const list = typeof value === 'string' ? value.split(',') : value;
	if (!Array.isArray(list))
		throw new InputError(`${fieldLabel(field)} must be a list or comma-separated text`, field);
	return [
		...new Set(
			list
				.map((tag, i) => optionalText(tag, `${field}[${i}]`)?.trim())
				.filter((t): t is string => !!t),
		),
	];
}

/** 0 to 3 stars, as a whole number or its digit ('2'); booleans, lists and '0x2' are refused. */
export function toRating(value: unknown, field: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const rating =
		typeof value === 'number'
			? value
			: typeof value === 'string' && /^\s*\d+\s*$/.test(value)
				? Number(value)
				: Number.NaN;
	if (!Number.isInteger(rating) || rating < 0 || rating > 3) {
		throw new InputError(`${fieldLabel(field)} must be a whole number of stars from 0 to 3`, field);
	}
	return rating;
}

/**
 * Reads one field of an item and checks it. Whatever goes wrong (a getter or Proxy that throws,
 * a value whose conversion throws) becomes an InputError naming the field, so one hostile item
 * is reported on its own and never fails its batch.
 */
type FieldParser<T> = (value: unknown, field: string) => T;

function read<T>(item: object, field: string, check: FieldParser<T>): T {
	let value: unknown;
	try {
		value = (item as Raw)[field];
	} catch (error) {
		throw new InputError(`${fieldLabel(field)} could not be read: ${reasonOf(error)}`, field);
	}
	try {
		return check(value, field);
	} catch (error) {
		if (error instanceof InputError) throw error;
		throw new InputError(`${fieldLabel(field)} could not be read: ${reasonOf(error)}`, field);
	}
}

/**
 * One field of a raw item, checked, for fields the parsers below do not cover (the store's
 * `journey`): `readField(raw, 'journey', requireId)`. A non-object item, a throwing getter or a
 * throwing check all become an InputError naming the field (or 'item').
 */
export function readField<T>(
	raw: unknown,
	field: string,
	check: (value: unknown, field: string) => T,
): T {
	return read(requireItem(raw), field, check);
}

/** A note: free text up to 2,000 characters, stored as given. */
function optionalNote(value: unknown, field: string): string | undefined {
	return optionalText(value, field, 2000);
}

/** A time field's parser: empty means `now` (or not given), zone-less times read per `options`. */
function timestamp(now: number, options: TimeOptions): FieldParser<number>;
function timestamp(now: undefined, options: TimeOptions): FieldParser<number | undefined>;
function timestamp(now: number | undefined, options: TimeOptions): FieldParser<number | undefined> {
	const time = { timeZone: checkTimeZone(options.timeZone) };
	return (value, field) => toTimestamp(value, field, now as number, time);
}

/** Reads each field of an item with its parser, in order; the first bad one throws, named. */
function readFields<P extends Record<string, FieldParser<unknown>>>(
	raw: unknown,
	parsers: P,
): { [K in keyof P]: ReturnType<P[K]> } {
	const item = requireItem(raw);
	const fields = {} as { [K in keyof P]: ReturnType<P[K]> };
	for (const field of Object.keys(parsers) as Array<keyof P & string>) {
		fields[field] = read(item, field, parsers[field]) as ReturnType<P[typeof field]>;
	}
	return fields;
}

/** The item itself must be an object (a JSON object of fields). */
function requireItem(raw: unknown): object {
	let isObject = false;
	try {
		isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
	} catch {
		// A revoked Proxy: not an item.
	}
	if (!isObject) {
		throw new InputError(`Item must be an object of fields, not ${describeType(raw)}`, 'item');
	}
	return raw as object;
}

export interface EventInput {
	customerId: string;
	eventType: string;
	channel?: string;
	eventId?: string;
	occurredAt: number;
	properties: Record<string, unknown>;
	/** `properties` as stored. */
	propertiesJson: string;
}

/** `options.timeZone`: how to read zone-less times (see parseTime); omitted, they are refused. */
export function parseEvent(raw: unknown, now: number, options: TimeOptions = {}): EventInput {
	// The ingest hot path: fields read one by one in a fixed order (properties first), without
	// the per-item parser table and spreads of readFields; the checks are the same.
	const item = requireItem(raw);
	const time: TimeOptions = { timeZone: checkTimeZone(options.timeZone) };
	const { properties, json } = read(item, 'properties', parseProperties);
	return {
		customerId: read(item, 'customerId', requireId),
		eventType: read(item, 'eventType', requireId),
		channel: read(item, 'channel', optionalText),
		eventId: read(item, 'eventId', optionalId),
		occurredAt: read(item, 'occurredAt', (value, field) => toTimestamp(value, field, now, time)),
		properties,
		propertiesJson: json,
	};
}

export interface CustomerInput {
	customerId: string;
	name?: string;
	email?: string;
	phone?: string;
	owner?: string;
	department?: string;
	rating?: number;
	tags?: string[];
	properties?: Record<string, unknown>;
	lastContactAt?: number;
	/** Stage to set in the target journey; omitted = default stage for customers new to it. */
	stage?: string;
	/** When the customer entered that stage (imports from another system); omitted = now. */
	stageEnteredAt?: number;
}

export function parseCustomer(raw: unknown, options: TimeOptions = {}): CustomerInput {
	return readFields(raw, {
		customerId: requireId,
		name: optionalText,
		email: optionalText,
		phone: optionalText,
		owner: optionalText,
		department: optionalText,
		rating: toRating,
		tags: toTags,
		properties: (v, field) => (v === undefined ? undefined : toProperties(v, field)),
		lastContactAt: timestamp(undefined, options),
		stage: optionalId,
		stageEnteredAt: timestamp(undefined, options),
	});
}

export interface ManualMoveInput {
	customerId: string;
	stage: string;
	actor?: string;
	note?: string;
	occurredAt: number;
}

export function parseManualMove(
	raw: unknown,
	now: number,
	options: TimeOptions = {},
): ManualMoveInput {
	return readFields(raw, { customerId: requireId, stage: requireId, ...byHand(now, options) });
}

/** Who moved a customer by hand, why and when (Set Stage, Set Status). */
function byHand(now: number, options: TimeOptions) {
	return { actor: optionalText, note: optionalNote, occurredAt: timestamp(now, options) };
}

/** A contact an employee made with a customer (Customer → Log Contact). */
export interface ContactInput {
	customerId: string;
	employee?: string;
	channel?: string;
	note?: string;
	contactedAt: number;
}

export function parseContact(raw: unknown, now: number, options: TimeOptions = {}): ContactInput {
	return readFields(raw, {
		customerId: requireId,
		contactedAt: timestamp(now, options),
		employee: optionalText,
		channel: optionalText,
		note: optionalNote,
	});
}

/** Tags one customer may carry, and the longest tag: labels to filter by, not documents. */
export const TAG_LIMITS = { perCustomer: 100, length: 100 } as const;

/**
 * Tags for Customer → Update, Get Many and Assign: a list, or comma-separated text. Stricter than
 * an import's: a tag in a list may not contain a comma (it could never be typed back into the
 * form or matched), and at most TAG_LIMITS.perCustomer tags of TAG_LIMITS.length characters.
 */
export function toTagList(value: unknown, field: string): string[] | undefined {
	const tags = toTags(value, field);
	if (tags === undefined) return undefined;
	tags.forEach((tag, i) => {
		if (tag.includes(',')) {
			throw new InputError(
				`${fieldLabel(`${field}[${i}]`)} contains a comma; tags are separated by commas, so a tag cannot hold one`,
				field,
			);
		}
		if (tag.length > TAG_LIMITS.length) {
			throw new InputError(
				`${fieldLabel(`${field}[${i}]`)} is ${tag.length} characters long; the limit is ${TAG_LIMITS.length}`,
				field,
			);
		}
	});
	if (tags.length > TAG_LIMITS.perCustomer) {
		throw new InputError(
			`${fieldLabel(field)} has ${tags.length} tags; the limit is ${TAG_LIMITS.perCustomer}`,
			field,
		);
	}
	return tags;
}

/**
 * An employee as an owner: an ID or an e-mail address — letters, digits and . _ - + @, no
 * spaces — so "Li Wei", "li.wei, wang.fang" or a pasted "<li@x.com>" are caught, not stored as
 * an owner no filter would ever match.
 */
const OWNER_FORMAT = /^[\p{L}\p{N}._+@-]+$/u;

export function toOwner(value: unknown, field: string): string | undefined {
	const owner = optionalText(value, field)?.trim();
	if (!owner) return undefined;
	if (!OWNER_FORMAT.test(owner)) {
		throw new InputError(
			`${fieldLabel(field)} ${quoteText(owner)} is not an employee ID or e-mail address (letters, digits and . _ - + @, no spaces or commas)`,
			field,
		);
	}
	return owner;
}

/**
 * A list field: comma-separated text or a list, each entry checked by `each` (its errors name
 * the list field; the message says which entry); blanks and repeats dropped.
 */
function listOf(
	each: (value: unknown, field: string) => string | undefined,
): (value: unknown, field: string) => string[] | undefined {
	return (value, field) => {
		if (value === undefined || value === null || value === '') return undefined;
		const list = typeof value === 'string' ? value.split(',') : value;
		if (!Array.isArray(list))
			throw new InputError(`${fieldLabel(field)} must be a list or comma-separated text`, field);
		const entries: string[] = [];
		list.forEach((entry, i) => {
			try {
				const checked = each(entry, `${field}[${i}]`)?.trim();
				if (checked) entries.push(checked);
			} catch (error) {
				throw error instanceof InputError ? new InputError(error.message, field) : error;
			}
		});
		return entries.length ? [...new Set(entries)] : undefined;
	};
}

/** A list of employees (Assign, Get Many's owners, a scope). */
export const toOwnerList = listOf(toOwner);

/** Text values separated by commas (departments, stage keys). */
export const toTextList = listOf((value, field) => optionalText(value, field));

/** A whole, non-negative number of days (or stars), or undefined when empty. */
function optionalCount(value: unknown, field: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const count =
		typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
	if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
		throw new InputError(`${fieldLabel(field)} must be a number of 0 or more`, field);
	}
	return count;
}

/** One of a field's choices. */
function oneOf<T extends string>(choices: readonly T[], fallback: T): FieldParser<T> {
	return (value, field) => {
		if (value === undefined || value === null || value === '') return fallback;
		if (typeof value !== 'string' || !choices.includes(value as T)) {
			throw new InputError(
				`${fieldLabel(field)} must be one of ${choices.join(', ')}, not ${typeof value === 'string' ? quoteText(value) : describeType(value)}`,
				field,
			);
		}
		return value as T;
	};
}

/**
 * Whose customers an operation may read or change, a run may look at, or a report counts
 * (scopeFields in the nodes): every node and the store keep to this one shape.
 */
export type Scope =
	| { kind: 'all' }
	| { kind: 'departments'; departments: string[] }
	| { kind: 'owners'; owners: string[] };

/** A scope that names someone. */
export type NamedScope = Exclude<Scope, { kind: 'all' }>;

/** The customer field a named scope looks at, and the values it lets in. */
export function scopeRule(scope: NamedScope): {
	field: 'owner' | 'department';
	names: string[];
} {
	return scope.kind === 'owners'
		? { field: 'owner', names: scope.owners }
		: { field: 'department', names: scope.departments };
}

/**
 * Whether a customer (or a history row) with this owner and department is inside the scope
 * (none: all customers).
 */
export function inScope(
	scope: Scope | undefined,
	placement: { owner: string | null; department: string | null },
): boolean {
	if (!scope || scope.kind === 'all') return true;
	// Read straight from the scope: a report asks this once per move it counts (millions).
	return scope.kind === 'owners'
		? scope.owners.includes(placement.owner ?? '')
		: scope.departments.includes(placement.department ?? '');
}

/** A named scope as messages show it: "owners li.wei, sun.li". */
export function scopeText(scope: NamedScope, separator = ' '): string {
	return `${scope.kind}${separator}${scopeRule(scope).names.join(', ')}`;
}

/** A scope from the Scope field and its list; a scope without names would hide every customer. */
export function toScope(value: unknown): Scope {
	if (value === undefined || value === null || value === '') return { kind: 'all' };
	// The Scope field's value alone ('owners') reads as that scope without its list.
	if (typeof value === 'string') value = { scope: value };
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw new InputError(
			`${fieldLabel('scope')} must be all, departments or owners with its list, not ${describeType(value)}`,
			'scope',
		);
	}
	const raw = value as Raw;
	const { scope } = readFields(raw, {
		scope: oneOf(['all', 'departments', 'owners'] as const, 'all'),
	});
	if (scope === 'all') return { kind: 'all' };
	if (scope === 'departments') {
		const departments = read(raw, 'departments', toTextList);
		if (!departments) throw new InputError(`Departments is required for this scope`, 'departments');
		return { kind: 'departments', departments };
	}
	const owners = read(raw, 'owners', toOwnerList);
	if (!owners) throw new InputError(`Owners is required for this scope`, 'owners');
	return { kind: 'owners', owners };
}

export interface CustomerUpdateInput extends Omit<CustomerInput, 'lastContactAt' | 'stage'> {
	scope: Scope;
	tagMode: 'add' | 'remove' | 'replace';
	propertiesMode: 'merge' | 'replace';
	actor?: string;
}

/** Customer → Update: only the fields given change; tags and properties as their mode says. */
export function parseCustomerUpdate(raw: unknown): CustomerUpdateInput {
	return readFields(raw, {
		customerId: requireId,
		scope: toScope,
		name: optionalText,
		email: optionalText,
		phone: optionalText,
		owner: toOwner,
		department: optionalText,
		rating: toRating,
		tags: toTagList,
		tagMode: oneOf(['add', 'remove', 'replace'] as const, 'add'),
		properties: (v, field) => (v === undefined || v === '' ? undefined : toProperties(v, field)),
		propertiesMode: oneOf(['merge', 'replace'] as const, 'merge'),
		actor: optionalText,
	});
}

/** Which customers Get Many and Assign work on; every field narrows the set. */
export interface CustomerFilter {
	journey?: string;
	stages?: string[];
	owners?: string[];
	department?: string;
	unassigned?: boolean;
	tagsAny?: string[];
	tagsAll?: string[];
	minRating?: number;
	minDaysInStage?: number;
	maxDaysInStage?: number;
	noContactForDays?: number;
	createdAfter?: number;
	createdBefore?: number;
}

export type CustomerSortField =
	| 'customerId'
	| 'createdAt'
	| 'updatedAt'
	| 'lastContactAt'
	| 'rating';

export interface CustomerQuery {
	filter: CustomerFilter;
	scope: Scope;
	sortBy: CustomerSortField;
	descending: boolean;
	/** Undefined: every customer that matches (Return All). */
	limit?: number;
}

/** Get Many's (and Assign's) filters, sort and limit, each checked and named. */
export function parseCustomerQuery(raw: unknown, options: TimeOptions = {}): CustomerQuery {
	const when = timestamp(undefined, options);
	const filter = readFields(raw, {
		journey: optionalId,
		stages: toTextList,
		owners: toOwnerList,
		department: optionalText,
		unassigned: (v, field) => {
			if (v === undefined || v === null || v === '') return undefined;
			if (typeof v !== 'boolean')
				throw new InputError(`${fieldLabel(field)} must be true or false`, field);
			return v;
		},
		tagsAny: toTagList,
		tagsAll: toTagList,
		minRating: toRating,
		minDaysInStage: optionalCount,
		maxDaysInStage: optionalCount,
		noContactForDays: optionalCount,
		createdAfter: when,
		createdBefore: when,
	});
	if (
		!filter.journey &&
		(filter.stages || filter.minDaysInStage !== undefined || filter.maxDaysInStage !== undefined)
	) {
		const field = filter.stages
			? 'stages'
			: filter.minDaysInStage !== undefined
				? 'minDaysInStage'
				: 'maxDaysInStage';
		throw new InputError(`${fieldLabel(field)} needs a Journey to look in`, field);
	}
	if (filter.unassigned && filter.owners) {
		throw new InputError(
			'Unassigned Only and Owners cannot both be set: unassigned customers have no owner',
			'unassigned',
		);
	}
	const rest = readFields(raw, {
		scope: toScope,
		sortBy: oneOf(
			['customerId', 'createdAt', 'updatedAt', 'lastContactAt', 'rating'] as const,
			'customerId',
		),
		sortDirection: oneOf(['ascending', 'descending'] as const, 'ascending'),
		limit: (v, field) => {
			if (v === undefined || v === null || v === '') return undefined;
			if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
				throw new InputError(`${fieldLabel(field)} must be a whole number of 1 or more`, field);
			return v;
		},
	});
	const defined = Object.fromEntries(
		Object.entries(filter).filter(([, value]) => value !== undefined),
	) as CustomerFilter;
	return {
		filter: defined,
		scope: rest.scope,
		sortBy: rest.sortBy,
		descending: rest.sortDirection === 'descending',
		limit: rest.limit,
	};
}

/** Customer → Assign: who gets the customers, and how they are shared out. */
export interface AssignInput {
	employees: string[];
	method: 'roundRobin' | 'leastLoaded';
	actor?: string;
}

export function parseAssign(raw: unknown): AssignInput {
	const fields = readFields(raw, {
		employees: toOwnerList,
		method: oneOf(['roundRobin', 'leastLoaded'] as const, 'roundRobin'),
		actor: optionalText,
	});
	if (!fields.employees) throw new InputError('Employees is required', 'employees');
	return { ...fields, employees: fields.employees };
}

/** Customer → Set Status: the journey's sales-facing status, which moves the stage. */
export interface StatusInput extends Omit<ManualMoveInput, 'stage'> {
	journey: string;
	status: string;
	scope: Scope;
}

export function parseStatus(raw: unknown, now: number, options: TimeOptions = {}): StatusInput {
	return readFields(raw, {
		customerId: requireId,
		journey: requireId,
		status: requireId,
		scope: toScope,
		...byHand(now, options),
	});
}

/** A customer id and the scope it must be in (Delete, Stage As Of). */
export function parseScopedCustomer(raw: unknown): { customerId: string; scope: Scope } {
	return readFields(raw, { customerId: requireId, scope: toScope });
}

/** Customer → Stage As Of: whose stages, and the past moment to look at (required). */
export function parseStageAsOf(
	raw: unknown,
	options: TimeOptions = {},
): { customerId: string; scope: Scope; asOf: number } {
	const required = timestamp(undefined, options);
	return readFields(raw, {
		customerId: requireId,
		scope: toScope,
		asOf: (value, field) => {
			const at = required(value, field);
			if (at === undefined) throw new InputError(`${fieldLabel(field)} is required`, field);
			return at;
		},
	});
}
