import fc from 'fast-check';
import { DateTime } from 'luxon';
import { InputError } from '../../nodes/engine/errors';
import { parseJourney, type ReminderRule } from '../../nodes/engine/journey';
import {
	activeReminderRules,
	businessMsBetween,
	decideReminder,
	elapsedDays,
	latestDueClockStart,
	occurrenceDueAt,
	reminderClockStart,
	remindersActive,
	type ReminderLog,
	type ReminderSubject,
} from '../../nodes/engine/reminders';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

/** An instant from a local wall-clock time in a zone (UTC unless said). */
function at(iso: string, zone = 'utc'): number {
	const time = DateTime.fromISO(iso, { zone });
	if (!time.isValid) throw new Error(`bad fixture time ${iso}`);
	return time.toMillis();
}

const journey = parseJourney({
	key: 'trade',
	name: 'Trade',
	stages: [
		{ key: 'inquiry', name: 'Inquiry' },
		{ key: 'intentional', name: 'Intentional Leads' },
		{ key: 'sample', name: 'Sample Order' },
		{ key: 'won', name: 'Won' },
	],
	reminderRules: [
		{ id: 'sample_stay', stage: 'sample', kind: 'daysInStage', days: 7 },
		{ id: 'intent_contact', stage: 'intentional', kind: 'daysWithoutContact', days: 10 },
	],
});

/** A rule on the fixture journey, checked by the same schema users go through. */
function rule(fields: Partial<ReminderRule> & Pick<ReminderRule, 'kind' | 'days'>): ReminderRule {
	const stage = fields.stage ?? 'sample';
	return parseJourney({
		...journey,
		reminderRules: [{ id: 'r', stage, ...fields }],
	}).reminderRules[0];
}

const sampleStay = journey.reminderRules[0];
const intentContact = journey.reminderRules[1];

const entered = at('2024-03-04T09:00:00'); // a Monday
const subject: ReminderSubject = {
	customerId: 'c-17',
	customerName: 'Acme Ltd',
	owner: 'li.wei',
	stage: 'sample',
	stageEnteredAt: entered,
	lastContactAt: null,
};
const utc = { timeZone: 'UTC', admins: ['boss'] };

describe('the clock', () => {
	test('dwell time counts from the stage entry, whatever the contact', () => {
		expect(reminderClockStart(sampleStay, { ...subject, lastContactAt: entered + DAY })).toBe(
			entered,
		);
	});

	test('no-contact time counts from the later of the last contact and the stage entry', () => {
		const clock = (lastContactAt: number | null) =>
			reminderClockStart(intentContact, { stageEnteredAt: entered, lastContactAt });
		expect(clock(null)).toBe(entered);
		expect(clock(entered - 5 * DAY)).toBe(entered);
		expect(clock(entered + 2 * DAY)).toBe(entered + 2 * DAY);
	});
});

