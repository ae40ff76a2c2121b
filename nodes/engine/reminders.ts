import { IANAZone } from 'luxon';
import { InputError } from './errors';
import { findStage, type JourneyDefinition, type ReminderRule } from './journey';

/**
 * Stage reminders: which reminder rules are due for a customer now, and what to say to whom.
 * Pure: the store selects candidates and claims what this decides, recording the returned log.
 *
 * Time model, in one place:
 *  - A rule's clock starts when the customer entered the current stage (`daysInStage`), or at the
 *    later of that and the last contact (`daysWithoutContact`): a contact restarts the clock, and so
 *    does entering a stage. A customer never contacted counts from the stage entry.
 *  - Elapsed time is measured in milliseconds from the clock start to now. Calendar rules count
 *    all of it; business-day rules count only the part that falls on a Monday–Friday local date in
 *    the given time zone. Either way a day is 24 hours of counted time, so business elapsed is never
 *    more than calendar elapsed.
 *  - Occurrence k of a rule (k = 1, 2, …) is due once elapsed ≥ days + (k − 1) · repeatEveryDays
 *    (both rounded to the millisecond): exactly N days is due, one millisecond less is not.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The customer as the reminder engine needs it: one customer in one journey. */
export interface ReminderSubject {
	customerId: string;
	customerName: string | null;
	/** The employee the customer belongs to; null = unassigned (in the pool). */
	owner: string | null;
	/** Current stage key in the journey. */
	stage: string;
	/** When the customer entered the current stage (epoch ms). */
	stageEnteredAt: number;
	/** When an employee last reached the customer (epoch ms); null = never. */
	lastContactAt: number | null;
}

/**
 * What the store remembers about one series of a rule for one customer: the clock start it
 * belongs to, how far it got, and when it last fired. A different clock start is a new series.
 */
export interface ReminderLog {
	clockStart: number;
	occurrences: number;
	lastFiredAt: number;
}

export interface ReminderRecipient {
	role: 'owner' | 'admin';
	id: string;
}

export interface ReminderOptions {
	/** IANA time zone in which business days are Monday–Friday, e.g. "Asia/Shanghai". */
	timeZone: string;
	/** Admins to notify for admin rules, unassigned customers and escalations. */
	admins: string[];
}

export interface DueReminder {
	journeyKey: string;
	journeyName: string;
	ruleId: string;
	kind: ReminderRule['kind'];
	businessDays: boolean;
	customerId: string;
	customerName: string | null;
	owner: string | null;
	stage: string;
	stageName: string;
	/** Start of the clock this series belongs to (epoch ms). */
	clockStart: number;
	/** Exact elapsed (business) days from the clock start to now, fractional. */
	elapsedDays: number;
	/** The rule's `days`. */
	threshold: number;
	/** 1 for the first reminder of the series; the latest one due after a catch-up. */
	occurrence: number;
	/** When this occurrence became due (epoch ms). */
	dueAt: number;
	/** When the next occurrence becomes due, if the rule repeats (epoch ms). */
	nextDueAt: number | null;
	/** Occurrence is beyond the rule's `escalateAfter`: admins are told as well. */
	escalated: boolean;
	/** The customer has no owner (the unassigned pool); owner rules then go to the admins. */
	unassigned: boolean;
	/** Whom to tell, owner first, each person once. */
	recipients: ReminderRecipient[];
	/** Why the recipients differ from the rule's own choice (unassigned, escalated, nobody). */
	notes: string[];
	/** A sentence ready to send. */
	message: string;
	/** The log the store records when it claims this reminder. */
	log: ReminderLog;
}

/** False when the journey's reminders are switched off: then no rule of it is ever due. */
export function remindersActive(journey: JourneyDefinition): boolean {
	return journey.remindersEnabled;
}

/** Each journey definition's contact event types as a set (definitions are immutable). */
const contactTypeSets = new WeakMap<JourneyDefinition, ReadonlySet<string>>();

/**
 * Whether an event of this type, recorded in this journey, counts as contact with the customer
 * (the journey lists it in `contactEventTypes`): it then moves the customer's last contact
 * forward and restarts "no contact for N days" reminders in every journey the customer is in.
 */
