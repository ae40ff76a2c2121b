import fc from 'fast-check';
import {
	countEvents,
	DAY_MS,
	dayWindow,
	earliestAffectingDay,
	epochDay,
	levelFor,
	scoreActivity,
	type DailyEventCount,
} from '../../nodes/engine/activity';
import { parseJourney, type ActivitySettings } from '../../nodes/engine/journey';

const settingsOf = (activity: unknown): ActivitySettings =>
	parseJourney({ key: 'j', name: 'J', stages: [{ key: 'a', name: 'A' }], activity }).activity;

const defaults = settingsOf(undefined);
/** 2024-03-15 12:00 UTC, a day in the middle of things. */
const now = Date.UTC(2024, 2, 15, 12);
const today = epochDay(now);

describe('the window', () => {
	test('30 days are the 30 UTC days ending with today: (today − 30, today]', () => {
		expect(dayWindow(now, 30)).toEqual({
			firstDay: today - 29,
			lastDay: today,
			from: Date.UTC(2024, 1, 15),
			to: Date.UTC(2024, 2, 16),
		});
	});

	test('an event exactly 30 days old has left it; one a day younger still counts', () => {
		const at = (time: number): DailyEventCount[] => [
			{ day: epochDay(time), eventType: 'e', count: 1 },
		];
		expect(scoreActivity(defaults, at(now - 30 * DAY_MS), now).eventCount).toBe(0);
		expect(scoreActivity(defaults, at(now - 29 * DAY_MS), now).eventCount).toBe(1);
		// The boundary is midnight UTC, not 30 × 24 hours before now.
		expect(scoreActivity(defaults, at(Date.UTC(2024, 1, 15, 0, 0)), now).eventCount).toBe(1);
		expect(scoreActivity(defaults, at(Date.UTC(2024, 1, 14, 23, 59)), now).eventCount).toBe(0);
		// Today counts, tomorrow does not yet.
		expect(scoreActivity(defaults, at(Date.UTC(2024, 2, 15, 23, 59)), now).eventCount).toBe(1);
		expect(scoreActivity(defaults, at(Date.UTC(2024, 2, 16)), now).eventCount).toBe(0);
	});

	test('every evaluation on the same UTC day sees the same window', () => {
		expect(dayWindow(Date.UTC(2024, 2, 15), 7)).toEqual(
			dayWindow(Date.UTC(2024, 2, 15, 23, 59), 7),
		);
	});

	test('a 1-day window is today alone', () => {
		expect(dayWindow(now, 1)).toMatchObject({ firstDay: today, lastDay: today });
	});
});

