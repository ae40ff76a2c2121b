import fc from 'fast-check';
import { DateTime } from 'luxon';
import { parseTime } from '../../nodes/engine/time';

/**
 * Times that carry their own zone are computed without luxon (the ingest hot path). They must
 * give exactly what luxon gives for the same text, for every form the parser accepts.
 */
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const zonedIso = fc
	.record({
		year: fc.integer({ min: 100, max: 9999 }),
		month: fc.integer({ min: 1, max: 12 }),
		day: fc.integer({ min: 1, max: 28 }),
		hour: fc.integer({ min: 0, max: 23 }),
		minute: fc.integer({ min: 0, max: 59 }),
		second: fc.option(fc.integer({ min: 0, max: 59 })),
		fraction: fc.option(fc.stringMatching(/^\d{1,9}$/)),
		separator: fc.constantFrom('T', 't', ' '),
		zone: fc.oneof(
			fc.constantFrom('Z', 'z', '+00:00', '-00:00', '+14:00', '-12:00'),
			fc
				.tuple(
					fc.constantFrom('+', '-'),
					fc.integer({ min: 0, max: 13 }),
					fc.integer({ min: 0, max: 59 }),
					fc.constantFrom(':', '', 'hours only'),
				)
				.map(([sign, h, m, form]) =>
					form === 'hours only' ? `${sign}${pad(h)}` : `${sign}${pad(h)}${form}${pad(m)}`,
				),
		),
	})
	.map((p) => {
		const seconds =
			p.second === null ? '' : `:${pad(p.second)}${p.fraction === null ? '' : `.${p.fraction}`}`;
		return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}${p.separator}${pad(p.hour)}:${pad(p.minute)}${seconds}${p.zone}`;
	});

describe('times with a zone, read without luxon', () => {
	test('equal luxon to the millisecond for 20,000 generated texts', () => {
		fc.assert(
			fc.property(zonedIso, (text) => {
				const luxon = DateTime.fromISO(text.replace(' ', 'T'), { zone: 'UTC' });
				const expected = luxon.toMillis();
				if (expected < 0) {
					expect(() => parseTime(text, 'occurredAt')).toThrow(/outside 1970-01-01/);
				} else {
					expect(parseTime(text, 'occurredAt')).toBe(expected);
				}
			}),
			{ numRuns: 20_000 },
		);
	});

	test('leap days: 29 February only in leap years, as the Gregorian calendar has them', () => {
		expect(parseTime('2024-02-29T12:00:00Z', 'occurredAt')).toBe(Date.UTC(2024, 1, 29, 12));
		expect(parseTime('2000-02-29T00:00:00+08:00', 'occurredAt')).toBe(Date.UTC(2000, 1, 28, 16));
		expect(() => parseTime('2100-02-29T00:00:00Z', 'occurredAt')).toThrow(
			/February 2100 has no day 29/,
		);
		expect(() => parseTime('2023-02-29T00:00:00Z', 'occurredAt')).toThrow(
			/February 2023 has no day 29/,
		);
		expect(() => parseTime('2026-04-31T00:00:00Z', 'occurredAt')).toThrow(
			/April 2026 has no day 31/,
		);
	});

	test('a fraction beyond milliseconds is cut, not rounded', () => {
		expect(parseTime('2026-11-22T10:00:00.9999Z', 'occurredAt')).toBe(
			Date.UTC(2026, 10, 22, 10, 0, 0, 999),
		);
		expect(parseTime('2026-11-22T10:00:00,5-01:30', 'occurredAt')).toBe(
			Date.UTC(2026, 10, 22, 11, 30, 0, 500),
		);
	});
});
