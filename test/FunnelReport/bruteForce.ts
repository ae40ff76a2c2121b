import { DateTime } from 'luxon';
import type { Scope } from '../../nodes/engine/inputs';
import type { JourneyDefinition } from '../../nodes/engine/journey';
import type { MetricTransition, OwnerMetrics, StageMetrics } from '../../nodes/engine/metrics';

const DAY = 24 * 60 * 60 * 1000;

/** Milliseconds of [from, to) that fall on Monday–Friday local dates in `zone`. */
function weekdayMs(from: number, to: number, zone: string): number {
	let total = 0;
	for (let day = DateTime.fromMillis(from, { zone }).startOf('day'); day.toMillis() < to; ) {
		const next = day.plus({ days: 1 });
		if (day.weekday <= 5) {
			total += Math.max(0, Math.min(next.toMillis(), to) - Math.max(day.toMillis(), from));
		}
		day = next;
	}
	return total;
}

function median(values: number[]): number | null {
	if (values.length === 0) return null;
	const s = [...values].sort((a, b) => a - b);
	const n = s.length;
	return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function p90(values: number[]): number | null {
	if (values.length === 0) return null;
	const s = [...values].sort((a, b) => a - b);
	return s[Math.ceil(s.length * 0.9) - 1];
}

/**
 * DESIGN §6 read word by word: every metric a separate filter over the whole list of transitions
 * (each customer's in history order), with no shared pass and no running state. SLAs: each
 * stage's first time-in-stage rule; business days counted hour by hour of the local Monday to
 * Friday dates in `timeZone`.
 */
export function bruteForce(
	journey: JourneyDefinition,
	all: MetricTransition[],
	from: number,
	to: number,
	asOf: number,
	inGroup: (t: MetricTransition) => boolean,
	timeZone = 'UTC',
): StageMetrics[] {
	const end = Math.min(to, asOf);
	const rows = all.filter((t) => t.occurredAt < asOf);
	const customers = [...new Set(rows.map((t) => t.customer))];
	const of = (c: string | number) => rows.filter((t) => t.customer === c);
	const inPeriod = (t: MetricTransition) => t.occurredAt >= from && t.occurredAt < end;
	const last = (list: MetricTransition[]) => list[list.length - 1];
	const distinct = (list: MetricTransition[]) => new Set(list.map((t) => t.customer)).size;
	const rate = (a: number, b: number) => (b > 0 ? a / b : null);
	const active = customers.filter((c) => of(c).some((t) => inPeriod(t) && inGroup(t)));
	const furthest = (c: string | number) =>
		Math.max(
			-1,
			...of(c)
				.filter((t) => t.occurredAt < end)
				.map((t) => pathIdx(t.toStage)),
		);
	const PATH = journey.stages.filter((s) => s.kind === 'path').map((s) => s.key);
	const pathIdx = (stage: string | null) => (stage === null ? -1 : PATH.indexOf(stage));
	const sla: Record<string, number> = {};
	const businessDays = new Set<string>();
	for (const rule of journey.reminderRules) {
		if (rule.kind !== 'daysInStage' || rule.stage in sla) continue;
		sla[rule.stage] = rule.days;
		if (rule.businessDays) businessDays.add(rule.stage);
	}
	const dwell = (stage: string, at: number) =>
		businessDays.has(stage) ? weekdayMs(at, asOf, timeZone) : asOf - at;
	let previousFunnel: number | null = null;
	return journey.stages.map((stage) => {
		const S = stage.key;
		const isPath = stage.kind === 'path';
		const into = rows.filter((t) => t.toStage === S && inGroup(t));
		const inP = into.filter(inPeriod);
		const outP = rows.filter((t) => t.fromStage === S && inGroup(t) && inPeriod(t));
		const currentRows = customers
			.map((c) => last(of(c)))
			.filter((t) => t.toStage === S && inGroup(t));
		const atStart =
			from < end
				? customers.filter((c) => {
						const before = of(c).filter((t) => t.occurredAt < from);
						return before.length > 0 && last(before).toStage === S && inGroup(last(before));
					}).length
				: 0;
		const cohort = isPath ? new Set(inP.map((t) => t.customer)) : new Set();
		const converted = [...cohort].filter((c) => {
			const list = of(c as string);
			return list.some(
				(t, i) =>
					t.toStage === S &&
					inPeriod(t) &&
					inGroup(t) &&
					list.slice(i + 1).some((u) => u.occurredAt < end && pathIdx(u.toStage) > pathIdx(S)),
			);
		}).length;
		const flow = outP.filter(
			(t) => isPath && pathIdx(t.toStage) > pathIdx(S) && pathIdx(S) >= 0,
		).length;
		const stays = outP.map((t) => {
			const list = of(t.customer);
			return t.occurredAt - list[list.indexOf(t) - 1].occurredAt;
		});
		const funnel = isPath ? active.filter((c) => furthest(c) >= pathIdx(S)).length : null;
		const step = funnel === null || previousFunnel === null ? null : rate(funnel, previousFunnel);
		if (isPath) previousFunnel = funnel;
		return {
			stage: S,
			stageName: stage.name,
			kind: stage.kind,
			current: currentRows.length,
			historyTotal: distinct(into.filter((t) => t.occurredAt < end)),
			transfersIn: inP.length,
			transfersOut: outP.length,
			customersIn: distinct(inP),
			customersOut: distinct(outP),
			cohortCustomers: cohort.size,
			cohortConverted: converted,
			cohortConversion: isPath ? rate(converted, cohort.size) : null,
			customersAtStart: atStart,
			flowConverted: flow,
			flowConversion: isPath ? rate(flow, atStart + distinct(inP)) : null,
			staysEnded: stays.length,
			medianTimeInStageMs: median(stays),
			p90TimeInStageMs: p90(stays),
			slaDays: sla[S] ?? null,
			overSla:
				S in sla ? currentRows.filter((t) => dwell(S, t.occurredAt) >= sla[S] * DAY).length : null,
			funnelCustomers: funnel,
			stepConversion: step,
		};
	});
}

/**
 * A whole report by brute force, as both property tests compare it: the stages over the
 * transitions in `scope` (none: all), and one row per owner with a transition in scope before
 * asOf, by name with the unassigned pool last.
 */
export function bruteForceReport(
	journey: JourneyDefinition,
	all: MetricTransition[],
	window: { from: number; to: number; asOf: number; scope?: Scope; timeZone?: string },
): { stages: StageMetrics[]; owners: OwnerMetrics[] } {
	const { from, to, asOf, scope, timeZone = 'UTC' } = window;
	const scoped = (t: MetricTransition) =>
		!scope ||
		scope.kind === 'all' ||
		(scope.kind === 'departments'
			? scope.departments.includes(t.department ?? '')
			: scope.owners.includes(t.owner ?? ''));
	const owners = [
		...new Set(all.filter((t) => t.occurredAt < asOf && scoped(t)).map((t) => t.owner)),
	].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
	const of = (inGroup: (t: MetricTransition) => boolean) =>
		bruteForce(journey, all, from, to, asOf, inGroup, timeZone);
	return {
		stages: of(scoped),
		owners: owners.map((owner) => ({ owner, stages: of((t) => scoped(t) && t.owner === owner) })),
	};
}
