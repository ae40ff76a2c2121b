import fc from 'fast-check';
import { iso } from '../../nodes/shared/output';

describe('iso', () => {
	it('writes every instant exactly as Date#toISOString does', () => {
		const instant = fc.oneof(
			// Around now, where a batch's times fall (day changes included).
			fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
			// Anything a Date can hold, fractions of a millisecond and years past 9999 included.
			fc.integer({ min: -8.64e15, max: 8.64e15 }),
			fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }),
		);
		fc.assert(
			fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
				for (const millis of instants) expect(iso(millis)).toBe(new Date(millis).toISOString());
			}),
			{ numRuns: 3000 },
		);
	});

	it('gives the edges of its fast range and of each day exactly', () => {
		const edges = [
			0,
			-1,
			-0,
			Date.UTC(2026, 10, 22) - 1,
			Date.UTC(2026, 10, 22),
			Date.UTC(2024, 1, 29, 23, 59, 59, 999),
			Date.UTC(9999, 11, 31, 23, 59, 59, 999),
			Date.UTC(10000, 0, 1),
		];
		for (const millis of edges) expect(iso(millis)).toBe(new Date(millis).toISOString());
		expect(iso(null)).toBeNull();
		expect(iso(undefined)).toBeNull();
	});
});
