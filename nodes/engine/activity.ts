import { ANY_EVENT_TYPE, type ActivitySettings } from './journey';

/**
 * Activity scoring over daily roll-ups. The store keeps, per customer, journey, UTC day and
 * event type, how many events happened; everything here works on those rows, so scoring a
 * customer costs the days in the window, not the events behind them.
 *
 * The window: at time `now`, a window of N days is the N UTC calendar days ending with the day
 * `now` falls on, i.e. the epoch days (today − N, today]. An event N calendar days old (its day
 * is today − N) has just left the window; one on day today − N + 1 still counts. Because whole
 * days are counted, an event stays in a 30-day window for between 29 and 30 × 24 hours,
 * whatever time of day the evaluation runs. Which rows come in is the store's choice: an
 * evaluation (Evaluate 30-Day Activity, now or As Of) passes only the events that occurred up to
 * its instant — its own day's rows counted from the events themselves — while rules at ingest see
 * every recorded event, one dated a little after the server's clock included.
 */

export const DAY_MS = 86_400_000;

/** One roll-up row: how many events of one type a customer had on one UTC day. */
export interface DailyEventCount {
	/** UTC epoch day: Math.floor(epochMilliseconds / 86 400 000). */
	day: number;
	eventType: string;
	count: number;
}

export interface DayWindow {
	/** First epoch day inside the window (today − N + 1). */
	firstDay: number;
	/** Last epoch day inside the window: the day `now` falls on. */
	lastDay: number;
	/** Epoch milliseconds: start of firstDay (inclusive). */
	from: number;
	/** Epoch milliseconds: end of lastDay (exclusive). */
	to: number;
}

export interface ActivityResult {
	/** Weighted event count in the window, rounded to 6 decimals (so 0.1 + 0.2 reaches 0.3). */
	score: number;
	/** Key of the highest level whose minScore ≤ score; null when the score is below them all. */
	level: string | null;
	levelName: string | null;
	/** Events in the window, all types together (unweighted). */
	eventCount: number;
	/** Events in the window per event type (unweighted), types with none left out. */
	countsByType: Record<string, number>;
	window: DayWindow;
}

/** The UTC epoch day a time (epoch milliseconds) falls on. */
export function epochDay(time: number): number {
	return Math.floor(time / DAY_MS);
}

/** The window of `days` UTC days ending with the day of `now`: epoch days (today − days, today]. */
export function dayWindow(now: number, days: number): DayWindow {
	const lastDay = epochDay(now);
	const firstDay = lastDay - days + 1;
	return { firstDay, lastDay, from: firstDay * DAY_MS, to: (lastDay + 1) * DAY_MS };
}

function inWindow(day: number, window: DayWindow): boolean {
	return day >= window.firstDay && day <= window.lastDay;
}

/** Points one event of a type scores under the journey's settings. */
export function eventWeight(settings: ActivitySettings, eventType: string): number {
	return Object.prototype.hasOwnProperty.call(settings.weights, eventType)
		? settings.weights[eventType]
		: settings.defaultWeight;
}

/** The highest level whose minScore ≤ score (levels ascend; parseJourney checks it). */
export function levelFor(
	settings: ActivitySettings,
	score: number,
): ActivitySettings['levels'][number] | undefined {
	let reached: ActivitySettings['levels'][number] | undefined;
	for (const level of settings.levels) if (level.minScore <= score) reached = level;
	return reached;
}

/**
 * A customer's activity at `now` from their daily roll-ups in one journey. Rows outside the
 * window are ignored, so the store may pass more days than needed.
 */
export function scoreActivity(
	settings: ActivitySettings,
	counts: Iterable<DailyEventCount>,
	now: number,
): ActivityResult {
	const window = dayWindow(now, settings.windowDays);
	// A Map, not an object: an event type may be named `constructor` or `__proto__`.
	const byType = new Map<string, number>();
	let eventCount = 0;
	for (const row of counts) {
		if (row.count === 0 || !inWindow(row.day, window)) continue;
		byType.set(row.eventType, (byType.get(row.eventType) ?? 0) + row.count);
		eventCount += row.count;
	}
	// Weighting per type (not per row) keeps the rounding independent of how rows are split.
	let score = 0;
	for (const [eventType, count] of byType) score += count * eventWeight(settings, eventType);
	score = Math.round(score * 1e6) / 1e6 || 0;
	const level = levelFor(settings, score);
	return {
		score,
		level: level?.key ?? null,
		levelName: level?.name ?? null,
		eventCount,
		// Object.fromEntries defines every type as an own field, `__proto__` included.
		countsByType: Object.fromEntries(byType),
		window,
	};
}

/**
 * The earliest UTC epoch day whose roll-ups can make a customer's score at `now` differ from
 * the score at `previousNow` (the last evaluation): the first day of the older of the two
 * windows. Customers with roll-ups on or after that day are the only ones to re-score — those
 * with events in the window and those whose events have just left it. Without `previousNow`,
 * it is the first day of the window at `now`: older roll-ups cannot affect the score at all.
 */
export function earliestAffectingDay(
	now: number,
	windowDays: number,
	previousNow?: number,
): number {
	const current = dayWindow(now, windowDays).firstDay;
	return previousNow === undefined
		? current
		: Math.min(current, dayWindow(previousNow, windowDays).firstDay);
}

/**
 * Events of a type (`*`: any type) in the window of `windowDays` at `now`, or in all the rows
 * when `windowDays` is undefined (lifetime). The window is the one scores use, so an automation
 * condition "3 purchases in 30 days" and the 30-day activity agree on which days count.
 */
export function countEvents(
	counts: Iterable<DailyEventCount>,
	eventType: string,
	now: number,
	windowDays?: number,
): number {
	const window = windowDays === undefined ? undefined : dayWindow(now, windowDays);
	let total = 0;
	for (const row of counts) {
		if (eventType !== ANY_EVENT_TYPE && row.eventType !== eventType) continue;
		if (window && !inWindow(row.day, window)) continue;
		total += row.count;
	}
	return total;
}