export function countsAsContact(journey: JourneyDefinition, eventType: string): boolean {
	let types = contactTypeSets.get(journey);
	if (!types) contactTypeSets.set(journey, (types = new Set(journey.contactEventTypes)));
	return types.has(eventType);
}

/** Each journey definition's reminder rules by stage, worked out once (definitions are immutable). */
const rulesByStage = new WeakMap<JourneyDefinition, Map<string, ReminderRule[]>>();

/** The journey's reminder rules that can fire (none while reminders are switched off). */
export function activeReminderRules(
	journey: JourneyDefinition,
	stage?: string,
): readonly ReminderRule[] {
	if (!remindersActive(journey)) return [];
	if (stage === undefined) return journey.reminderRules;
	let byStage = rulesByStage.get(journey);
	if (!byStage) {
		byStage = new Map();
		for (const rule of journey.reminderRules) {
			const rules = byStage.get(rule.stage) ?? [];
			rules.push(rule);
			byStage.set(rule.stage, rules);
		}
		rulesByStage.set(journey, byStage);
	}
	return byStage.get(stage) ?? [];
}

/** Where the rule's clock starts for this customer (see the time model above). */
export function reminderClockStart(
	rule: Pick<ReminderRule, 'kind'>,
	subject: Pick<ReminderSubject, 'stageEnteredAt' | 'lastContactAt'>,
): number {
	if (rule.kind === 'daysInStage' || subject.lastContactAt === null) return subject.stageEnteredAt;
	return Math.max(subject.stageEnteredAt, subject.lastContactAt);
}

/**
 * The latest clock start that can possibly make the rule due at `now`: `now − days · 24 h`.
 * Business elapsed never exceeds calendar elapsed, and later occurrences need more elapsed time,
 * so every customer with a due reminder has a clock start at or before this instant. The store
 * selects candidates with it (an index on stage entry / last contact); the engine decides exactly.
 */
export function latestDueClockStart(rule: Pick<ReminderRule, 'days'>, now: number): number {
	return now - daysToMs(rule.days);
}

function daysToMs(days: number): number {
	return Math.round(days * DAY_MS);
}

/** Zones by name, checked once: luxon validates a zone on every `isValid`, which is slow. */
const zones = new Map<string, IANAZone>();

function zoneOf(timeZone: string): IANAZone {
	let zone = zones.get(timeZone);
	if (!zone) {
		zone = IANAZone.create(timeZone);
		if (!zone.isValid)
			throw new InputError(
				`Unknown time zone '${timeZone}'; use an IANA name such as 'Europe/Berlin'`,
				'timeZone',
			);
		zones.set(timeZone, zone);
	}
	return zone;
}

/** Days since 1970-01-01 of the local date at `instant`, from the zone's offset there. */
function localEpochDay(zone: IANAZone, instant: number): number {
	return Math.floor((instant + zone.offset(instant) * 60_000) / DAY_MS);
}

/** Local dates' first instants, per time zone; they never change, so they are kept. */
const dayStarts = new Map<string, Map<number, number>>();

/** The first instant of a local date (a date whose midnight is skipped starts when it begins). */
function localDayStart(zone: IANAZone, epochDay: number): number {
	let starts = dayStarts.get(zone.name);
	if (!starts) dayStarts.set(zone.name, (starts = new Map()));
	let start = starts.get(epochDay);
	if (start === undefined) {
		// Guess with the offset at the wall-clock time, then correct with the offset found there.
		const wall = epochDay * DAY_MS;
		const guess = wall - zone.offset(wall) * 60_000;
		start = wall - zone.offset(guess) * 60_000;
		const isFirstInstant =
			localEpochDay(zone, start) === epochDay && localEpochDay(zone, start - 1) < epochDay;
		if (!isFirstInstant) start = firstInstantNear(zone, epochDay, guess);
		starts.set(epochDay, start);
	}
	return start;
}

/** Midnight was skipped or repeated by a clock change: find the date's start by bisection. */
function firstInstantNear(zone: IANAZone, epochDay: number, near: number): number {
	let low = near - DAY_MS;
	let high = near + DAY_MS;
	while (high - low > 1) {
		const middle = Math.floor((low + high) / 2);
		if (localEpochDay(zone, middle) < epochDay) low = middle;
		else high = middle;
	}
	return high;
}

