import { DateTime, IANAZone } from 'luxon';
import { InputError } from './errors';
import { fieldLabel } from './labels';
import { describeType, quoteText, reasonOf } from './text';

/**
 * Strict reading of times from webhooks, imports and expressions. A time is an instant: ISO 8601
 * text with a zone, epoch milliseconds, a Date or a luxon DateTime. Nothing is guessed: an
 * impossible date, a number that looks like seconds or a time without a zone is refused naming
 * the field, unless the caller says which time zone zone-less times are in.
 */

export interface TimeOptions {
	/**
	 * IANA time zone (e.g. 'Europe/Berlin') in which to read dates and times written without a
	 * zone. The node passes the workflow's time zone, as n8n's own date nodes do. Omitted or empty:
	 * zone-less times are refused.
	 */
	timeZone?: string;
}

/** 1973-03-03T09:46:40Z: below it, a number of milliseconds is far more likely seconds. */
export const MIN_EPOCH_MILLIS = 100_000_000_000;
/** 9999-12-31T23:59:59.999Z, the last instant ISO 8601's four-digit years can write. */
export const MAX_EPOCH_MILLIS = 253_402_300_799_999;

const ACCEPTED =
	'use ISO 8601 with a zone, e.g. 2026-11-22T10:00:00Z or 2026-11-22T18:00:00+08:00, or epoch milliseconds';

/**
 * The extended ISO 8601 calendar form (RFC 3339 allows a space for the T): date, optional time
 * with minutes and optional seconds and fraction, optional zone (Z or ±hh[:mm]). Week dates,
 * ordinal dates, basic format, time-only and expanded years are refused: a webhook that sends
 * them is far more likely sending something else.
 */
const ISO =
	/^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?)?)?$/;
const DIGITS = /^\d+$/;

/**
 * Reads `value` as an instant and returns epoch milliseconds, or throws an InputError naming
 * `field`. Accepted: ISO 8601 text (see ISO above) with a zone, or without one when
 * `options.timeZone` is given (a date alone is then that day's start there); epoch
 * milliseconds as a number or digit text, from 1973-03-03 to 9999-12-31; a valid Date; a
 * valid luxon DateTime (n8n's `$now`, from whichever copy of luxon). Surrounding blanks of a
 * text are ignored. Fractions of a millisecond in ISO text are dropped, as luxon does.
 */
export function parseTime(value: unknown, field: string, options: TimeOptions = {}): number {
	const timeZone = checkTimeZone(options.timeZone);
	if (typeof value === 'string') return parseText(value, field, timeZone);
	if (typeof value === 'number') return checkMillis(value, field, () => String(value));
	if (typeof value === 'object' && value !== null) {
		const read = objectMillis(value, field);
		if (read) return checkInstant(read.millis, field, () => read.kind);
	}
	throw new InputError(
		`${fieldLabel(field)} is not a valid date: ${describeType(value)} (${ACCEPTED}, as text, a number, a Date or a luxon DateTime)`,
		field,
	);
}

// IANAZone.isValidZone builds an Intl.DateTimeFormat on every call (about 70 µs); a batch asks
// for the same zone once per item.
const knownZones = new Set<string>();

/** The time zone option, checked: undefined when not given, else a zone luxon knows. */
export function checkTimeZone(timeZone: unknown): string | undefined {
	if (timeZone === undefined || timeZone === null || timeZone === '') return undefined;
	if (typeof timeZone === 'string' && knownZones.has(timeZone)) return timeZone;
	if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
		const shown = typeof timeZone === 'string' ? quoteText(timeZone) : describeType(timeZone);
		throw new InputError(
			`Time Zone ${shown} is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`,
			'timeZone',
		);
	}
	if (knownZones.size < 1000) knownZones.add(timeZone);
	return timeZone;
}