describe('scoreActivity', () => {
	const settings = settingsOf({
		weights: { 'purchase.completed': 5, 'email.opened': 0.1, 'page.viewed': 0.2 },
		defaultWeight: 1,
		levels: [
			{ key: 'cold', name: 'Cold', minScore: 1 },
			{ key: 'warm', name: 'Warm', minScore: 5 },
			{ key: 'hot', name: 'Hot', minScore: 12 },
		],
	});

	test('weights per type, the default weight for others, counts per type in the window', () => {
		const result = scoreActivity(
			settings,
			[
				{ day: today, eventType: 'purchase.completed', count: 2 },
				{ day: today - 3, eventType: 'form.submitted', count: 1 },
				{ day: today - 3, eventType: 'email.opened', count: 4 },
				{ day: today - 10, eventType: 'email.opened', count: 1 },
				{ day: today - 30, eventType: 'purchase.completed', count: 9 },
				{ day: today - 4, eventType: 'sms.clicked', count: 0 },
			],
			now,
		);
		expect(result).toEqual({
			score: 11.5,
			level: 'warm',
			levelName: 'Warm',
			eventCount: 8,
			countsByType: { 'purchase.completed': 2, 'form.submitted': 1, 'email.opened': 5 },
			window: dayWindow(now, 30),
		});
	});

	test('event types named like object members count like any other', () => {
		const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', ''];
		const typeName = fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 }));
		fc.assert(
			fc.property(
				fc.array(fc.record({ eventType: typeName, count: fc.integer({ min: 1, max: 9 }) }), {
					maxLength: 20,
				}),
				(rows) => {
					const result = scoreActivity(
						settings,
						rows.map((row) => ({ day: today, ...row })),
						now,
					);
					// Counted independently, with a Map.
					const expected = new Map<string, number>();
					for (const { eventType, count } of rows)
						expected.set(eventType, (expected.get(eventType) ?? 0) + count);
					expect(Object.entries(result.countsByType).sort()).toEqual([...expected].sort());
					const weight = (type: string) =>
						Object.hasOwn(settings.weights, type) ? settings.weights[type] : 1;
					const score = [...expected].reduce((sum, [type, n]) => sum + n * weight(type), 0);
					expect(result.score).toBeCloseTo(score, 6);
					expect(result.eventCount).toBe(rows.reduce((sum, row) => sum + row.count, 0));
				},
			),
			{ numRuns: 2000 },
		);
	});

	test('fractional weights add up without float noise: 0.1 + 0.2 reaches a 0.3 threshold', () => {
		const fine = settingsOf({
			weights: { a: 0.1, b: 0.2 },
			levels: [
				{ key: 'none', name: 'None', minScore: 0 },
				{ key: 'some', name: 'Some', minScore: 0.3 },
			],
		});
		const result = scoreActivity(
			fine,
			[
				{ day: today, eventType: 'a', count: 1 },
				{ day: today, eventType: 'b', count: 1 },
			],
			now,
		);
		expect(result.score).toBe(0.3);
		expect(result.level).toBe('some');
	});

	test('the level is the highest reached; below the lowest there is none', () => {
		expect(levelFor(settings, 12)?.key).toBe('hot');
		expect(levelFor(settings, 11.99)?.key).toBe('warm');
		expect(levelFor(settings, 1)?.key).toBe('cold');
		expect(levelFor(settings, 0.5)).toBeUndefined();
		expect(scoreActivity(settings, [], now)).toMatchObject({
			score: 0,
			level: null,
			levelName: null,
			eventCount: 0,
			countsByType: {},
		});
	});

	test('the default settings: 30 days, 1 point an event, inactive / low / medium / high', () => {
		const rows = (n: number) => [{ day: today, eventType: 'x', count: n }];
		expect([0, 1, 4, 5, 14, 15].map((n) => scoreActivity(defaults, rows(n), now).level)).toEqual([
			'inactive',
			'low',
			'low',
			'medium',
			'medium',
			'high',
		]);
	});

	test('negative weights may pull a score down, but never to -0', () => {
		const penalising = settingsOf({ weights: { 'email.bounced': -2 } });
		const result = scoreActivity(
			penalising,
			[
				{ day: today, eventType: 'email.bounced', count: 1 },
				{ day: today, eventType: 'x', count: 2 },
			],
			now,
		);
		expect(Object.is(result.score, 0)).toBe(true);
	});

	test('property: the score is the brute-force weighted sum over raw events bucketed by day', () => {
		const types = ['a', 'b', 'c', 'd'];
		const weights = { a: 3, b: -1, c: 0 };
		const weighted = settingsOf({ weights, defaultWeight: 2, windowDays: 7 });
		fc.assert(
			fc.property(
				fc.array(
					fc.record({
						// Raw events from 20 days before to 2 days after `now`.
						offset: fc.integer({ min: -20 * DAY_MS, max: 2 * DAY_MS }),
						type: fc.constantFrom(...types),
					}),
					{ maxLength: 60 },
				),
				fc.integer({ min: 0, max: DAY_MS - 1 }),
				(events, timeOfDay) => {
					const at = today * DAY_MS + timeOfDay;
					const rollups = new Map<string, DailyEventCount>();
					for (const { offset, type } of events) {
						const day = epochDay(at + offset);
						const row = rollups.get(`${day}/${type}`) ?? { day, eventType: type, count: 0 };
						row.count++;
						rollups.set(`${day}/${type}`, row);
					}
					// Brute force: each raw event on its own, by calendar-day age.
					let expected = 0;
					let inside = 0;
					for (const { offset, type } of events) {
						const age = today - epochDay(at + offset);
						if (age < 0 || age >= 7) continue;
						inside++;
						expected += type in weights ? weights[type as keyof typeof weights] : 2;
					}
					const result = scoreActivity(weighted, rollups.values(), at);
					expect(result.score).toBe(expected);
					expect(result.eventCount).toBe(inside);
					expect(Object.values(result.countsByType).reduce((s, n) => s + n, 0)).toBe(inside);
				},
			),
		);
	});
});

