import fc from 'fast-check';
import { DateTime } from 'luxon';
import { InputError } from '../../nodes/engine/errors';
import { parseCustomer, parseEvent, parseManualMove } from '../../nodes/engine/inputs';
import { FIELD_LABELS } from '../../nodes/engine/labels';
import { LIMITS } from '../../nodes/engine/limits';
import { MAX_EPOCH_MILLIS, MIN_EPOCH_MILLIS, parseTime } from '../../nodes/engine/time';

/**
 * Text and time fidelity under hostile input. Every generated item comes with what the rules
 * say should happen to each field, worked out here independently of the parser (UTF-8 round
 * trip for storability, luxon's own reading for times). Then, for every item:
 * - nothing but an InputError is ever thrown;
 * - an error names a field, its message mentions that field, and it is one of the fields the
 *   rules refuse (or whose outcome is left open);
 * - an accepted item stores every string exactly as sent (ids: trimmed), every time as luxon
 *   reads it; an item the rules refuse is never accepted.
 */

const NOW = Date.parse('2026-11-22T10:00:00Z');
const RUNS = { event: 4000, customer: 3500, move: 3000 };

// ---- what the rules say, worked out independently -------------------------------------------

const REFUSE = Symbol('refuse');
/** Either outcome is fine, but an accepted value must pass the check. */
interface Open {
	open: (accepted: unknown) => void;
}
type Expected = unknown;

/** Storable: no NUL, and UTF-8 can hold it (a lone surrogate comes back as U+FFFD). */
const storable = (text: string) =>
	!text.includes('\u0000') && Buffer.from(text, 'utf8').toString('utf8') === text;

function expectId(value: unknown, required: boolean): Expected {
	if (!required && (value === undefined || value === null || value === '')) return undefined;
	if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : REFUSE;
	if (typeof value !== 'string') return REFUSE;
	const trimmed = value.trim();
	if (!trimmed || trimmed.length > LIMITS.idLength || !storable(trimmed)) return REFUSE;
	return trimmed;
}

function expectText(value: unknown, max: number = LIMITS.nameLength): Expected {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : REFUSE;
	if (typeof value !== 'string') return REFUSE;
	return value.length > max || !storable(value) ? REFUSE : value;
}

function expectTags(value: unknown): Expected {
	if (value === undefined || value === null || value === '') return undefined;
	const list = typeof value === 'string' ? value.split(',') : value;
	if (!Array.isArray(list)) return REFUSE;
	const tags: string[] = [];
	for (const tag of list) {
		const text = expectText(tag);
		if (text === REFUSE) return REFUSE;
		const trimmed = (text as string | undefined)?.trim();
		if (trimmed && !tags.includes(trimmed)) tags.push(trimmed);
	}
	return tags;
}

function expectRating(value: unknown): Expected {
	if (value === undefined || value === null || value === '') return undefined;
	const n = typeof value === 'number' ? value : typeof value === 'string' ? value.trim() : '';
	return [0, 1, 2, 3, '0', '1', '2', '3'].includes(n as never) ? Number(n) : REFUSE;
}

/** Properties: every key and string value anywhere must be storable; JSON-safe values only. */
function expectProperties(value: unknown): Expected {
	if (value === undefined || value === null || value === '') return {};
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			return REFUSE;
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return REFUSE;
	const clean = (v: unknown): boolean =>
		typeof v === 'string'
			? storable(v)
			: typeof v === 'object' && v !== null
				? Object.entries(v).every(([k, item]) => storable(k) && clean(item))
				: true;
	return clean(parsed) && Buffer.byteLength(JSON.stringify(parsed)) <= LIMITS.propertiesBytes
		? parsed
		: REFUSE;
}

/** A generated time and what should become of it. */
interface TimeCase {
	value: unknown;
	expected: Expected;
}

// ---- generators ------------------------------------------------------------------------------