/** Epoch day of the Monday of the week holding `epochDay` (1970-01-01 was a Thursday). */
function mondayOf(epochDay: number): number {
	const isoWeekday = ((((epochDay + 3) % 7) + 7) % 7) + 1;
	return epochDay - (isoWeekday - 1);
}

/**
 * Business days are counted from 1970 up to 2200: every week in between is worked out once, so a
 * mistyped year must not make a run compute millennia of weeks.
 */
const EARLIEST_BUSINESS_MONDAY = mondayOf(0) - 7;
const BUSINESS_DAYS_UNTIL = Date.UTC(2200, 0, 1);

function requireBusinessRange(instant: number): void {
	if (instant < 0 || instant >= BUSINESS_DAYS_UNTIL)
		throw new InputError(
			`Business days are counted between 1970 and 2200; ${new Date(instant).toISOString()} is outside`,
		);
}

/**
 * Weekday time in one zone as a running total over consecutive local weeks, so that the business
 * time between two instants is one subtraction and its inverse one binary search, however many
 * weeks lie between (a stage reminder run may weigh thousands of customers who sat for years).
 */
class WeekdayClock {
	/** Epoch day of the first Monday covered. */
	private firstMonday = 0;
	/** Per covered week: the instants its Monday and its Saturday begin (local midnight). */
	private mondayStarts: number[] = [];
	private saturdayStarts: number[] = [];
	/** Per covered week: weekday ms in the covered weeks before it; one more entry at the end. */
	private before: number[] = [0];

	constructor(private readonly zone: IANAZone) {}

	/**
	 * Weekday ms from the start of the first covered week to `instant`. Covering an earlier week
	 * renumbers the totals, so of two instants measure the earlier one first.
	 */
	position(instant: number): number {
		requireBusinessRange(instant);
		// Offsets stay within a day, so the local date is the UTC date or a neighbour: the instant
		// lies in the week of the latest of them or in the week before.
		const latestMonday = mondayOf(Math.floor(instant / DAY_MS) + 1);
		this.cover(latestMonday - 7);
		let week = this.cover(latestMonday);
		if (this.mondayStarts[week] > instant) week -= 1;
		const inWeek = Math.min(instant, this.saturdayStarts[week]) - this.mondayStarts[week];
		return this.before[week] + Math.max(0, inWeek);
	}

	/** The first instant whose position is `target` (the covered range grows forward as needed). */
	instantAt(target: number): number {
		while (this.before[this.before.length - 1] < target) this.pushWeek();
		// The first week whose weekdays reach the target.
		let low = 0;
		let high = this.mondayStarts.length - 1;
		while (low < high) {
			const middle = (low + high) >> 1;
			if (this.before[middle + 1] >= target) high = middle;
			else low = middle + 1;
		}
		return this.mondayStarts[low] + (target - this.before[low]);
	}

	/** Makes the week starting on `monday` covered; returns its index. */
	private cover(monday: number): number {
		if (this.mondayStarts.length === 0) this.firstMonday = monday;
		if (monday < this.firstMonday)
			this.coverFrom(Math.max(monday - 52 * 7, EARLIEST_BUSINESS_MONDAY));
		while (this.firstMonday + 7 * this.mondayStarts.length <= monday) this.pushWeek();
		return (monday - this.firstMonday) / 7;
	}

	private pushWeek(): void {
		const monday = this.firstMonday + 7 * this.mondayStarts.length;
		// Going past the range can only come from a due time asked for beyond it.
		if (monday * DAY_MS > BUSINESS_DAYS_UNTIL) requireBusinessRange(monday * DAY_MS);
		const start = localDayStart(this.zone, monday);
		const end = localDayStart(this.zone, monday + 5);
		this.mondayStarts.push(start);
		this.saturdayStarts.push(end);
		this.before.push(this.before[this.before.length - 1] + (end - start));
	}

	/** Re-covers from an earlier Monday (a year of slack, so this stays rare). */
	private coverFrom(monday: number): void {
		const weeks = (this.firstMonday - monday) / 7 + this.mondayStarts.length;
		this.firstMonday = monday;
		this.mondayStarts = [];
		this.saturdayStarts = [];
		this.before = [0];
		for (let week = 0; week < weeks; week++) this.pushWeek();
	}
}