function parseText(value: string, field: string, timeZone: string | undefined): number {
	// The common webhook shapes, read without a regex; anything else (or anything refused) takes
	// the exact path below, which gives the same instant or says why not.
	const fast = commonShapeMillis(value);
	if (fast >= 0) return fast;
	const text = value.trim();
	const shown = () => quoteText(value);
	const invalid = (why: string) =>
		new InputError(`${fieldLabel(field)} is not a valid date: ${quoteText(value)} (${why})`, field);
	// Length first: the longest accepted form is about 35 characters; a megabyte is never a date.
	if (text.length > 40) throw invalid(ACCEPTED);
	if (DIGITS.test(text)) return checkMillis(Number(text), field, shown);
	const parts = ISO.exec(text);
	if (!parts) throw invalid(ACCEPTED);
	const [, year, month, day, hour, minute, second, , zone] = parts;
	const dateOnly = hour === undefined;
	const outOfRange = impossible(year, month, day, hour, minute, second);
	if (outOfRange) throw invalid(outOfRange);
	if (!zone && !timeZone) {
		throw invalid(
			dateOnly
				? 'a date alone has no time zone; add a time and zone, e.g. 2026-11-22T00:00:00Z, or set the Time Zone option'
				: 'no time zone; add Z or an offset such as +08:00, or set the Time Zone option',
		);
	}
	// The usual webhook time carries its own zone: computed directly, as luxon would (about a
	// tenth of the cost, which shows on a 10,000-event batch).
	if (zone && Number(year) >= 100) {
		return checkInstant(zonedMillis(parts), field, shown);
	}
	const parsed = DateTime.fromISO(text.replace(' ', 'T'), { zone: timeZone ?? 'UTC' });
	if (!parsed.isValid) throw invalid(`not a real date or time; ${ACCEPTED}`);
	// Luxon moves a wall-clock time that a clock change skipped (02:30 on a spring-forward night);
	// such a time never happened there, so it is refused rather than moved. A date alone is that
	// day's start, whenever it begins.
	if (!zone && !dateOnly) {
		if (
			parsed.hour !== Number(hour) ||
			parsed.minute !== Number(minute) ||
			parsed.second !== Number(second ?? 0)
		) {
			throw invalid(
				`that time does not exist in ${timeZone}: the clocks skip it; add the offset explicitly`,
			);
		}
	}
	return checkInstant(parsed.toMillis(), field, shown);
}

const DIGIT_0 = 48;

/** The value of the two ASCII digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
	const tens = text.charCodeAt(at) - DIGIT_0;
	const ones = text.charCodeAt(at + 1) - DIGIT_0;
	return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/**
 * Epoch ms of the shapes nearly every webhook sends, `2026-11-22T10:00:00Z`,
 * `2026-11-22T10:00:00.123Z` and `2026-11-22T18:00:00+08:00` (with an optional fraction of
 * 1 to 9 digits, `t` or a space for the T, `z` for Z), or -1 for anything else: other shapes,
 * surrounding blanks, impossible dates, years below 100, instants outside 1970..9999. A -1 is
 * never an answer, only "ask the exact path", so what it accepts is a subset of what the ISO
 * expression, `impossible` and `zonedMillis` accept, with the same result (tested against luxon
 * in test/engine/timeZoned.test.ts).
 */
function commonShapeMillis(text: string): number {
	const length = text.length;
	if (length < 20 || length > 35) return -1;
	const c = (at: number) => text.charCodeAt(at);
	const t = c(10);
	if (c(4) !== 45 || c(7) !== 45 || c(13) !== 58 || c(16) !== 58) return -1; // - - : :
	if (t !== 84 && t !== 116 && t !== 32) return -1; // T t space
	const century = twoDigits(text, 0);
	const yy = twoDigits(text, 2);
	const month = twoDigits(text, 5);
	const day = twoDigits(text, 8);
	const hour = twoDigits(text, 11);
	const minute = twoDigits(text, 14);
	const second = twoDigits(text, 17);
	if (century < 1 || yy < 0 || month < 1 || month > 12 || day < 1) return -1;
	if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
	const year = century * 100 + yy;
	if (day > daysInMonth(year, month)) return -1;
	let at = 19;
	let millis = 0;
	const mark = c(at);
	if (mark === 46 || mark === 44) {
		// . or , then 1 to 9 digits
		const start = ++at;
		while (at < length && at - start < 10 && c(at) >= DIGIT_0 && c(at) <= DIGIT_0 + 9) at++;
		const digits = at - start;
		if (digits < 1 || digits > 9) return -1;
		millis =
			digits === 3
				? (c(start) - DIGIT_0) * 100 + (c(start + 1) - DIGIT_0) * 10 + (c(start + 2) - DIGIT_0)
				: Math.floor(parseFloat(`0.${text.slice(start, at)}`) * 1000);
	}
	let offsetMinutes = 0;
	const zone = c(at);
	if (zone === 90 || zone === 122) {
		// Z z
		if (at + 1 !== length) return -1;
	} else if (zone === 43 || zone === 45) {
		// +hh:mm or -hh:mm, hh up to 14
		if (at + 6 !== length || c(at + 3) !== 58) return -1;
		const hh = twoDigits(text, at + 1);
		const mm = twoDigits(text, at + 4);
		if (hh < 0 || hh > 14 || mm < 0 || mm > 59) return -1;
		offsetMinutes = (zone === 45 ? -1 : 1) * (hh * 60 + mm);
	} else return -1;
	const instant =
		Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
	return instant >= 0 && instant <= MAX_EPOCH_MILLIS ? instant : -1;
}

/**
 * Why a calendar date or time of day is impossible, or undefined. Checked here rather than left
 * to luxon, which reads 24:00 as the next day's midnight: a moved date is what this refuses.
 */