const loneHigh = fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c));
const loneLow = fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Characters that can be stored, however odd: every one must come back exactly as sent. */
const storableUnit = fc.oneof(
	{ weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }) },
	{ weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }) },
	// Right-to-left marks and overrides, emoji (with joiners and flags), combining marks.
	fc.constantFrom('\u200F', '\u202E', '\u061C', '\u2066', '\u200E', 'עברית', 'العربية'),
	fc.constantFrom('😀', '👩‍👩‍👧', '🇩🇪', '🏳️‍🌈', '\uD83D\uDE00', '\uDBFF\uDFFF'),
	fc.constantFrom('e\u0301', '\u0301', '\u0338', 'ก\u0e31', '\u200D', '\uFFFE', '\uFFFF'),
	// Blanks that trim() removes, other control characters, SQL and JSON metacharacters.
	fc.constantFrom(
		' ',
		'\t',
		'\n',
		'\r\n',
		'\u00A0',
		'\uFEFF',
		'\u3000',
		'\u2028',
		'\u0001',
		'\u001b',
	),
	fc.constantFrom("'", '"', '\\', "'; DROP TABLE customers; --", '\\u0000', '%', '_', ',', '$1'),
);
/** What cannot be stored: NUL and lone surrogates (a cut emoji). */
const unstorableUnit = fc.oneof(loneHigh, loneLow, fc.constant('\u0000'), fc.constant('\uD83D'));
const storableText = fc.string({ unit: storableUnit, maxLength: 12 });
const unstorableText = fc
	.tuple(storableText, unstorableUnit, storableText)
	.map(([before, bad, after]) => before + bad + after);
const hostileText = fc.oneof(
	{ weight: 16, arbitrary: storableText },
	{ weight: 3, arbitrary: unstorableText },
	// Just over and under the limits (ids 512, names 200, notes 2000).
	{
		weight: 1,
		arbitrary: fc
			.tuple(fc.constantFrom(199, 200, 201, 511, 512, 513, 1999, 2000, 2001), storableUnit)
			.map(([n, unit]) => 'x'.repeat(Math.max(0, n - unit.length)) + unit),
	},
);

/**
 * A value fast-check must not touch (it inspects generated values, and these throw or are
 * revoked Proxies): generated as a recipe, made only when the item is built.
 */
class Hostile {
	constructor(readonly make: () => unknown) {}
}
const materialize = (value: unknown): unknown =>
	value instanceof Hostile
		? value.make()
		: Array.isArray(value)
			? value.map((item) => (item instanceof Hostile ? item.make() : item))
			: value;

const throwingValue = fc.constantFrom<() => unknown>(
	() => ({
		toString() {
			throw new Error('toString \uD800 says no');
		},
		valueOf() {
			throw new Error('valueOf says no');
		},
	}),
	() => ({
		get toMillis() {
			throw new Error('getter says no');
		},
	}),
	() => ({ [Symbol.toPrimitive]: () => Symbol('no') }),
	() =>
		new Proxy(
			{},
			{
				get() {
					throw new RangeError('proxy says no');
				},
				getPrototypeOf() {
					throw new RangeError('proxy says no');
				},
			},
		),
	() => {
		const { proxy, revoke } = Proxy.revocable({}, {});
		revoke();
		return proxy;
	},
	() => ({ [Symbol.toStringTag]: 'Date' }),
	() => Object.create(null),
);

const wrongType = fc.oneof(
	fc.boolean(),
	fc.constantFrom(null, undefined, Number.NaN, Infinity, -Infinity, -0, 1e21, 0.1 + 0.2),
	fc.integer(),
	fc.double(),
	fc.bigInt(),
	fc.string().map((s) => Symbol(s)),
	fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
	fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
	fc.constant(() => 'a function'),
	throwingValue.map((make) => new Hostile(make)),
);

/** Values for a text field: mostly hostile text, sometimes a wrong type. */
const textValue = fc.oneof(
	{ weight: 12, arbitrary: hostileText },
	{ weight: 1, arbitrary: wrongType },
);

const ZONES = [
	undefined,
	'',
	'UTC',
	'Europe/Berlin',
	'America/Sao_Paulo',
	'America/New_York',
	'Asia/Kolkata',
	'Australia/Lord_Howe', // half-hour DST
	'Pacific/Chatham', // +12:45
];