const weekdayClocks = new Map<string, WeekdayClock>();

function weekdayClock(timeZone: string): WeekdayClock {
	let clock = weekdayClocks.get(timeZone);
	if (!clock) weekdayClocks.set(timeZone, (clock = new WeekdayClock(zoneOf(timeZone))));
	return clock;
}

/**
 * Milliseconds of [from, to) that fall on a Monday–Friday local date in `timeZone` (0 when `to`
 * is not after `from`). Local midnights come from luxon, each computed once per process.
 */
export function businessMsBetween(from: number, to: number, timeZone: string): number {
	if (!(to > from)) return 0;
	const clock = weekdayClock(timeZone);
	const start = clock.position(from);
	return clock.position(to) - start;
}

/**
 * Elapsed days from `from` to `to`: calendar days are (to − from) / 24 h; business days count
 * only time on Monday–Friday local dates in `timeZone`, 24 h to a day. Never negative.
 */
export function elapsedDays(
	from: number,
	to: number,
	businessDays: boolean,
	timeZone: string,
): number {
	return elapsedMs(from, to, businessDays, timeZone) / DAY_MS;
}

function elapsedMs(from: number, to: number, businessDays: boolean, timeZone: string): number {
	if (businessDays) return businessMsBetween(from, to, timeZone);
	return Math.max(0, to - from);
}

/** The first instant at which `amount` ms of counted time have elapsed since `from`. */
function instantAfter(from: number, amount: number, businessDays: boolean, timeZone: string) {
	if (!businessDays || !Number.isFinite(amount)) return from + amount;
	const clock = weekdayClock(timeZone);
	return Math.max(from, clock.instantAt(clock.position(from) + amount));
}

/** Counted ms from the clock start at which occurrence `occurrence` of the rule is due. */
function occurrenceOffsetMs(rule: ReminderRule, occurrence: number): number {
	const repeat = rule.repeatEveryDays === undefined ? 0 : daysToMs(rule.repeatEveryDays);
	return daysToMs(rule.days) + (occurrence - 1) * repeat;
}

/**
 * When occurrence `occurrence` (1-based) of the rule is due for a clock started at `clockStart`:
 * the first instant at which elapsed ≥ days + (occurrence − 1) · repeatEveryDays. Null for an
 * occurrence after the first of a rule that does not repeat.
 */
export function occurrenceDueAt(
	rule: ReminderRule,
	clockStart: number,
	occurrence: number,
	timeZone: string,
): number | null {
	if (occurrence < 1 || (occurrence > 1 && rule.repeatEveryDays === undefined)) return null;
	return instantAfter(
		clockStart,
		occurrenceOffsetMs(rule, occurrence),
		rule.businessDays,
		timeZone,
	);
}

/**
 * The latest occurrence due after `elapsed` counted ms: 0 before the threshold, 1 from it on for a
 * rule that does not repeat, else 1 + whole repeat periods since the threshold.
 */
function latestOccurrence(rule: ReminderRule, elapsed: number): number {
	const threshold = daysToMs(rule.days);
	if (elapsed < threshold) return 0;
	if (rule.repeatEveryDays === undefined) return 1;
	return 1 + Math.floor((elapsed - threshold) / daysToMs(rule.repeatEveryDays));
}

