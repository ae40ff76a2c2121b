import { DateTime } from 'luxon';
import fc from 'fast-check';
import { medianAndP90, resolvePeriod } from '../../nodes/engine/metrics';

const iso = (period: { from: number; to: number }, zone: string) =>
	[period.from, period.to].map((t) => DateTime.fromMillis(t, { zone }).toISO());

describe('periods are the user’s calendar in the report’s time zone', () => {
	// Wednesday 1 April 2026, 01:30 in Shanghai — still Tuesday 31 March in UTC and New York.
	const now = Date.parse('2026-03-31T17:30:00Z');

	test.each([
		['today', 'Asia/Shanghai', ['2026-04-01T00:00:00.000+08:00', '2026-04-02T00:00:00.000+08:00']],
		[
			'yesterday',
			'Asia/Shanghai',
			['2026-03-31T00:00:00.000+08:00', '2026-04-01T00:00:00.000+08:00'],
		],
		[
			'last7Days',
			'Asia/Shanghai',
			['2026-03-26T00:00:00.000+08:00', '2026-04-02T00:00:00.000+08:00'],
		],
		['last30Days', 'UTC', ['2026-03-02T00:00:00.000Z', '2026-04-01T00:00:00.000Z']],
		[
			'thisWeek',
			'Asia/Shanghai',
			['2026-03-30T00:00:00.000+08:00', '2026-04-06T00:00:00.000+08:00'],
		],
		['lastWeek', 'UTC', ['2026-03-23T00:00:00.000Z', '2026-03-30T00:00:00.000Z']],
		[
			'thisMonth',
			'Asia/Shanghai',
			['2026-04-01T00:00:00.000+08:00', '2026-05-01T00:00:00.000+08:00'],
		],
		[
			'thisMonth',
			'America/New_York',
			['2026-03-01T00:00:00.000-05:00', '2026-04-01T00:00:00.000-04:00'],
		],
		[
			'lastMonth',
			'America/New_York',
			['2026-02-01T00:00:00.000-05:00', '2026-03-01T00:00:00.000-05:00'],
		],
		[
			'thisQuarter',
			'Asia/Shanghai',
			['2026-04-01T00:00:00.000+08:00', '2026-07-01T00:00:00.000+08:00'],
		],
		['lastQuarter', 'UTC', ['2025-10-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']],
	] as const)('%s in %s', (period, zone, expected) => {
		expect(iso(resolvePeriod(period, zone, now), zone)).toEqual(expected);
	});

	test('custom: dates without a zone are read in the report’s zone; to is exclusive', () => {
		const period = resolvePeriod('custom', 'Asia/Shanghai', now, {
			from: '2026-03-01',
			to: '2026-03-08T00:00:00Z',
		});
		expect(iso(period, 'UTC')).toEqual(['2026-02-28T16:00:00.000Z', '2026-03-08T00:00:00.000Z']);
	});

	test('bad input names the field', () => {
		expect(() =>
			resolvePeriod('custom', 'UTC', now, { from: '2026-02-30', to: '2026-03-01' }),
		).toThrow(/From is not a valid date/);
		expect(() =>
			resolvePeriod('custom', 'UTC', now, { from: '2026-03-02', to: '2026-03-01' }),
		).toThrow('To must be after From');
		expect(() => resolvePeriod('custom', 'UTC', now, { from: '2026-03-02' })).toThrow(
			'To is required for a custom period',
		);
		expect(() => resolvePeriod('nextYear' as never, 'UTC', now)).toThrow(/period 'nextYear'/);
		expect(() => resolvePeriod('today', 'Mars/Olympus', now)).toThrow(
			/Time Zone 'Mars\/Olympus' is not a known IANA time zone/,
		);
	});
});

test('median of an even count is the mean of the middle two; p90 is the nearest rank', () => {
	expect(medianAndP90([4, 1, 3, 2])).toEqual({ median: 2.5, p90: 4 });
	expect(medianAndP90([3, 1, 2])).toEqual({ median: 2, p90: 3 });
	expect(medianAndP90([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]).p90).toBe(9);
	expect(medianAndP90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).p90).toBe(10);
	expect(medianAndP90([7])).toEqual({ median: 7, p90: 7 });
	expect(medianAndP90([])).toEqual({ median: null, p90: null });
});

test('median and p90 equal the ones read off a sorted copy, for any stays', () => {
	const sortedReference = (stays: number[]) => {
		const sorted = [...stays].sort((a, b) => a - b);
		const n = sorted.length;
		if (n === 0) return { median: null, p90: null };
		const median = n % 2 === 0 ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2 : sorted[(n - 1) / 2];
		return { median, p90: sorted[Math.max(0, Math.ceil(0.9 * n) - 1)] };
	};
	// Few distinct values too: selection must cope with long runs of equal stays.
	const stay = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 ** 40 }));
	fc.assert(
		fc.property(fc.array(stay, { maxLength: 400 }), (stays) => {
			const input = [...stays];
			expect(medianAndP90(stays)).toEqual(sortedReference(stays));
			expect(stays).toEqual(input);
		}),
		{ numRuns: 1000 },
	);
});