const year = fc.integer({ min: 1971, max: 9998 });
const two = (n: number) => String(n).padStart(2, '0');
const clock = fc.record({
	hour: fc.integer({ min: 0, max: 23 }),
	minute: fc.integer({ min: 0, max: 59 }),
	second: fc.integer({ min: 0, max: 59 }),
});
const calendarDay = fc
	.record({ year, month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
	.map((d) => ({ ...d, day: Math.min(d.day, DateTime.utc(d.year, d.month).daysInMonth!) }));
const epochMillis = fc
	.bigInt({ min: BigInt(MIN_EPOCH_MILLIS), max: BigInt(MAX_EPOCH_MILLIS) })
	.map(Number);

/** Times, each with its expected reading, for a given time zone option. */
function timeCase(timeZone: string | undefined): fc.Arbitrary<TimeCase> {
	const zoned = (value: string): TimeCase => ({
		value,
		expected: DateTime.fromISO(value.trim().replace(' ', 'T')).toMillis(),
	});
	// Weighted so that most items' times are read (and checked), not refused.
	const often = (arbitrary: fc.Arbitrary<TimeCase>) => ({ weight: 6, arbitrary });
	return fc.oneof(
		// Instants written with Z or an offset: what luxon reads, whatever the option.
		often(
			fc
				.tuple(
					fc.bigInt({ min: 0n, max: BigInt(MAX_EPOCH_MILLIS - 86_400_000) }).map(Number),
					fc.constantFrom('UTC', 'UTC+8', 'UTC-5', 'UTC+5:45', 'UTC-9:30', 'UTC+14'),
					fc.constantFrom('iso', 'noMillis', 'basicOffset', 'space', 'date'),
				)
				.map(([millis, offset, style]) => {
					const at = DateTime.fromMillis(millis, { zone: offset });
					if (style === 'date') return zoned(new Date(millis).toISOString());
					const iso = at.toISO({
						suppressMilliseconds: style === 'noMillis',
						format: 'extended',
						includeOffset: true,
					})!;
					if (style === 'basicOffset') return zoned(iso.replace(/([+-]\d\d):(\d\d)$/, '$1$2'));
					return zoned(style === 'space' ? iso.replace('T', ' ') : iso);
				})
				.filter((c) => (c.expected as number) >= 0),
		),
		// Epoch milliseconds, as a number or as digits.
		often(epochMillis.map((millis) => ({ value: millis, expected: millis }))),
		often(epochMillis.map((millis) => ({ value: String(millis), expected: millis }))),
		// Epoch seconds (1973..5138), as a number or as digits: refused.
		fc
			.integer({ min: 100_000_000, max: 2_000_000_000 })
			.chain((s) => fc.constantFrom<unknown>(s, String(s), s + 0.5))
			.map((value) => ({ value, expected: REFUSE })),
		// Zone-less wall-clock times: read in the option's zone, refused without one or where the
		// clocks skip them.
		often(
			fc.tuple(calendarDay, clock, fc.boolean()).map(([d, t, withSeconds]) => {
				const text = `${d.year}-${two(d.month)}-${two(d.day)}T${two(t.hour)}:${two(t.minute)}${withSeconds ? `:${two(t.second)}` : ''}`;
				if (!timeZone) return { value: text, expected: REFUSE };
				const wall = DateTime.fromObject(
					{ ...d, ...t, second: withSeconds ? t.second : 0 },
					{ zone: timeZone },
				);
				const skipped = wall.hour !== t.hour || wall.minute !== t.minute;
				return { value: text, expected: skipped ? REFUSE : wall.toMillis() };
			}),
		),
		// A date alone: that day's start in the option's zone; refused without one.
		often(
			calendarDay.map((d) => {
				const text = `${d.year}-${two(d.month)}-${two(d.day)}`;
				if (!timeZone) return { value: text, expected: REFUSE };
				return { value: text, expected: DateTime.fromObject(d, { zone: timeZone }).toMillis() };
			}),
		),
		// Impossible calendar dates and times: refused, whatever the zone.
		fc
			.tuple(calendarDay, fc.constantFrom('day', 'month', 'hour', 'minute', 'second'))
			.map(([d, what]) => {
				const day = what === 'day' ? DateTime.utc(d.year, d.month).daysInMonth! + 1 : d.day;
				const month = what === 'month' ? 13 : d.month;
				const hour = what === 'hour' ? 24 : 10;
				const minute = what === 'minute' ? 60 : 0;
				const second = what === 'second' ? 60 : 0;
				return {
					value: `${d.year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}Z`,
					expected: REFUSE,
				};
			}),
		fc
			.constantFrom('2024-02-30T10:00:00Z', '2023-02-29T10:00:00Z', '2026-11-31', '22/11/2026')
			.map((value) => ({ value, expected: REFUSE })),
		// Dates and DateTimes.
		often(epochMillis.map((millis) => ({ value: new Date(millis), expected: millis }))),
		often(epochMillis.map((millis) => ({ value: DateTime.fromMillis(millis), expected: millis }))),
		fc.constant({ value: new Date(Number.NaN), expected: REFUSE }),
		// Anything: hostile text and wrong types must be refused, or read as luxon reads them.
		fc.oneof(hostileText, wrongType).map((value) => ({ value, expected: openTime(value) })),
		// Missing: the fallback.
		often(fc.constantFrom(undefined, null, '').map((value) => ({ value, expected: 'missing' }))),
	);
}

function openTime(value: unknown): Expected {
	if (value === undefined || value === null || value === '') return 'missing';
	if (typeof value === 'number' || typeof value === 'bigint' || typeof value !== 'string') {
		return {
			open: (accepted: unknown) => {
				expect(typeof value).toBe('number');
				expect(accepted).toBe(value);
			},
		} satisfies Open;
	}
	return {
		open: (accepted: unknown) => {
			const text = value.trim();
			if (/^\d+$/.test(text)) expect(accepted).toBe(Number(text));
			else expect(accepted).toBe(DateTime.fromISO(text.replace(' ', 'T')).toMillis());
		},
	} satisfies Open;
}

/** Properties: clean or hostile objects, as objects or JSON text; a few unserialisable ones. */
// Rarely unstorable: an object holds many strings, and one bad string refuses the whole item.
const propertyText = fc.oneof(
	{ weight: 40, arbitrary: storableText },
	{ weight: 1, arbitrary: unstorableText },
);
const jsonLeaf = fc.oneof(propertyText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const propertyObject = fc.dictionary(
	propertyText,
	fc.oneof(
		jsonLeaf,
		fc.array(jsonLeaf, { maxLength: 3 }),
		fc.dictionary(propertyText, jsonLeaf, { maxKeys: 2 }),
	),
	{ maxKeys: 4, noNullPrototype: true },
);
const propertiesCase: fc.Arbitrary<{ value: unknown; expected: Expected }> = fc.oneof(
	{
		weight: 16,
		arbitrary: propertyObject.map((value) => ({ value, expected: expectProperties(value) })),
	},
	{
		weight: 8,
		arbitrary: propertyObject.map((object) => {
			const value = JSON.stringify(object);
			return { value, expected: expectProperties(value) };
		}),
	},
	fc.constantFrom(
		{ value: '{"a":"\\u0000"}', expected: REFUSE },
		{ value: '{"a":"\\\\u0000"}', expected: { a: '\\u0000' } },
		{ value: '{"\\ud800":1}', expected: REFUSE },
		{ value: '{"a":["\\udc00"]}', expected: REFUSE },
		{ value: '{"a":"\\ud83d\\ude00"}', expected: { a: '😀' } },
		{ value: '[1,2]', expected: REFUSE },
		{ value: '42', expected: REFUSE },
		{ value: '{', expected: REFUSE },
		{ value: { big: BigInt(1) }, expected: REFUSE },
		{ value: [], expected: REFUSE },
	),
	fc.constant(0).map(() => {
		const circular: Record<string, unknown> = {};
		circular.self = circular;
		return { value: circular, expected: REFUSE };
	}),
	fc.constant(0).map(() => ({
		value: {
			get boom() {
				throw new Error('getter says no');
			},
		},
		expected: REFUSE,
	})),
	wrongType.map((value) => ({ value, expected: openProperties(value) })),
	{
		weight: 4,
		arbitrary: fc.constantFrom(undefined, null, '').map((value) => ({ value, expected: {} })),
	},
);

/** Odd objects may be refused or stored; stored, their JSON must be what JSON.stringify gives. */
function openProperties(value: unknown): Expected {
	if (value === undefined || value === null || value === '') return {};
	if (value instanceof Hostile) {
		return { open: (accepted: unknown) => expect(typeof accepted).toBe('object') } satisfies Open;
	}
	let object = false;
	try {
		object = typeof value === 'object' && !Array.isArray(value);
	} catch {
		// a revoked Proxy
	}
	if (!object) return REFUSE;
	return {
		open: (accepted: unknown) => expect(JSON.stringify(accepted)).toBe(JSON.stringify(value)),
	} satisfies Open;
}

/** A field of an item: its value and what should come of it. */
interface FieldCase {
	value: unknown;
	expected: Expected;
	/** Read throws: the item gets a getter that throws instead of the value. */
	throws?: boolean;
}

/** Ids: mostly a non-empty text, so that most items get past them to the other fields. */
const idValue = fc.oneof(
	{ weight: 3, arbitrary: fc.string({ unit: storableUnit, minLength: 1, maxLength: 12 }) },
	{ weight: 1, arbitrary: textValue },
);
const idField = (required: boolean) =>
	idValue.map((value): FieldCase => ({ value, expected: expectId(value, required) }));
const textField = (max?: number) =>
	textValue.map((value): FieldCase => ({ value, expected: expectText(value, max) }));
const sometimesMissing = (field: fc.Arbitrary<FieldCase>) =>
	fc.oneof(
		{ weight: 3, arbitrary: field },
		{ weight: 1, arbitrary: fc.constant<FieldCase>({ value: undefined, expected: undefined }) },
	);
/** Now and then a field whose getter throws (a hostile expression result). */
const orThrowing = (field: fc.Arbitrary<FieldCase>) =>
	fc.oneof(
		{ weight: 200, arbitrary: field },
		{
			weight: 1,
			arbitrary: fc.constant<FieldCase>({ value: undefined, expected: REFUSE, throws: true }),
		},
	);

type Shape = Record<string, fc.Arbitrary<FieldCase>>;

interface ItemCase {
	/** Not an item (null, a number, a revoked Proxy…); when `fields` has fields, built from them. */
	item: unknown;
	fields: Record<string, FieldCase>;
	timeZone: string | undefined;
}

function itemCase(shape: (timeZone: string | undefined) => Shape): fc.Arbitrary<ItemCase> {
	const item = fc.constantFrom(...ZONES).chain((timeZone) => {
		const fields = Object.fromEntries(
			Object.entries(shape(timeZone)).map(([name, field]) => [name, orThrowing(field)]),
		);
		return fc.record(fields).map((fields) => ({ item: undefined, fields, timeZone }));
	});
	// Now and then an item that is no object at all.
	const notAnItem = fc
		.oneof(
			fc.constantFrom<unknown>(null, undefined, 42, Number.NaN, 'item', '', true, BigInt(7)),
			fc.array(fc.integer(), { maxLength: 3 }),
			fc.constant(0).map(() => Symbol('item')),
			fc.constant(0).map(() => () => ({ customerId: 'c1' })),
			fc.constant(
				new Hostile(() => {
					const { proxy, revoke } = Proxy.revocable({}, {});
					revoke();
					return proxy;
				}),
			),
		)
		.map((item) => ({ item, fields: {}, timeZone: undefined }));
	return fc.oneof({ weight: 40, arbitrary: item }, { weight: 1, arbitrary: notAnItem });
}

function build(fields: Record<string, FieldCase>): Record<string, unknown> {
	const item: Record<string, unknown> = {};
	for (const [name, field] of Object.entries(fields)) {
		if (field.throws) {
			// Getters throw an Error (with a lone surrogate in its message) or a bare Symbol.
			Object.defineProperty(item, name, {
				enumerable: true,
				get() {
					throw name.length % 2 ? new TypeError(`${name} \uDC00 getter`) : Symbol(name);
				},
			});
		} else if (field.value !== undefined) {
			item[name] = materialize(field.value);
		}
	}
	return item;
}

const asTime = (c: TimeCase): FieldCase => ({ value: c.value, expected: c.expected });
const asProperties = (c: { value: unknown; expected: Expected }): FieldCase => c;

const eventShape = (timeZone: string | undefined): Shape => ({
	customerId: idField(true),
	eventType: idField(true),
	channel: sometimesMissing(textField()),
	eventId: sometimesMissing(idField(false)),
	occurredAt: timeCase(timeZone).map(asTime),
	properties: propertiesCase.map(asProperties),
});

const customerShape = (timeZone: string | undefined): Shape => ({
	customerId: idField(true),
	name: sometimesMissing(textField()),
	email: sometimesMissing(textField()),
	phone: sometimesMissing(textField()),
	owner: sometimesMissing(textField()),
	department: sometimesMissing(textField()),
	rating: fc
		.oneof(
			{ weight: 8, arbitrary: fc.constantFrom<unknown>(undefined, 0, 1, 2, 3, '2', ' 3 ', '') },
			fc.constantFrom<unknown>(4, -1, 1.5, '0x2', '1e0', true, [2]),
			wrongType,
		)
		.map((value) => ({ value, expected: expectRating(value) })),
	tags: sometimesMissing(
		fc
			.oneof(
				{ weight: 3, arbitrary: hostileText },
				{
					weight: 3,
					arbitrary: fc.array(fc.oneof({ weight: 12, arbitrary: hostileText }, wrongType), {
						maxLength: 4,
					}),
				},
				wrongType,
			)
			.map((value) => ({ value, expected: expectTags(value) })),
	),
	// Customers: properties left out stay as they are (undefined); null or '' clear them ({}).
	properties: sometimesMissing(propertiesCase.map(asProperties)).map((c) =>
		c.value === undefined && !c.throws ? { value: undefined, expected: undefined } : c,
	),
	lastContactAt: sometimesMissing(timeCase(timeZone).map(asTime)),
	stage: sometimesMissing(idField(false)),
	stageEnteredAt: sometimesMissing(timeCase(timeZone).map(asTime)),
});

const moveShape = (timeZone: string | undefined): Shape => ({
	customerId: idField(true),
	stage: idField(true),
	actor: sometimesMissing(textField()),
	note: sometimesMissing(textField(2000)),
	occurredAt: timeCase(timeZone).map(asTime),
});

// ---- the check ---------------------------------------------------------------------------------

/** What a parsed field should hold, given the expectation and the parser's output. */
function checkAccepted(name: string, expected: Expected, accepted: unknown, missing: unknown) {
	if (expected === 'missing') expect(accepted).toBe(missing);
	else if (typeof expected === 'object' && expected !== null && 'open' in expected) {
		(expected as Open).open(accepted);
	} else if (name === 'properties') {
		expect(JSON.stringify(accepted)).toBe(JSON.stringify(expected));
	} else expect(accepted).toEqual(expected);
}

const isOpen = (expected: Expected) =>
	typeof expected === 'object' && expected !== null && 'open' in expected;

let generated = 0;

function checkItem(
	{ item, fields, timeZone }: ItemCase,
	parse: (item: unknown, options: { timeZone?: string }) => Record<string, unknown>,
	missing: Record<string, unknown>,
) {
	generated++;
	const refusing = Object.keys(fields).filter((name) => fields[name].expected === REFUSE);
	const open = Object.keys(fields).filter((name) => isOpen(fields[name].expected));
	const isItem = Object.keys(fields).length > 0;
	let parsed: Record<string, unknown> | undefined;
	let error: unknown;
	try {
		// Built only now: fast-check prints generated values, and these have throwing getters.
		parsed = parse(isItem ? build(fields) : materialize(item), { timeZone });
	} catch (thrown) {
		error = thrown;
	}

	if (error !== undefined) {
		expect(error).toBeInstanceOf(InputError);
		const { field, message } = error as InputError;
		expect(typeof field).toBe('string');
		// The message leads with the field as the form labels it; `field` keeps the key.
		const base = field!.replace(/\[\d+\]$/, '');
		expect(message.startsWith(FIELD_LABELS[base])).toBe(true);
		// Messages are safe to show: bounded, well-formed, no NUL.
		expect(message.length).toBeLessThan(600);
		expect(storable(message)).toBe(true);
		if (!isItem) expect(field).toBe('item');
		else expect([...refusing, ...open]).toContain(base);
		return;
	}
	expect(isItem).toBe(true);
	expect(refusing).toEqual([]);
	for (const [name, field] of Object.entries(fields)) {
		checkAccepted(name, field.expected, parsed![name], missing[name]);
	}
}

describe('hostile items: stored exactly, or refused naming the field', () => {
	afterAll(() => {
		// The brief's floor: at least 10,000 generated items across the three parsers.
		expect(generated).toBeGreaterThanOrEqual(10_000);
	});

	test(`parseEvent, ${RUNS.event} items`, () => {
		fc.assert(
			fc.property(itemCase(eventShape), (c) =>
				checkItem(
					c,
					(item, options) => {
						const event = parseEvent(item, NOW, options) as unknown as Record<string, unknown>;
						expect(event.propertiesJson).toBe(JSON.stringify(event.properties));
						return event;
					},
					{ occurredAt: NOW, properties: {} },
				),
			),
			{ numRuns: RUNS.event },
		);
	});

	test(`parseCustomer, ${RUNS.customer} items`, () => {
		fc.assert(
			fc.property(itemCase(customerShape), (c) =>
				checkItem(
					c,
					(item, options) => parseCustomer(item, options) as unknown as Record<string, unknown>,
					{ lastContactAt: undefined, stageEnteredAt: undefined },
				),
			),
			{ numRuns: RUNS.customer },
		);
	});

	test(`parseManualMove, ${RUNS.move} items`, () => {
		fc.assert(
			fc.property(itemCase(moveShape), (c) =>
				checkItem(
					c,
					(item, options) =>
						parseManualMove(item, NOW, options) as unknown as Record<string, unknown>,
					{ occurredAt: NOW },
				),
			),
			{ numRuns: RUNS.move },
		);
	});
});

test('parseTime on its own: 3000 times across time zone settings, each read as luxon reads it', () => {
	const cases = fc
		.constantFrom(...ZONES)
		.chain((timeZone) => timeCase(timeZone).map((time) => ({ timeZone, time })));
	fc.assert(
		fc.property(cases, ({ timeZone, time }) => {
			let read: number | undefined;
			let error: unknown;
			try {
				read = parseTime(materialize(time.value), 'occurredAt', { timeZone });
			} catch (thrown) {
				error = thrown;
			}
			if (error !== undefined) {
				expect(error).toBeInstanceOf(InputError);
				expect((error as InputError).field).toBe('occurredAt');
				expect((error as InputError).message).toMatch(
					/^Occurred At (is not a valid date|could not be read)/,
				);
				// Missing is the caller's business (a fallback); parseTime itself needs a time.
				expect(
					time.expected === REFUSE || time.expected === 'missing' || isOpen(time.expected),
				).toBe(true);
			} else if (isOpen(time.expected)) (time.expected as Open).open(read);
			else expect(read).toBe(time.expected);
		}),
		{ numRuns: 3000 },
	);
});

describe('huge values', () => {
	const megabyte = 'x'.repeat(1024 * 1024);
	const tenMegabytes = '\u202E'.repeat(10 * 1024 * 1024);

	test.each([
		['customerId', 'Customer ID', 'is 1048576 characters long; the limit is 512'],
		['eventType', 'Event Type', 'is 1048576 characters long; the limit is 512'],
		['eventId', 'Event ID', 'is 1048576 characters long; the limit is 512'],
		['channel', 'Channel', 'is 1048576 characters long; the limit is 200'],
		['occurredAt', 'Occurred At', 'is not a valid date'],
		['properties', 'Properties', 'is not valid JSON'],
	])('a 1 MB %s is refused naming it as %s', (field, label, why) => {
		const item = { customerId: 'c1', eventType: 'e', [field]: megabyte };
		expect(() => parseEvent(item, NOW)).toThrow(new RegExp(`^${label} ${why}`));
	});

	test('10 MB strings: refused quickly, the message shows a bounded, escaped excerpt', () => {
		for (const [parse, field] of [
			[(raw: unknown) => parseCustomer(raw), 'name'],
			[(raw: unknown) => parseManualMove(raw, NOW), 'note'],
			[(raw: unknown) => parseManualMove(raw, NOW), 'occurredAt'],
			[(raw: unknown) => parseCustomer(raw), 'lastContactAt'],
		] as const) {
			const started = Date.now();
			let error: InputError | undefined;
			try {
				parse({ customerId: 'c1', stage: 's', [field]: tenMegabytes });
			} catch (thrown) {
				error = thrown as InputError;
			}
			expect(error).toBeInstanceOf(InputError);
			expect(error!.field).toBe(field);
			expect(error!.message.length).toBeLessThan(600);
			expect(error!.message).not.toContain('\u202E');
			expect(Date.now() - started).toBeLessThan(1000);
		}
	});

	test('1 MB of properties: over the 256 KB cap, as an object or as JSON', () => {
		for (const properties of [{ text: megabyte }, JSON.stringify({ text: megabyte })]) {
			expect(() => parseEvent({ customerId: 'c1', eventType: 'e', properties }, NOW)).toThrow(
				/^Properties is 1024 KB as JSON; the limit is 256 KB$/,
			);
		}
	});

	test('a note of exactly 2000 characters with an emoji at the end is stored as sent', () => {
		const note = `${'n'.repeat(1998)}😀`;
		expect(parseManualMove({ customerId: 'c', stage: 's', note }, NOW).note).toBe(note);
	});
});
