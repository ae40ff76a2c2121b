import { InputError } from './errors';
import { LIMITS } from './limits';

/**
 * Checks for what reaches the engine from webhooks, imports and expressions. Every check throws
 * an InputError naming the field, so one bad item can be reported without touching the others.
 */

type Raw = Record<string, unknown>;

export function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A required id: strings are kept verbatim (SQL, quotes, emoji — all stored as given); numbers become strings. */
export function requireId(value: unknown, field: string): string {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string') {
		throw new InputError(
			value === undefined || value === null || value === ''
				? `${field} is required`
				: `${field} must be a string or a number, not ${describeType(value)}`,
			field,
		);
	}
	const trimmed = value.trim();
	if (!trimmed) throw new InputError(`${field} is required`, field);
	if (trimmed.length > LIMITS.idLength) {
		throw new InputError(
			`${field} is ${trimmed.length} characters long; the limit is ${LIMITS.idLength}`,
			field,
		);
	}
	return trimmed;
}

export function optionalId(value: unknown, field: string): string | undefined {
	return value === undefined || value === null || value === ''
		? undefined
		: requireId(value, field);
}

export function optionalText(
	value: unknown,
	field: string,
	max: number = LIMITS.nameLength,
): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string' && typeof value !== 'number') {
		throw new InputError(`${field} must be text, not ${describeType(value)}`, field);
	}
	const text = String(value);
	if (text.length > max)
		throw new InputError(`${field} is ${text.length} characters long; the limit is ${max}`, field);
	return text;
}

/**
 * Accepts ISO strings, epoch milliseconds, Date and luxon DateTime (what `$now` gives in an
 * expression); returns epoch milliseconds. Missing → `fallback` (usually now).
 */
export function toTimestamp(value: unknown, field: string, fallback: number): number;
export function toTimestamp(value: unknown, field: string): number | undefined;
export function toTimestamp(value: unknown, field: string, fallback?: number): number | undefined {
	if (value === undefined || value === null || value === '') return fallback;
	let millis = Number.NaN;
	if (typeof value === 'number') millis = value;
	else if (typeof value === 'string')
		millis = /^\d{10,13}$/.test(value.trim()) ? Number(value) : Date.parse(value);
	else if (value instanceof Date) millis = value.getTime();
	else if (
		typeof value === 'object' &&
		typeof (value as { toMillis?: unknown }).toMillis === 'function'
	) {
		millis = (value as { toMillis(): number }).toMillis();
	}
	// Years 1970–9999 only: anything else is a typo or a unit mistake (seconds vs. milliseconds).
	if (!Number.isFinite(millis) || millis < 0 || millis > 253402300799999) {
		const shown = typeof value === 'string' ? `'${value.slice(0, 40)}'` : describeType(value);
		throw new InputError(
			`${field} is not a valid date: ${shown} (use ISO 8601, e.g. 2026-11-22T10:00:00Z)`,
			field,
		);
	}
	return Math.trunc(millis);
}

/**
 * A JSON object of properties, from an object or a JSON string; size-capped. Returns the JSON
 * text too, so the store does not serialise the same object twice.
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
			throw new InputError(`${field} is not valid JSON`, field);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InputError(`${field} must be an object, not ${describeType(parsed)}`, field);
	}
	let json: string;
	try {
		json = JSON.stringify(parsed);
	} catch (error) {
		throw new InputError(`${field} cannot be stored as JSON: ${(error as Error).message}`, field);
	}
	// Length in UTF-16 units first: cheap, and only near the cap is the exact byte count needed.
	const bytes = json.length * 3 > LIMITS.propertiesBytes ? Buffer.byteLength(json) : json.length;
	if (bytes > LIMITS.propertiesBytes) {
		throw new InputError(
			`${field} is ${(bytes / 1024).toFixed(0)} KB as JSON; the limit is ${LIMITS.propertiesBytes / 1024} KB`,
			field,
		);
	}
	return { properties: parsed as Record<string, unknown>, json };
}

export function toProperties(value: unknown, field: string): Record<string, unknown> {
	return parseProperties(value, field).properties;
}

export function toTags(value: unknown, field: string): string[] | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const list = typeof value === 'string' ? value.split(',') : value;
	if (!Array.isArray(list))
		throw new InputError(`${field} must be a list or comma-separated text`, field);
	return [
		...new Set(
			list
				.map((tag, i) => optionalText(tag, `${field}[${i}]`)?.trim())
				.filter((t): t is string => !!t),
		),
	];
}

export function toRating(value: unknown, field: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const rating = Number(value);
	if (!Number.isInteger(rating) || rating < 0 || rating > 3) {
		throw new InputError(`${field} must be a whole number of stars from 0 to 3`, field);
	}
	return rating;
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

export function parseEvent(raw: Raw, now: number): EventInput {
	const { properties, json } = parseProperties(raw.properties, 'properties');
	return {
		customerId: requireId(raw.customerId, 'customerId'),
		eventType: requireId(raw.eventType, 'eventType'),
		channel: optionalText(raw.channel, 'channel'),
		eventId: optionalId(raw.eventId, 'eventId'),
		occurredAt: toTimestamp(raw.occurredAt, 'occurredAt', now),
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
}

export function parseCustomer(raw: Raw): CustomerInput {
	return {
		customerId: requireId(raw.customerId, 'customerId'),
		name: optionalText(raw.name, 'name'),
		email: optionalText(raw.email, 'email'),
		phone: optionalText(raw.phone, 'phone'),
		owner: optionalText(raw.owner, 'owner'),
		department: optionalText(raw.department, 'department'),
		rating: toRating(raw.rating, 'rating'),
		tags: toTags(raw.tags, 'tags'),
		properties:
			raw.properties === undefined ? undefined : toProperties(raw.properties, 'properties'),
		lastContactAt: toTimestamp(raw.lastContactAt, 'lastContactAt'),
		stage: optionalId(raw.stage, 'stage'),
	};
}

export interface ManualMoveInput {
	customerId: string;
	stage: string;
	actor?: string;
	note?: string;
	occurredAt: number;
}

export function parseManualMove(raw: Raw, now: number): ManualMoveInput {
	return {
		customerId: requireId(raw.customerId, 'customerId'),
		stage: requireId(raw.stage, 'stage'),
		actor: optionalText(raw.actor, 'actor'),
		note: optionalText(raw.note, 'note', 2000),
		occurredAt: toTimestamp(raw.occurredAt, 'occurredAt', now),
	};
}
