import { InputError } from '../../nodes/engine/errors';
import {
	parseCustomer,
	parseEvent,
	parseManualMove,
	readField,
	requireId,
} from '../../nodes/engine/inputs';

/** The cases from the issue, one by one; the property test covers the space around them. */

const NOW = Date.parse('2026-11-22T10:00:00Z');

function refusal(parse: () => unknown): InputError {
	try {
		parse();
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		return error as InputError;
	}
	throw new Error('accepted');
}

describe('text is stored exactly as sent, or refused naming the field', () => {
	test('a lone surrogate in a customer id is an InputError, not a TypeError for the batch', () => {
		const error = refusal(() => parseEvent({ customerId: 'abc\uD800', eventType: 'x' }, NOW));
		expect(error.field).toBe('customerId');
		expect(error.message).toBe(
			'Customer ID contains a lone UTF-16 surrogate (\\uD800, half of a character such as an emoji) at index 3, which cannot be stored',
		);
	});

	test('a lone surrogate in an event id is refused, not stored altered', () => {
		const item = { customerId: 'c', eventType: 'x', eventId: 'e-\uDE00' };
		expect(refusal(() => parseEvent(item, NOW)).field).toBe('eventId');
	});

	test('a whole emoji (a surrogate pair) is stored as sent', () => {
		const item = { customerId: ' 😀 ', eventType: 'x', eventId: '\uD83D\uDE00', channel: ' 😀 ' };
		expect(parseEvent(item, NOW)).toMatchObject({
			customerId: '😀',
			eventId: '😀',
			channel: ' 😀 ',
		});
	});

	test.each([
		['event', 'customerId', 'Customer ID'],
		['event', 'eventType', 'Event Type'],
		['event', 'eventId', 'Event ID'],
		['event', 'channel', 'Channel'],
		['move', 'actor', 'Actor'],
		['move', 'note', 'Note'],
		['move', 'stage', 'Stage'],
		['customer', 'name', 'Name'],
		['customer', 'email', 'Email'],
		['customer', 'phone', 'Phone'],
		['customer', 'owner', 'Owner'],
		['customer', 'department', 'Department'],
		['customer', 'stage', 'Stage'],
	])('a NUL character in %s.%s is refused naming it as %s', (kind, field, label) => {
		const base = { customerId: 'c', eventType: 'x', stage: 's' };
		const item = { ...base, [field]: 'a\u0000b' };
		const parse =
			kind === 'event'
				? () => parseEvent(item, NOW)
				: kind === 'move'
					? () => parseManualMove(item, NOW)
					: () => parseCustomer(item);
		const error = refusal(parse);
		expect(error.field).toBe(field);
		expect(error.message).toBe(
			`${label} contains a NUL character (\\u0000) at index 1, which cannot be stored`,
		);
	});

	test('NUL in properties, as an object or as JSON text, is refused with its path', () => {
		for (const properties of [{ a: { b: ['x', 'y\u0000'] } }, '{"a":{"b":["x","y\\u0000"]}}']) {
			const error = refusal(() => parseEvent({ customerId: 'c', eventType: 'x', properties }, NOW));
			expect(error.field).toBe('properties');
			expect(error.message).toBe(
				'Properties › a.b[1] contains a NUL character (\\u0000) at index 1, which cannot be stored',
			);
		}
		// An escaped backslash followed by "u0000" is six ordinary characters.
		const text = parseEvent(
			{ customerId: 'c', eventType: 'x', properties: '{"a":"\\\\u0000"}' },
			NOW,
		).properties;
		expect(text).toEqual({ a: '\\u0000' });
	});

	test('ids: blanks around are trimmed, nothing else; numbers must be safe whole numbers', () => {
		expect(requireId(' \t a  b \n', 'customerId')).toBe('a  b');
		expect(requireId(42, 'customerId')).toBe('42');
		expect(requireId(-7, 'customerId')).toBe('-7');
		expect(requireId(Number.MAX_SAFE_INTEGER, 'customerId')).toBe('9007199254740991');
		for (const number of [1e21, 0.1 + 0.2, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
			expect(() => requireId(number, 'customerId')).toThrow(/which has no exact text form/);
		}
	});

	test('rating: a digit is fine; true, 0x2 and lists no longer count as stars', () => {
		expect(parseCustomer({ customerId: 'c', rating: '2' }).rating).toBe(2);
		for (const rating of [true, '0x2', [2], 1.5, 4]) {
			expect(refusal(() => parseCustomer({ customerId: 'c', rating })).field).toBe('rating');
		}
	});
});

describe('hostile items and values never throw anything but an InputError naming the field', () => {
	test.each([null, undefined, 42, 'text', [], [{ customerId: 'c' }]])('item %p', (item) => {
		for (const parse of [
			() => parseEvent(item, NOW),
			() => parseCustomer(item),
			() => parseManualMove(item, NOW),
		]) {
			const error = refusal(parse);
			expect(error.field).toBe('item');
			expect(error.message).toMatch(/^Item must be an object of fields, not /);
		}
	});

	test('getters that throw, BigInt, Symbol, toString that throws', () => {
		const item = {
			customerId: 'c',
			get eventType() {
				throw new Error('expression failed');
			},
		};
		expect(refusal(() => parseEvent(item, NOW)).message).toBe(
			"Event Type could not be read: 'expression failed'",
		);
		const thrower = {
			toString() {
				throw new Error('no');
			},
		};
		for (const value of [BigInt(5), Symbol('s'), thrower]) {
			expect(refusal(() => parseEvent({ customerId: value, eventType: 'x' }, NOW)).field).toBe(
				'customerId',
			);
			expect(refusal(() => parseCustomer({ customerId: 'c', rating: value })).field).toBe('rating');
			expect(
				refusal(() => parseManualMove({ customerId: 'c', stage: 's', note: value }, NOW)).field,
			).toBe('note');
		}
	});

	test('readField: the store reads journey the same way', () => {
		expect(readField({ journey: ' sales ' }, 'journey', requireId)).toBe('sales');
		expect(refusal(() => readField(null, 'journey', requireId)).field).toBe('item');
		const item = {
			get journey() {
				throw Symbol('x');
			},
		};
		expect(refusal(() => readField(item, 'journey', requireId)).message).toBe(
			'Journey could not be read: a symbol',
		);
	});
});

describe('times through the parsers', () => {
	test('the time zone option reaches occurredAt and lastContactAt', () => {
		const options = { timeZone: 'Asia/Shanghai' };
		const at = Date.parse('2026-11-22T10:00:00Z');
		const item = { customerId: 'c', eventType: 'x', stage: 's', occurredAt: '2026-11-22T18:00:00' };
		expect(parseEvent(item, NOW, options).occurredAt).toBe(at);
		expect(parseManualMove(item, NOW, options).occurredAt).toBe(at);
		expect(
			parseCustomer({ customerId: 'c', lastContactAt: '2026-11-22T18:00:00' }, options)
				.lastContactAt,
		).toBe(at);
		expect(refusal(() => parseEvent(item, NOW)).message).toMatch(/no time zone/);
	});

	test('"1" is no longer 2001-01-01, nor 2024-02-30 the 1st of March', () => {
		expect(
			refusal(() => parseEvent({ customerId: 'c', eventType: 'x', occurredAt: '1' }, NOW)).field,
		).toBe('occurredAt');
		expect(
			refusal(() =>
				parseManualMove({ customerId: 'c', stage: 's', occurredAt: '2024-02-30T10:00:00Z' }, NOW),
			).message,
		).toMatch(/February 2024 has no day 30/);
	});

	test('missing times: now for events and moves, nothing for last contact', () => {
		for (const occurredAt of [undefined, null, '']) {
			expect(parseEvent({ customerId: 'c', eventType: 'x', occurredAt }, NOW).occurredAt).toBe(NOW);
		}
		expect(parseCustomer({ customerId: 'c' }).lastContactAt).toBeUndefined();
	});

	test('an unknown time zone option refuses the item naming the option', () => {
		const error = refusal(() =>
			parseEvent({ customerId: 'c', eventType: 'x' }, NOW, { timeZone: 'CEST' }),
		);
		expect(error.field).toBe('timeZone');
	});
});