describe('elapsed days', () => {
	test('calendar days are 24-hour periods and never negative', () => {
		expect(elapsedDays(entered, entered + 36 * HOUR, false, 'UTC')).toBe(1.5);
		expect(elapsedDays(entered, entered - HOUR, false, 'UTC')).toBe(0);
	});

	test('business days skip Saturday and Sunday', () => {
		const friday = at('2024-03-08T10:00:00');
		expect(elapsedDays(friday, at('2024-03-11T10:00:00'), true, 'UTC')).toBe(1);
		expect(elapsedDays(friday, at('2024-03-10T23:00:00'), true, 'UTC')).toBe(14 / 24);
		expect(elapsedDays(at('2024-03-09T12:00:00'), at('2024-03-10T12:00:00'), true, 'UTC')).toBe(0);
		// Monday 09:00 to the Monday two weeks later: ten weekdays.
		expect(elapsedDays(entered, entered + 14 * DAY, true, 'UTC')).toBe(10);
	});

	test("the weekend starts at the zone's own midnight", () => {
		// Friday 20:00 UTC is already Saturday 04:00 in Shanghai.
		const from = at('2024-03-08T20:00:00');
		const mondayEvening = at('2024-03-11T16:00:00');
		expect(elapsedDays(from, mondayEvening, true, 'UTC')).toBe(20 / 24);
		expect(elapsedDays(from, mondayEvening, true, 'Asia/Shanghai')).toBe(1);
	});

	test('a clock change on a weekend does not shift business days', () => {
		// New York springs forward on Sunday 10 March 2024.
		const friday = at('2024-03-08T10:00:00', 'America/New_York');
		const monday = at('2024-03-11T10:00:00', 'America/New_York');
		expect(elapsedDays(friday, monday, true, 'America/New_York')).toBe(1);
		expect(elapsedDays(friday, monday, false, 'America/New_York')).toBe(71 / 24);
	});

	test('a clock change on a weekday: a day is 24 hours of counted time', () => {
		// Jerusalem springs forward on Friday 29 March 2024: that Friday has 23 hours.
		const friday = at('2024-03-29T00:00:00', 'Asia/Jerusalem');
		const saturday = at('2024-03-30T00:00:00', 'Asia/Jerusalem');
		expect(elapsedDays(friday, saturday, true, 'Asia/Jerusalem')).toBe(23 / 24);
	});

	test('a skipped date is not counted', () => {
		// Samoa jumped from Thursday 29 to Saturday 31 December 2011: that week had four weekdays.
		const monday = at('2011-12-26T00:00:00', 'Pacific/Apia');
		const nextMonday = at('2012-01-02T00:00:00', 'Pacific/Apia');
		expect(elapsedDays(monday, nextMonday, true, 'Pacific/Apia')).toBe(4);
		expect(elapsedDays(monday, nextMonday, false, 'Pacific/Apia')).toBe(6);
	});

	test('business days are counted from 1970 to 2200, and a far-off year is refused', () => {
		// 1970-01-05 was a Monday; 2024-01-01 too: 2817 whole weeks.
		expect(elapsedDays(at('1970-01-05T00:00:00'), at('2024-01-01T00:00:00'), true, 'UTC')).toBe(
			2817 * 5,
		);
		expect(elapsedDays(0, at('1970-01-03T00:00:00'), true, 'UTC')).toBe(2);
		expect(() => elapsedDays(entered, at('2300-01-01T00:00:00'), true, 'UTC')).toThrow(
			'Business days are counted between 1970 and 2200; 2300-01-01T00:00:00.000Z is outside',
		);
		expect(elapsedDays(entered, at('2300-01-01T00:00:00'), false, 'UTC')).toBeGreaterThan(0);
	});

	test('an unknown time zone is refused naming the setting', () => {
		expect(() => elapsedDays(entered, entered + DAY, true, 'Mars/Olympus')).toThrow(InputError);
		expect(() => elapsedDays(entered, entered + DAY, true, 'Mars/Olympus')).toThrow(
			"Unknown time zone 'Mars/Olympus'",
		);
	});
});