function plural(count: number, unit: string): string {
	return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** Whole days, or tenths for rules with fractional limits: never rounded up past the truth. */
function shownDays(elapsed: number, rule: ReminderRule): number {
	// The epsilon keeps a float like 2.9999999999999996 from showing one unit below the limit.
	return Number.isInteger(rule.days)
		? Math.floor(elapsed + 1e-9)
		: Math.floor(elapsed * 10 + 1e-9) / 10;
}

/**
 * The rule's recipients, admins standing in for a missing owner and joining an escalation; one
 * entry per person, so an owner who is also an admin hears it once, as the owner.
 */
function recipientsFor(
	rule: ReminderRule,
	owner: string | null,
	escalated: boolean,
	admins: string[],
): ReminderRecipient[] {
	const wantsOwner = rule.recipient !== 'admin';
	const wantsAdmins = rule.recipient !== 'owner' || (wantsOwner && owner === null) || escalated;
	const recipients: ReminderRecipient[] = [];
	if (wantsOwner && owner !== null) recipients.push({ role: 'owner', id: owner });
	if (wantsAdmins) {
		for (const id of admins) {
			if (id !== '' && !recipients.some((r) => r.id === id)) recipients.push({ role: 'admin', id });
		}
	}
	return recipients;
}

/** Says why the recipients differ from the rule's own choice, or that nobody is told. */
function recipientNotes(
	rule: ReminderRule,
	owner: string | null,
	escalated: boolean,
	recipients: ReminderRecipient[],
): string[] {
	const toAdmins = recipients.some((r) => r.role === 'admin');
	const notes: string[] = [];
	if (owner === null && rule.recipient !== 'admin')
		notes.push(
			toAdmins
				? 'The customer is unassigned, so the admins are told instead.'
				: 'The customer is unassigned and no admins were given: nobody is told.',
		);
	if (escalated) {
		const after = `Escalated after ${plural(rule.escalateAfter ?? 0, 'reminder')}`;
		notes.push(
			toAdmins ? `${after}: the admins are told too.` : `${after}, but no admins were given.`,
		);
	}
	if (recipients.length === 0 && notes.length === 0)
		notes.push('Nobody to tell: no admins were given.');
	return notes;
}

function requireTime(field: string, value: number): void {
	if (!Number.isFinite(value))
		throw new InputError(`${field} must be a time in epoch milliseconds`, field);
}

/**
 * Decides whether a reminder rule fires now for one customer in one journey, and composes it.
 *
 * Returns null when reminders are off for the journey, the rule is for another stage, nothing is
 * due yet, or the latest occurrence due has already fired in this series. `log` is the store's
 * record for (customer, journey, rule); it counts only when its clock start equals the current
 * one — a contact or a new stage entry starts a new series, so the old log no longer applies.
 * A run long after the due time yields one reminder, numbered as the latest occurrence due, never
 * several at once. Occurrences after `escalateAfter` are escalated: the admins hear them too.
 */
export function decideReminder(
	journey: JourneyDefinition,
	rule: ReminderRule,
	subject: ReminderSubject,
	log: ReminderLog | null,
	now: number,
	options: ReminderOptions,
): DueReminder | null {
	requireTime('now', now);
	requireTime('stageEnteredAt', subject.stageEnteredAt);
	if (subject.lastContactAt !== null) requireTime('lastContactAt', subject.lastContactAt);
	if (!remindersActive(journey) || rule.stage !== subject.stage) return null;
	const clockStart = reminderClockStart(rule, subject);
	const elapsed = elapsedMs(clockStart, now, rule.businessDays, options.timeZone);
	const occurrence = latestOccurrence(rule, elapsed);
	const alreadyFired = log !== null && log.clockStart === clockStart ? log.occurrences : 0;
	if (occurrence === 0 || occurrence <= alreadyFired) return null;

	const escalated = rule.escalateAfter !== undefined && occurrence > rule.escalateAfter;
	const recipients = recipientsFor(rule, subject.owner, escalated, options.admins);
	const toAdmins = recipients.some((r) => r.role === 'admin');

	const stageName = findStage(journey, rule.stage)?.name ?? rule.stage;
	const who = subject.customerName || subject.customerId;
	const unit = rule.businessDays ? 'business day' : 'day';
	const days = elapsed / DAY_MS;
	const span = plural(shownDays(days, rule), unit);
	// Joined from parts into one flat string: concatenation would keep a tree of string pieces
	// alive per reminder, and a run words thousands of them at once.
	const parts: Array<string | number> =
		rule.kind === 'daysInStage'
			? [who, ' has been in ', stageName, ' for ', span]
			: [who, ' has not been contacted for ', span, ' in ', stageName];
	parts.push(' (limit ', rule.days, ').');
	if (occurrence > 1)
		parts.push(' Reminder ', occurrence, escalated ? ', escalated to the admins.' : '.');
	if (subject.owner !== null) parts.push(' Owner: ', subject.owner);
	else parts.push(toAdmins ? ' Unassigned: sent to the admins' : ' Unassigned');
	const message = parts.join('');

	return {
		journeyKey: journey.key,
		journeyName: journey.name,
		ruleId: rule.id,
		kind: rule.kind,
		businessDays: rule.businessDays,
		customerId: subject.customerId,
		customerName: subject.customerName,
		owner: subject.owner,
		stage: rule.stage,
		stageName,
		clockStart,
		elapsedDays: days,
		threshold: rule.days,
		occurrence,
		dueAt: occurrenceDueAt(rule, clockStart, occurrence, options.timeZone) as number,
		nextDueAt: occurrenceDueAt(rule, clockStart, occurrence + 1, options.timeZone),
		escalated,
		unassigned: subject.owner === null,
		recipients,
		notes: recipientNotes(rule, subject.owner, escalated, recipients),
		message,
		log: { clockStart, occurrences: occurrence, lastFiredAt: now },
	};
}

/** A business-day rule is due up to a day later in one zone than another: check this early. */
const ZONE_SLACK_MS = 26 * 60 * 60 * 1000;

/** When a rule is next due, a check time: business-day rules are looked at a zone's slack early. */
function checkTimeFor(rule: ReminderRule, dueAt: number): number {
	return rule.businessDays ? dueAt - ZONE_SLACK_MS : dueAt;
}

/**
 * The earliest instant at which any of these rules (the reminder rules of the customer's stage)
 * can next fire, given how many reminders each has fired in its current series. A store keeps
 * it per customer so that a run only looks at customers whose time may have come. Null: nothing
 * more can fire until something changes (a new stage, a contact, a new journey version).
 */
export function nextReminderCheck(
	rules: readonly ReminderRule[],
	subject: Pick<ReminderSubject, 'stageEnteredAt' | 'lastContactAt'>,
	fired: (rule: ReminderRule) => number,
	timeZone: string,
): number | null {
	let next: number | null = null;
	for (const rule of rules) {
		const due = occurrenceDueAt(rule, reminderClockStart(rule, subject), fired(rule) + 1, timeZone);
		if (due === null) continue;
		const bound = checkTimeFor(rule, due);
		next = next === null ? bound : Math.min(next, bound);
	}
	return next;
}

/** One reminder rule of the customer's stage, decided at a moment. */
export interface RuleOutlook {
	rule: ReminderRule;
	/** Due now and not yet sent in the current series (the latest occurrence due), or null. */
	due: DueReminder | null;
	/** The next occurrence not yet due (after `due`, if any) and when it falls due; null: none. */
	next: { occurrence: number; dueAt: number } | null;
}

/**
 * Every reminder rule of the customer's current stage, decided at `now` (decideReminder), with
 * the occurrence that falls due next; and the check time a store keeps (nextReminderCheck):
 * when any of them can next fire once the due ones are sent. `logs` are the customer's series
 * per rule id (any clock start; the current one is picked). Stage Reminder claims `due`;
 * Customer → Get shows `due` as open reminders and `next` as what comes.
 */
export function stageReminderOutlook(
	journey: JourneyDefinition,
	subject: ReminderSubject,
	logs: ReadonlyMap<string, readonly ReminderLog[]> | undefined,
	now: number,
	options: ReminderOptions,
): { rules: RuleOutlook[]; nextCheck: number | null } {
	const rules: RuleOutlook[] = [];
	let nextCheck: number | null = null;
	for (const rule of activeReminderRules(journey, subject.stage)) {
		const clockStart = reminderClockStart(rule, subject);
		const log = logs?.get(rule.id)?.find((l) => l.clockStart === clockStart) ?? null;
		const due = decideReminder(journey, rule, subject, log, now, options);
		const fired = due ? due.occurrence : (log?.occurrences ?? 0);
		const dueAt = due
			? due.nextDueAt
			: occurrenceDueAt(rule, clockStart, fired + 1, options.timeZone);
		const next = dueAt === null ? null : { occurrence: fired + 1, dueAt };
		if (dueAt !== null) {
			const bound = checkTimeFor(rule, dueAt);
			nextCheck = nextCheck === null ? bound : Math.min(nextCheck, bound);
		}
		rules.push({ rule, due, next });
	}
	return { rules, nextCheck };
}
