import type { IDataObject } from 'n8n-workflow';
import { DateTime } from 'luxon';
import type { FunnelReport, Period, StageMetrics } from '../engine/metrics';
import type { StoredJourney } from '../store/types';
import type { FunnelChartInput } from './chart';

/**
 * The Funnel Report's output items: what people read first (stage, counts, rates), the parts
 * behind each rate and the keys after. Rates are shares (0.25 = 25 %), times in days.
 */

const DAY = 24 * 60 * 60 * 1000;

export const PERIOD_LABELS: Record<Period, string> = {
	today: 'Today',
	yesterday: 'Yesterday',
	last7Days: 'Last 7 days',
	last30Days: 'Last 30 days',
	thisWeek: 'This week',
	lastWeek: 'Last week',
	thisMonth: 'This month',
	lastMonth: 'Last month',
	thisQuarter: 'This quarter',
	lastQuarter: 'Last quarter',
	allTime: 'All time',
	custom: 'Custom',
};

export interface ReportContext {
	journey: StoredJourney;
	period: Period;
	timeZone: string;
	report: FunnelReport;
	/** True when the user asked for a past instant rather than now. */
	pastAsOf: boolean;
}

const rate = (value: number | null) => (value === null ? null : Math.round(value * 10000) / 10000);
const days = (ms: number | null) => (ms === null ? null : Math.round((ms / DAY) * 100) / 100);

function localTime(millis: number, timeZone: string): string | null {
	return DateTime.fromMillis(millis, { zone: timeZone }).toISO({ suppressMilliseconds: true });
}

/** One stage's metrics, without the report's context. */
export function stageMetricsJson(s: StageMetrics): IDataObject {
	return {
		stage: s.stageName,
		current: s.current,
		historyTotal: s.historyTotal,
		transfersIn: s.transfersIn,
		transfersOut: s.transfersOut,
		customersIn: s.customersIn,
		customersOut: s.customersOut,
		cohortConversion: rate(s.cohortConversion),
		flowConversion: rate(s.flowConversion),
		funnelCustomers: s.funnelCustomers,
		stepConversion: rate(s.stepConversion),
		medianDaysInStage: days(s.medianTimeInStageMs),
		p90DaysInStage: days(s.p90TimeInStageMs),
		overSla: s.overSla,
		cohortCustomers: s.cohortCustomers,
		cohortConverted: s.cohortConverted,
		customersAtStart: s.customersAtStart,
		flowConverted: s.flowConverted,
		staysEnded: s.staysEnded,
		slaDays: s.slaDays,
		stageKind: s.kind,
	};
}

/** The fields that say which report an item belongs to, last on every item. */
export function reportContextJson(c: ReportContext): IDataObject {
	return {
		journey: c.journey.name,
		period: PERIOD_LABELS[c.period],
		from: localTime(c.report.from, c.timeZone),
		to: localTime(c.report.to, c.timeZone),
		asOf: localTime(c.report.asOf, c.timeZone),
		timeZone: c.timeZone,
	};
}

function employeeName(owner: string | null): string {
	return owner ?? 'Unassigned';
}

/** Journey and stage keys, last on every item as in every node's items (`$json.keys.stage`). */
const keysOf = (c: ReportContext, s: StageMetrics) => ({ journey: c.journey.key, stage: s.stage });

const stageWithKey = (s: StageMetrics): IDataObject => ({
	...stageMetricsJson(s),
	keys: { stage: s.stage },
});

const keep = (leaveOutExits: boolean) => (s: StageMetrics) => !leaveOutExits || s.kind === 'path';

export function stageItems(c: ReportContext, leaveOutExits: boolean): IDataObject[] {
	const context = reportContextJson(c);
	return c.report.stages
		.filter(keep(leaveOutExits))
		.map((s) => ({ ...stageMetricsJson(s), ...context, keys: keysOf(c, s) }));
}

export function employeeItems(c: ReportContext, leaveOutExits: boolean): IDataObject[] {
	const context = reportContextJson(c);
	return c.report.owners.flatMap((o) =>
		o.stages.filter(keep(leaveOutExits)).map((s) => ({
			employee: employeeName(o.owner),
			...stageMetricsJson(s),
			unassigned: o.owner === null,
			...context,
			keys: keysOf(c, s),
		})),
	);
}

export function summaryItem(c: ReportContext, leaveOutExits: boolean): IDataObject {
	return {
		journey: c.journey.name,
		period: PERIOD_LABELS[c.period],
		activeCustomers: c.report.activeCustomers,
		funnel: c.report.stages
			.filter((s) => s.kind === 'path')
			.map((s) => ({
				stage: s.stageName,
				customers: s.funnelCustomers,
				stepConversion: rate(s.stepConversion),
			})),
		stages: c.report.stages.filter(keep(leaveOutExits)).map(stageWithKey),
		employees: c.report.owners.map((o) => ({
			employee: employeeName(o.owner),
			unassigned: o.owner === null,
			stages: o.stages.filter(keep(leaveOutExits)).map(stageWithKey),
		})),
		...reportContextJson(c),
		keys: { journey: c.journey.key },
	};
}

/** The chart of the whole scope's funnel: path stages, customers reaching each, step conversion. */
export function chartInput(c: ReportContext): FunnelChartInput {
	const day = (millis: number) =>
		DateTime.fromMillis(millis, { zone: c.timeZone }).toFormat('yyyy-MM-dd');
	// The period's last day: its end is exclusive.
	const span =
		c.period === 'allTime'
			? `until ${day(c.report.to - 1)}`
			: `${day(c.report.from)} – ${day(Math.max(c.report.from, c.report.to - 1))}`;
	const asOf = c.pastAsOf ? ` · as of ${day(c.report.asOf)}` : '';
	return {
		title: `${c.journey.name}: funnel`,
		subtitle: `${PERIOD_LABELS[c.period]} · ${span} (${c.timeZone})${asOf} · ${c.report.activeCustomers.toLocaleString('en')} active customers`,
		stages: c.report.stages
			.filter((s) => s.kind === 'path')
			.map((s) => ({
				name: s.stageName,
				customers: s.funnelCustomers ?? 0,
				stepConversion: s.stepConversion,
			})),
	};
}

export function chartFileName(c: ReportContext, extension: string): string {
	const day = DateTime.fromMillis(c.report.from, { zone: c.timeZone }).toFormat('yyyy-MM-dd');
	const from = c.period === 'allTime' ? 'all-time' : day;
	return `funnel-${c.journey.key}-${from}.${extension}`;
}