describe('when a reminder is due', () => {
	test('exactly N days is due; a millisecond less is not', () => {
		expect(decideReminder(journey, sampleStay, subject, null, entered + 7 * DAY - 1, utc)).toBe(
			null,
		);
		expect(
			decideReminder(journey, sampleStay, subject, null, entered + 7 * DAY, utc),
		).toMatchObject({
			ruleId: 'sample_stay',
			journeyKey: 'trade',
			kind: 'daysInStage',
			stage: 'sample',
			stageName: 'Sample Order',
			clockStart: entered,
			elapsedDays: 7,
			threshold: 7,
			occurrence: 1,
			dueAt: entered + 7 * DAY,
			nextDueAt: null,
			escalated: false,
			unassigned: false,
			recipients: [{ role: 'owner', id: 'li.wei' }],
			notes: [],
			log: { clockStart: entered, occurrences: 1, lastFiredAt: entered + 7 * DAY },
		});
	});

	test('a business-day rule waits over the weekend', () => {
		const friday = at('2024-03-08T10:00:00');
		const oneBusinessDay = rule({ kind: 'daysInStage', days: 1, businessDays: true });
		const onFriday = { ...subject, stageEnteredAt: friday };
		expect(
			decideReminder(journey, oneBusinessDay, onFriday, null, at('2024-03-10T23:59:59'), utc),
		).toBe(null);
		expect(
			decideReminder(journey, oneBusinessDay, onFriday, null, at('2024-03-11T09:59:59.999'), utc),
		).toBe(null);
		expect(
			decideReminder(journey, oneBusinessDay, onFriday, null, at('2024-03-11T10:00:00'), utc),
		).toMatchObject({ occurrence: 1, elapsedDays: 1, dueAt: at('2024-03-11T10:00:00') });
	});

	test('business days are counted in the time zone given', () => {
		const oneBusinessDay = rule({ kind: 'daysInStage', days: 1, businessDays: true });
		const lateFriday = { ...subject, stageEnteredAt: at('2024-03-08T20:00:00') };
		const now = at('2024-03-11T16:00:00');
		expect(decideReminder(journey, oneBusinessDay, lateFriday, null, now, utc)).toBe(null);
		expect(
			decideReminder(journey, oneBusinessDay, lateFriday, null, now, {
				...utc,
				timeZone: 'Asia/Shanghai',
			}),
		).toMatchObject({ occurrence: 1, dueAt: now });
	});

	test('a rule for another stage, or a customer who left the stage, is never due', () => {
		const moved = { ...subject, stage: 'won' };
		expect(decideReminder(journey, sampleStay, moved, null, entered + 30 * DAY, utc)).toBe(null);
		expect(decideReminder(journey, intentContact, subject, null, entered + 30 * DAY, utc)).toBe(
			null,
		);
	});

	test('fractional days are allowed: half a day is 12 hours', () => {
		const halfDay = rule({ kind: 'daysInStage', days: 0.5 });
		expect(decideReminder(journey, halfDay, subject, null, entered + 12 * HOUR - 1, utc)).toBe(
			null,
		);
		expect(decideReminder(journey, halfDay, subject, null, entered + 12 * HOUR, utc)?.message).toBe(
			'Acme Ltd has been in Sample Order for 0.5 days (limit 0.5). Owner: li.wei',
		);
	});

	test('times that are not epoch milliseconds are refused naming the field', () => {
		expect(() => decideReminder(journey, sampleStay, subject, null, Number.NaN, utc)).toThrow(
			'now must be a time in epoch milliseconds',
		);
		expect(() =>
			decideReminder(
				journey,
				sampleStay,
				{ ...subject, lastContactAt: Number.POSITIVE_INFINITY },
				null,
				entered,
				utc,
			),
		).toThrow(expect.objectContaining({ field: 'lastContactAt' }));
	});
});

