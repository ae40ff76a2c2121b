import { DateTime } from 'luxon';
import { InputError } from '../../nodes/engine/errors';
import { MAX_EPOCH_MILLIS, MIN_EPOCH_MILLIS, parseTime } from '../../nodes/engine/time';

/**
 * "Dates are ISO 8601 with a zone, or epoch milliseconds; impossible dates, bare numbers that
 * are not milliseconds, and times without a zone (unless the time-zone setting says which) are
 * refused naming the field." One case per rule.
 */

const utc = (iso: string) => Date.parse(iso);

function refusal(value: unknown, options: { timeZone?: string } = {}, field = 'occurredAt') {
	try {
		parseTime(value, field, options);
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		return error as InputError;
	}
	throw new Error(`accepted ${String(value)}`);
}

describe('accepted', () => {
	test.each([
		['2026-11-22T10:00:00Z', '2026-11-22T10:00:00.000Z'],
		['2026-11-22T10:00:00.123Z', '2026-11-22T10:00:00.123Z'],
		['2026-11-22T10:00Z', '2026-11-22T10:00:00.000Z'],
		['2026-11-22T18:00:00+08:00', '2026-11-22T10:00:00.000Z'],
		['2026-11-22T18:00:00+0800', '2026-11-22T10:00:00.000Z'],
		['2026-11-22T18:00:00+08', '2026-11-22T10:00:00.000Z'],
		['2026-11-22T05:00:00-05:00', '2026-11-22T10:00:00.000Z'],
		['2026-11-22T10:00:00,5Z', '2026-11-22T10:00:00.500Z'],
		// RFC 3339 allows a space for the T and lower-case t and z; Python's str(datetime) uses the space.
		['2026-11-22 10:00:00+00:00', '2026-11-22T10:00:00.000Z'],
		['2026-11-22t10:00:00z', '2026-11-22T10:00:00.000Z'],
		// Fractions beyond milliseconds are dropped, as luxon does: storage is in milliseconds.
		['2026-11-22T10:00:00.123456789Z', '2026-11-22T10:00:00.123Z'],
		['  2026-11-22T10:00:00Z\n', '2026-11-22T10:00:00.000Z'],
		['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
		['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
		['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
		['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
	])('%j', (text, iso) => {
		expect(parseTime(text, 'occurredAt')).toBe(utc(iso));
		expect(parseTime(text, 'occurredAt')).toBe(
			DateTime.fromISO(text.trim().replace(' ', 'T')).toMillis(),
		);
	});

	test('epoch milliseconds as a number or as digits', () => {
		expect(parseTime(1795341600000, 'occurredAt')).toBe(1795341600000);
		expect(parseTime('1795341600000', 'occurredAt')).toBe(1795341600000);
		expect(parseTime(MIN_EPOCH_MILLIS, 'occurredAt')).toBe(MIN_EPOCH_MILLIS);
		expect(parseTime(MAX_EPOCH_MILLIS, 'occurredAt')).toBe(MAX_EPOCH_MILLIS);
	});

	test('a Date, a luxon DateTime ($now) and a DateTime from another copy of luxon', () => {
		expect(parseTime(new Date('2026-11-22T10:00:00Z'), 'occurredAt')).toBe(
			utc('2026-11-22T10:00:00Z'),
		);
		const now = DateTime.fromISO('2026-11-22T18:00:00', { zone: 'Asia/Shanghai' });
		expect(parseTime(now, 'occurredAt')).toBe(utc('2026-11-22T10:00:00Z'));
		const otherCopy = { isLuxonDateTime: true, isValid: true, toMillis: () => 1795341600000 };
		expect(parseTime(otherCopy, 'occurredAt')).toBe(1795341600000);
	});
});

describe('the time zone option', () => {
	test('reads zone-less times in that zone', () => {
		const options = { timeZone: 'Asia/Shanghai' };
		expect(parseTime('2026-11-22T18:00:00', 'occurredAt', options)).toBe(
			utc('2026-11-22T10:00:00Z'),
		);
		expect(parseTime('2026-11-22T18:00', 'occurredAt', options)).toBe(utc('2026-11-22T10:00:00Z'));
	});

	test('a date alone is that day’s midnight there', () => {
		expect(parseTime('2026-11-22', 'occurredAt', { timeZone: 'America/New_York' })).toBe(
			utc('2026-11-22T05:00:00Z'),
		);
		expect(parseTime('2026-11-22', 'occurredAt', { timeZone: 'UTC' })).toBe(
			utc('2026-11-22T00:00:00Z'),
		);
	});

	test('does not change times that carry their own zone', () => {
		expect(parseTime('2026-11-22T10:00:00Z', 'occurredAt', { timeZone: 'Asia/Tokyo' })).toBe(
			utc('2026-11-22T10:00:00Z'),
		);
	});

	test('DST: a wall-clock time the clocks skip is refused, not moved an hour on', () => {
		const options = { timeZone: 'Europe/Berlin' };
		// 29 March 2026: 02:00 → 03:00 in Berlin.
		expect(parseTime('2026-03-29T01:59:59', 'occurredAt', options)).toBe(
			utc('2026-03-29T00:59:59Z'),
		);
		const error = refusal('2026-03-29T02:30:00', options);
		expect(error.message).toMatch(/does not exist in Europe\/Berlin/);
		expect(parseTime('2026-03-29T03:00:00', 'occurredAt', options)).toBe(
			utc('2026-03-29T01:00:00Z'),
		);
		// With the offset given, the same instant is fine.
		expect(parseTime('2026-03-29T03:30:00+02:00', 'occurredAt', options)).toBe(
			utc('2026-03-29T01:30:00Z'),
		);
	});

	test('DST: a wall-clock time that happens twice is read as luxon does (the later, standard time)', () => {
		// 25 October 2026: 03:00 → 02:00 in Berlin, so 02:30 happens at +02:00 and again at +01:00.
		const read = parseTime('2026-10-25T02:30:00', 'occurredAt', { timeZone: 'Europe/Berlin' });
		expect(read).toBe(utc('2026-10-25T01:30:00Z'));
		expect(read).toBe(
			DateTime.fromISO('2026-10-25T02:30:00', { zone: 'Europe/Berlin' }).toMillis(),
		);
	});

	test('an unknown zone is an error naming the option, even for a time with its own zone', () => {
		const error = refusal('2026-11-22T10:00:00Z', { timeZone: 'Mars/Olympus_Mons' });
		expect(error.field).toBe('timeZone');
		expect(error.message).toBe(
			"Time Zone 'Mars/Olympus_Mons' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)",
		);
	});

	test('an empty zone is no zone', () => {
		expect(refusal('2026-11-22T10:00:00', { timeZone: '' }).message).toMatch(/no time zone/);
	});
});

describe('refused, naming the field', () => {
	test.each([
		['2024-02-30T10:00:00Z', 'February 2024 has no day 30'],
		['2023-02-29T10:00:00Z', 'February 2023 has no day 29'],
		['2026-04-31T10:00:00Z', 'April 2026 has no day 31'],
		['2026-13-01T10:00:00Z', 'there is no month 13'],
		['2026-00-10T10:00:00Z', 'there is no month 00'],
		['2026-01-00T10:00:00Z', 'January 2026 has no day 00'],
		['2026-01-01T25:00:00Z', 'there is no hour 25; hours run from 00 to 23'],
		// ISO 8601 allows 24:00 as the next midnight; reading it so would move the date.
		['2026-01-01T24:00:00Z', 'there is no hour 24; hours run from 00 to 23'],
		['2026-01-01T10:60:00Z', 'there is no minute 60'],
		['2026-12-31T23:59:60Z', 'there is no second 60'],
	])('impossible: %j', (text, why) => {
		const error = refusal(text);
		expect(error.field).toBe('occurredAt');
		expect(error.message).toBe(`Occurred At is not a valid date: '${text}' (${why})`);
	});

	test.each([
		[
			'2026-11-22T10:00:00',
			/no time zone; add Z or an offset such as \+08:00, or set the Time Zone option/,
		],
		['2026-11-22T10:00', /no time zone/],
		['2026-11-22', /a date alone has no time zone/],
	])('zone-less without the option: %j', (text, why) => {
		expect(refusal(text).message).toMatch(why);
	});

	test.each([
		'22/11/2026',
		'11/22/2026',
		'next tuesday',
		'yesterday-ish',
		// RFC 2822 (e-mail headers, Date.prototype.toUTCString): refused. ISO 8601 is the one
		// format a webhook can send unambiguously; the node documents how to convert the others.
		'Sun, 22 Nov 2026 10:00:00 GMT',
		'Sun Nov 22 2026 10:00:00 GMT+0000',
		'2026-11-22T10:00:00 Z',
		'2026-W47-7T10:00:00Z',
		'2026-326T10:00:00Z',
		'20261122T100000Z',
		'+002026-11-22T10:00:00Z',
		'10:00:00Z',
		'2026-11-22Z',
		'2026-11-22T10:00:00+15:00',
		'2026-11-22T10:00:00+05:60',
		'2026-11-22T10:00:00.Z',
		'2026-11-22T10:00:00.1234567890Z',
		'1795341600000.5',
		'-1795341600000',
		'0x1A2B3C4D5E',
		'1e12',
		' ',
	])('not accepted ISO 8601: %j', (text) => {
		const error = refusal(text);
		expect(error.field).toBe('occurredAt');
		expect(error.message).toMatch(/^Occurred At is not a valid date: '/);
		expect(error.message).toMatch(/use ISO 8601 with a zone/);
	});

	test.each([
		[1795341600, 'looks like seconds; multiply by 1000'],
		['1795341600', 'looks like seconds; multiply by 1000'],
		[100_000_000, 'looks like seconds'],
		[MIN_EPOCH_MILLIS - 1, 'looks like seconds'],
		[1, 'before 1973'],
		['1', 'before 1973'],
		[0, 'before 1973'],
		[-1, 'negative'],
		[-1795341600000, 'negative'],
		[1795341600000000, 'looks like microseconds, divide by 1000'],
		[MAX_EPOCH_MILLIS + 1, 'after the year 9999'],
		[1e300, 'after the year 9999'],
		[1795341600000.5, 'must be a whole number'],
		[Number.NaN, 'use ISO 8601'],
		[Number.POSITIVE_INFINITY, 'use ISO 8601'],
		[Number.NEGATIVE_INFINITY, 'use ISO 8601'],
	])('number %p', (value, why) => {
		const error = refusal(value);
		expect(error.field).toBe('occurredAt');
		expect(error.message).toContain(why);
	});

	test('instants outside 1970..9999 given as text, Date or DateTime', () => {
		expect(refusal('1969-12-31T23:59:59Z').message).toMatch(/outside 1970-01-01 to 9999-12-31/);
		expect(refusal('9999-12-31T23:59:59-01:00').message).toMatch(/outside/);
		expect(refusal(new Date(-1)).message).toMatch(/a Date \(outside/);
	});

	test.each([
		[true, 'a boolean'],
		[false, 'a boolean'],
		[{}, 'an object'],
		[[], 'an array'],
		[['2026-11-22T10:00:00Z'], 'an array'],
		[BigInt(1795341600000), 'a bigint'],
		[Symbol('now'), 'a symbol'],
		[() => 1795341600000, 'a function'],
	])('wrong type %#', (value, described) => {
		const error = refusal(value);
		expect(error.message).toContain(`Occurred At is not a valid date: ${described} (`);
		expect(error.message).toContain('a Date or a luxon DateTime');
	});

	test('invalid Date and DateTime objects', () => {
		expect(refusal(new Date('nope')).message).toBe(
			'Occurred At is not a valid date: a Date that is invalid',
		);
		expect(refusal(DateTime.invalid('no reason')).message).toBe(
			'Occurred At is not a valid date: a DateTime that is invalid',
		);
	});

	test('objects whose conversion throws give an InputError, never their own error', () => {
		const throwing = {
			toMillis() {
				throw new TypeError('broken \uD800 clock');
			},
		};
		expect(refusal(throwing).message).toBe(
			"Occurred At could not be read as a date: 'broken \\uD800 clock'",
		);
		const fakeDate = { [Symbol.toStringTag]: 'Date' };
		expect(refusal(fakeDate).message).toMatch(/^Occurred At could not be read as a date/);
		const { proxy, revoke } = Proxy.revocable({}, {});
		revoke();
		expect(refusal(proxy).field).toBe('occurredAt');
	});

	test('the value is shown safely: truncated, control and lone-surrogate characters escaped', () => {
		const error = refusal(`\u202Eab\uD800\u0000${'x'.repeat(1_000_000)}`, {}, 'lastContactAt');
		expect(error.field).toBe('lastContactAt');
		expect(error.message.length).toBeLessThan(300);
		expect(error.message).toContain("'\\u202Eab\\uD800\\u0000xxx");
		expect(error.message).toContain('(1000005 characters)');
		expect(Buffer.from(error.message).toString()).toBe(error.message);
	});
});