function impossible(
	year: string,
	month: string,
	day: string,
	hour?: string,
	minute?: string,
	second?: string,
): string | undefined {
	const m = Number(month);
	if (m < 1 || m > 12) return `there is no month ${month}`;
	if (Number(day) < 1 || Number(day) > daysInMonth(Number(year), m)) {
		const first = DateTime.utc(Number(year), m, 1);
		return `${first.setLocale('en-US').toFormat('LLLL yyyy')} has no day ${day}`;
	}
	if (hour !== undefined && Number(hour) > 23)
		return `there is no hour ${hour}; hours run from 00 to 23`;
	if (minute !== undefined && Number(minute) > 59) return `there is no minute ${minute}`;
	// No leap seconds: epoch milliseconds cannot hold 23:59:60.
	if (second !== undefined && Number(second) > 59) return `there is no second ${second}`;
	return undefined;
}

/** Days in a month of the proleptic Gregorian calendar (ISO 8601's). */
function daysInMonth(year: number, month: number): number {
	if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Epoch ms of ISO parts that carry a zone (already checked possible). A fraction is cut to whole
 * milliseconds the way luxon cuts it. Years below 100 are left to luxon: Date.UTC reads them as
 * 19xx.
 */
function zonedMillis(parts: RegExpExecArray): number {
	const [, year, month, day, hour, minute, second, fraction, zone] = parts;
	const millis = fraction === undefined ? 0 : Math.floor(parseFloat(`0.${fraction}`) * 1000);
	const local = Date.UTC(
		Number(year),
		Number(month) - 1,
		Number(day),
		Number(hour ?? 0),
		Number(minute ?? 0),
		Number(second ?? 0),
		millis,
	);
	if (zone === 'Z' || zone === 'z') return local;
	const sign = zone[0] === '-' ? -1 : 1;
	const digits = zone.slice(1).replace(':', '');
	const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
	return local - sign * offsetMinutes * 60_000;
}

/** Millis of a Date or luxon DateTime (any copy: n8n's may not be ours); undefined otherwise. */
function objectMillis(value: object, field: string): { millis: number; kind: string } | undefined {
	try {
		// Not instanceof: a Date from another realm (a sandbox) is a Date all the same.
		if (Object.prototype.toString.call(value) === '[object Date]') {
			return { millis: Date.prototype.getTime.call(value), kind: 'a Date' };
		}
		const candidate = value as { toMillis(): unknown; isValid?: unknown };
		if (DateTime.isDateTime(value) || typeof candidate.toMillis === 'function') {
			const millis = candidate.isValid === false ? Number.NaN : candidate.toMillis();
			return { millis: typeof millis === 'number' ? millis : Number.NaN, kind: 'a DateTime' };
		}
	} catch (error) {
		throw new InputError(
			`${fieldLabel(field)} could not be read as a date: ${reasonOf(error)}`,
			field,
		);
	}
	return undefined;
}

/** Epoch milliseconds given as a number or digits: whole, finite, 1973..9999. */
function checkMillis(millis: number, field: string, shown: () => string): number {
	if (Number.isInteger(millis) && millis >= MIN_EPOCH_MILLIS && millis <= MAX_EPOCH_MILLIS)
		return millis;
	const refuse = (why: string) =>
		new InputError(`${fieldLabel(field)} is not a valid date: ${shown()} (${why})`, field);
	if (!Number.isFinite(millis)) throw refuse(ACCEPTED);
	if (millis < 0) throw refuse(`negative; ${ACCEPTED}`);
	if (millis < MIN_EPOCH_MILLIS) {
		// 1e8 seconds is 1973-03-03 too: from there on, the number reads as seconds since 1970.
		throw refuse(
			millis >= 100_000_000
				? 'looks like seconds; multiply by 1000 for epoch milliseconds'
				: `before 1973; ${ACCEPTED}`,
		);
	}
	if (millis > MAX_EPOCH_MILLIS) {
		throw refuse(
			millis <= MAX_EPOCH_MILLIS * 1000
				? 'after the year 9999; looks like microseconds, divide by 1000 for epoch milliseconds'
				: `after the year 9999; ${ACCEPTED}`,
		);
	}
	if (!Number.isInteger(millis)) throw refuse('epoch milliseconds must be a whole number');
	return millis;
}

/** An instant from ISO text, a Date or a DateTime: valid, 1970..9999. */
function checkInstant(millis: number, field: string, shown: () => string): number {
	if (!Number.isFinite(millis)) {
		throw new InputError(
			`${fieldLabel(field)} is not a valid date: ${shown()} that is invalid`,
			field,
		);
	}
	if (millis < 0 || millis > MAX_EPOCH_MILLIS) {
		throw new InputError(
			`${fieldLabel(field)} is not a valid date: ${shown()} (outside 1970-01-01 to 9999-12-31)`,
			field,
		);
	}
	return Math.trunc(millis);
}