describe('once per stage entry, repeats and catch-up', () => {
	const everyThree = rule({ kind: 'daysInStage', days: 7, repeatEveryDays: 3 });
	const fired = (occurrences: number, clockStart = entered): ReminderLog => ({
		clockStart,
		occurrences,
		lastFiredAt: entered + 7 * DAY,
	});

	test('without repeats a reminder fires once per stage entry', () => {
		expect(decideReminder(journey, sampleStay, subject, fired(1), entered + 300 * DAY, utc)).toBe(
			null,
		);
	});

	test('occurrence 2 is due at threshold + R, not a millisecond before', () => {
		const first = decideReminder(journey, everyThree, subject, null, entered + 7 * DAY, utc);
		expect(first).toMatchObject({ occurrence: 1, nextDueAt: entered + 10 * DAY });
		expect(
			decideReminder(journey, everyThree, subject, first!.log, entered + 10 * DAY - 1, utc),
		).toBe(null);
		expect(
			decideReminder(journey, everyThree, subject, first!.log, entered + 10 * DAY, utc),
		).toMatchObject({
			occurrence: 2,
			elapsedDays: 10,
			dueAt: entered + 10 * DAY,
			nextDueAt: entered + 13 * DAY,
			log: { clockStart: entered, occurrences: 2, lastFiredAt: entered + 10 * DAY },
		});
	});

	test('a run long after fires only the latest occurrence due, once', () => {
		// Due at 7, 10, 13, 16, 19, 22 days: at 23.5 days the sixth is the latest.
		const now = entered + 23.5 * DAY;
		const caughtUp = decideReminder(journey, everyThree, subject, fired(1), now, utc);
		expect(caughtUp).toMatchObject({
			occurrence: 6,
			dueAt: entered + 22 * DAY,
			nextDueAt: entered + 25 * DAY,
		});
		expect(decideReminder(journey, everyThree, subject, caughtUp!.log, now, utc)).toBe(null);
		expect(
			decideReminder(journey, everyThree, subject, caughtUp!.log, entered + 25 * DAY, utc),
		).toMatchObject({ occurrence: 7 });
	});

	test('business-day repeats count business days too', () => {
		const friday = at('2024-03-08T10:00:00');
		const daily = rule({ kind: 'daysInStage', days: 1, businessDays: true, repeatEveryDays: 1 });
		const first = decideReminder(
			journey,
			daily,
			{ ...subject, stageEnteredAt: friday },
			null,
			at('2024-03-11T10:00:00'),
			utc,
		);
		expect(first).toMatchObject({ occurrence: 1, nextDueAt: at('2024-03-12T10:00:00') });
		expect(
			occurrenceDueAt(daily, friday, 5, 'UTC'), // Mon, Tue, Wed, Thu, then the next Friday
		).toBe(at('2024-03-15T10:00:00'));
		expect(occurrenceDueAt(daily, friday, 6, 'UTC')).toBe(at('2024-03-18T10:00:00'));
	});

	test('a rule made stricter after firing does not fire the same occurrence again', () => {
		expect(decideReminder(journey, everyThree, subject, fired(9), entered + 12 * DAY, utc)).toBe(
			null,
		);
	});

	test('a log of an earlier stay in the stage does not hold back the new one', () => {
		const firstStay = fired(1, entered - 60 * DAY);
		const backAgain = decideReminder(
			journey,
			sampleStay,
			subject,
			firstStay,
			entered + 7 * DAY,
			utc,
		);
		expect(backAgain).toMatchObject({ occurrence: 1, clockStart: entered });
	});

	test('contact restarts a no-contact series', () => {
		const inIntent = { ...subject, stage: 'intentional' };
		const first = decideReminder(journey, intentContact, inIntent, null, entered + 10 * DAY, utc);
		expect(first).toMatchObject({ occurrence: 1, clockStart: entered });

		const contactedAt = entered + 12 * DAY;
		const contacted = { ...inIntent, lastContactAt: contactedAt };
		expect(
			decideReminder(
				journey,
				intentContact,
				contacted,
				first!.log,
				contactedAt + 10 * DAY - 1,
				utc,
			),
		).toBe(null);
		expect(
			decideReminder(journey, intentContact, contacted, first!.log, contactedAt + 10 * DAY, utc),
		).toMatchObject({ occurrence: 1, clockStart: contactedAt, elapsedDays: 10 });
	});

	test('a contact before the stage entry does not make the reminder due sooner', () => {
		const inIntent = { ...subject, stage: 'intentional', lastContactAt: entered - 30 * DAY };
		expect(
			decideReminder(journey, intentContact, inIntent, null, entered + 10 * DAY - 1, utc),
		).toBe(null);
	});
});