describe('earliestAffectingDay', () => {
	test('without a previous run: the first day of the window', () => {
		expect(earliestAffectingDay(now, 30)).toBe(today - 29);
	});

	test('since a previous run: also the days that have left the window since', () => {
		expect(earliestAffectingDay(now, 30, now - 3 * DAY_MS)).toBe(today - 32);
		// A later "previous" time (clock skew) never narrows the current window.
		expect(earliestAffectingDay(now, 30, now + DAY_MS)).toBe(today - 29);
	});

	test('property: roll-ups before that day never change the score between the two runs', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 40 }),
				fc.integer({ min: 0, max: 10 * DAY_MS }),
				fc.array(
					fc.record({ day: fc.integer({ min: today - 80, max: today }), count: fc.nat(3) }),
					{ maxLength: 20 },
				),
				fc.integer({ min: today - 80, max: today }),
				(windowDays, gap, rows, oldDay) => {
					const settings = settingsOf({ windowDays });
					const previous = now - gap;
					const boundary = earliestAffectingDay(now, windowDays, previous);
					fc.pre(oldDay < boundary);
					const base = rows.map((r) => ({ ...r, eventType: 'e' }));
					const withOld = [...base, { day: oldDay, eventType: 'e', count: 5 }];
					for (const at of [previous, now]) {
						expect(scoreActivity(settings, withOld, at).score).toBe(
							scoreActivity(settings, base, at).score,
						);
					}
				},
			),
		);
	});
});

describe('countEvents', () => {
	const rows: DailyEventCount[] = [
		{ day: today, eventType: 'purchase.completed', count: 1 },
		{ day: today - 29, eventType: 'purchase.completed', count: 2 },
		{ day: today - 30, eventType: 'purchase.completed', count: 4 },
		{ day: today - 400, eventType: 'email.opened', count: 8 },
	];

	test('a window counts the same days as the activity window; no window = lifetime', () => {
		expect(countEvents(rows, 'purchase.completed', now, 30)).toBe(3);
		expect(countEvents(rows, 'purchase.completed', now, 31)).toBe(7);
		expect(countEvents(rows, 'purchase.completed', now)).toBe(7);
		expect(countEvents(rows, 'email.opened', now, 365)).toBe(0);
	});

	test("'*' counts every type", () => {
		expect(countEvents(rows, '*', now)).toBe(15);
		expect(countEvents(rows, '*', now, 30)).toBe(3);
	});
});

describe('activity settings validation', () => {
	test.each([
		['a window of 0 days', { windowDays: 0 }, 'activity.windowDays: must be from 1 to 3650 days'],
		[
			'a window over ten years',
			{ windowDays: 3651 },
			'activity.windowDays: must be from 1 to 3650 days',
		],
		[
			'a fractional window',
			{ windowDays: 1.5 },
			'activity.windowDays: must be a whole number of days',
		],
		[
			'levels out of order',
			{
				levels: [
					{ key: 'low', name: 'Low', minScore: 0 },
					{ key: 'high', name: 'High', minScore: 10 },
					{ key: 'medium', name: 'Medium', minScore: 5 },
				],
			},
			"Activity levels must ascend by minimum score: 'medium' (5) follows 'high' (10)",
		],
		[
			'two levels at one score',
			{
				levels: [
					{ key: 'a', name: 'A', minScore: 1 },
					{ key: 'b', name: 'B', minScore: 1 },
				],
			},
			"Activity levels must ascend by minimum score: 'b' (1) follows 'a' (1)",
		],
		[
			'a level key twice',
			{
				levels: [
					{ key: 'a', name: 'A', minScore: 1 },
					{ key: 'a', name: 'A again', minScore: 2 },
				],
			},
			"Activity level key 'a' is used twice (activity.levels[1])",
		],
		['no levels', { levels: [] }, 'activity.levels: needs at least one level'],
		[
			'an infinite weight',
			{ weights: { a: Infinity } },
			'activity.weights.a: Number must be finite',
		],
	])('%s is refused', (_label, activity, message) => {
		expect(() => settingsOf(activity)).toThrow(message);
	});

	test('the field of an out-of-order level is named for the node', () => {
		try {
			settingsOf({
				levels: [
					{ key: 'b', name: 'B', minScore: 2 },
					{ key: 'a', name: 'A', minScore: 1 },
				],
			});
			throw new Error('expected a failure');
		} catch (error) {
			expect((error as { field?: string }).field).toBe('activity.levels[1].minScore');
		}
	});
});