describe('escalation', () => {
	const escalating = rule({
		kind: 'daysInStage',
		days: 7,
		repeatEveryDays: 3,
		escalateAfter: 2,
	});
	const run = (now: number, log: ReminderLog | null) =>
		decideReminder(journey, escalating, subject, log, now, { timeZone: 'UTC', admins: ['boss'] });

	test('after K reminders the admins hear it too', () => {
		const first = run(entered + 7 * DAY, null)!;
		const second = run(entered + 10 * DAY, first.log)!;
		const third = run(entered + 13 * DAY, second.log)!;
		expect([first, second, third].map((r) => [r.occurrence, r.escalated])).toEqual([
			[1, false],
			[2, false],
			[3, true],
		]);
		expect(second.recipients).toEqual([{ role: 'owner', id: 'li.wei' }]);
		expect(third.recipients).toEqual([
			{ role: 'owner', id: 'li.wei' },
			{ role: 'admin', id: 'boss' },
		]);
		expect(third.notes).toEqual(['Escalated after 2 reminders: the admins are told too.']);
		expect(third.message).toBe(
			'Acme Ltd has been in Sample Order for 13 days (limit 7). Reminder 3, escalated to the admins. Owner: li.wei',
		);
	});

	test('an escalation with no admins to tell says so', () => {
		const escalated = decideReminder(journey, escalating, subject, null, entered + 13 * DAY, {
			timeZone: 'UTC',
			admins: [],
		});
		expect(escalated).toMatchObject({
			escalated: true,
			recipients: [{ role: 'owner', id: 'li.wei' }],
			notes: ['Escalated after 2 reminders, but no admins were given.'],
		});
	});

	test('a catch-up past K is escalated at once', () => {
		expect(run(entered + 30 * DAY, null)).toMatchObject({ occurrence: 8, escalated: true });
	});
});

describe('recipients', () => {
	const decide = (fields: Partial<ReminderRule>, owner: string | null, admins: string[]) =>
		decideReminder(
			journey,
			rule({ kind: 'daysInStage', days: 7, ...fields }),
			{ ...subject, owner },
			null,
			entered + 7 * DAY,
			{ timeZone: 'UTC', admins },
		)!;

	test('an unassigned customer goes to the admins, with a note saying so', () => {
		const reminder = decide({ recipient: 'owner' }, null, ['boss', 'ops']);
		expect(reminder.unassigned).toBe(true);
		expect(reminder.recipients).toEqual([
			{ role: 'admin', id: 'boss' },
			{ role: 'admin', id: 'ops' },
		]);
		expect(reminder.notes).toEqual(['The customer is unassigned, so the admins are told instead.']);
		expect(reminder.message).toBe(
			'Acme Ltd has been in Sample Order for 7 days (limit 7). Unassigned: sent to the admins',
		);
	});

	test('unassigned with no admins: nobody to tell, and it says so', () => {
		const reminder = decide({ recipient: 'owner' }, null, []);
		expect(reminder.recipients).toEqual([]);
		expect(reminder.notes).toEqual([
			'The customer is unassigned and no admins were given: nobody is told.',
		]);
		expect(reminder.message).toMatch(/\. Unassigned$/);
	});

	test('owner and admin: each person once, the owner first', () => {
		expect(
			decide({ recipient: 'ownerAndAdmin' }, 'li.wei', ['boss', 'li.wei', 'boss', '']).recipients,
		).toEqual([
			{ role: 'owner', id: 'li.wei' },
			{ role: 'admin', id: 'boss' },
		]);
	});

	test('an admin rule goes to the admins only, and names the owner in the message', () => {
		const reminder = decide({ recipient: 'admin' }, 'li.wei', ['boss']);
		expect(reminder.recipients).toEqual([{ role: 'admin', id: 'boss' }]);
		expect(reminder.unassigned).toBe(false);
		expect(reminder.message).toMatch(/Owner: li\.wei$/);
		expect(decide({ recipient: 'admin' }, 'li.wei', []).notes).toEqual([
			'Nobody to tell: no admins were given.',
		]);
	});
});

describe('reminders switched off', () => {
	const off = parseJourney({ ...journey, remindersEnabled: false });

	test('nothing is due and no rule is active', () => {
		expect(remindersActive(off)).toBe(false);
		expect(activeReminderRules(off)).toEqual([]);
		expect(decideReminder(off, sampleStay, subject, null, entered + 100 * DAY, utc)).toBe(null);
	});

	test('switched on, the active rules are the journey’s, optionally for one stage', () => {
		expect(remindersActive(journey)).toBe(true);
		expect(activeReminderRules(journey).map((r) => r.id)).toEqual([
			'sample_stay',
			'intent_contact',
		]);
		expect(activeReminderRules(journey, 'intentional').map((r) => r.id)).toEqual([
			'intent_contact',
		]);
	});
});

describe('message wording', () => {
	test('dwell time', () => {
		expect(
			decideReminder(journey, sampleStay, subject, null, entered + 9.9 * DAY, utc)?.message,
		).toBe('Acme Ltd has been in Sample Order for 9 days (limit 7). Owner: li.wei');
	});

	test('no contact', () => {
		const inIntent = { ...subject, stage: 'intentional' };
		expect(
			decideReminder(journey, intentContact, inIntent, null, entered + 12 * DAY, utc)?.message,
		).toBe(
			'Acme Ltd has not been contacted for 12 days in Intentional Leads (limit 10). Owner: li.wei',
		);
	});

	test('business days, one day, and the customer id when there is no name', () => {
		const friday = at('2024-03-08T10:00:00');
		const reminder = decideReminder(
			journey,
			rule({ kind: 'daysWithoutContact', days: 1, businessDays: true }),
			{ ...subject, customerName: null, stageEnteredAt: friday },
			null,
			at('2024-03-11T10:00:00'),
			utc,
		);
		expect(reminder?.message).toBe(
			'c-17 has not been contacted for 1 business day in Sample Order (limit 1). Owner: li.wei',
		);
		expect(reminder?.businessDays).toBe(true);
	});

	test('an empty name counts as no name', () => {
		expect(
			decideReminder(
				journey,
				sampleStay,
				{ ...subject, customerName: '' },
				null,
				entered + 7 * DAY,
				utc,
			)?.message,
		).toMatch(/^c-17 has been in Sample Order/);
	});
});

describe('the store prefilter bound', () => {
	test('a clock start at the bound is due, one millisecond later is not', () => {
		const now = at('2024-04-01T12:00:00');
		const bound = latestDueClockStart(sampleStay, now);
		expect(bound).toBe(now - 7 * DAY);
		const decide = (stageEnteredAt: number) =>
			decideReminder(journey, sampleStay, { ...subject, stageEnteredAt }, null, now, utc);
		expect(decide(bound)).not.toBe(null);
		expect(decide(bound + 1)).toBe(null);
	});
});

describe('properties', () => {
	const zones = [
		'UTC',
		'Asia/Shanghai',
		'America/New_York',
		'Asia/Jerusalem',
		'Pacific/Apia',
		'America/Sao_Paulo',
		'Pacific/Chatham',
	];
	const instant = fc.integer({ min: Date.UTC(2005, 0, 1), max: Date.UTC(2030, 0, 1) });
	const zone = fc.constantFrom(...zones);
	const ruleArb = fc.record({
		kind: fc.constantFrom('daysInStage' as const, 'daysWithoutContact' as const),
		days: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.01, max: 60, noNaN: true })),
		businessDays: fc.boolean(),
		repeatEveryDays: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
		escalateAfter: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
	});
	const scenario = fc.record({
		rule: ruleArb,
		stageEnteredAt: instant,
		contactAfter: fc.option(fc.integer({ min: -30 * DAY, max: 30 * DAY }), { nil: null }),
		waited: fc.integer({ min: 0, max: 200 * DAY }),
		zone,
		owner: fc.option(fc.constantFrom('li.wei', 'boss'), { nil: null }),
	});
	const build = (s: {
		rule: Omit<ReminderRule, 'id' | 'stage' | 'recipient'>;
		stageEnteredAt: number;
		contactAfter: number | null;
		waited: number;
		zone: string;
		owner: string | null;
	}) => {
		const fields = { ...s.rule };
		if (fields.repeatEveryDays === undefined) delete fields.escalateAfter;
		const r = rule(fields as ReminderRule);
		const who: ReminderSubject = {
			...subject,
			owner: s.owner,
			stageEnteredAt: s.stageEnteredAt,
			lastContactAt: s.contactAfter === null ? null : s.stageEnteredAt + s.contactAfter,
		};
		const now = reminderClockStart(r, who) + s.waited;
		return { r, who, now, options: { timeZone: s.zone, admins: ['boss', 'ops'] } };
	};

	test('never due before the threshold, and always inside the prefilter bound', () => {
		fc.assert(
			fc.property(scenario, (s) => {
				const { r, who, now, options } = build(s);
				const due = decideReminder(journey, r, who, null, now, options);
				if (due === null) return;
				expect(due.elapsedDays * DAY).toBeGreaterThanOrEqual(Math.round(r.days * DAY) - 1e-6);
				expect(due.clockStart).toBeLessThanOrEqual(latestDueClockStart(r, now));
				expect(due.dueAt).toBeLessThanOrEqual(now);
				expect(due.nextDueAt === null || due.nextDueAt > now).toBe(true);
			}),
			{ numRuns: 300 },
		);
	});

	test('firing the returned occurrence, then asking again at the same time, gives nothing', () => {
		fc.assert(
			fc.property(scenario, fc.integer({ min: 0, max: 40 * DAY }), (s, later) => {
				const { r, who, now, options } = build(s);
				const due = decideReminder(journey, r, who, null, now, options);
				if (due === null) return;
				expect(decideReminder(journey, r, who, due.log, now, options)).toBe(null);
				const next = decideReminder(journey, r, who, due.log, now + later, options);
				if (next !== null) {
					expect(next.occurrence).toBeGreaterThan(due.occurrence);
					expect(now + later).toBeGreaterThanOrEqual(due.nextDueAt!);
				}
			}),
			{ numRuns: 300 },
		);
	});

	test('business elapsed never exceeds calendar elapsed, and adds up over a split', () => {
		fc.assert(
			fc.property(instant, fc.nat(120 * DAY), fc.nat(120 * DAY), zone, (a, ab, bc, z) => {
				const b = a + ab;
				const c = b + bc;
				expect(businessMsBetween(a, c, z)).toBeLessThanOrEqual(c - a);
				expect(businessMsBetween(a, c, z)).toBe(
					businessMsBetween(a, b, z) + businessMsBetween(b, c, z),
				);
			}),
			{ numRuns: 300 },
		);
	});

	test('business elapsed matches a day-by-day count with luxon', () => {
		const dayByDay = (from: number, to: number, z: string) => {
			let total = 0;
			let day = DateTime.fromMillis(from, { zone: z }).startOf('day');
			while (day.toMillis() < to) {
				const next = day.plus({ days: 1 }).startOf('day');
				if (day.weekday <= 5)
					total += Math.max(0, Math.min(to, next.toMillis()) - Math.max(from, day.toMillis()));
				day = next;
			}
			return total;
		};
		fc.assert(
			fc.property(instant, fc.nat(60 * DAY), zone, (from, span, z) => {
				expect(businessMsBetween(from, from + span, z)).toBe(dayByDay(from, from + span, z));
			}),
			{ numRuns: 300 },
		);
	});

	test('an occurrence is due exactly at occurrenceDueAt, not a millisecond before', () => {
		fc.assert(
			fc.property(scenario, fc.integer({ min: 1, max: 6 }), (s, k) => {
				const { r, who, options } = build({ ...s, rule: { ...s.rule, repeatEveryDays: 2 } });
				const clockStart = reminderClockStart(r, who);
				const dueAt = occurrenceDueAt(r, clockStart, k, options.timeZone)!;
				const before: ReminderLog | null =
					k === 1 ? null : { clockStart, occurrences: k - 1, lastFiredAt: clockStart };
				expect(decideReminder(journey, r, who, before, dueAt - 1, options)).toBe(null);
				expect(decideReminder(journey, r, who, before, dueAt, options)?.occurrence).toBe(k);
			}),
			{ numRuns: 300 },
		);
	});
});
