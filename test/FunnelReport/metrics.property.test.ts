import fc from 'fast-check';
import { parseJourney } from '../../nodes/engine/journey';
import {
	computeFunnelReport,
	FunnelReportBuilder,
	type MetricTransition,
	type ReportScope,
	type StageMetrics,
} from '../../nodes/engine/metrics';

/**
 * On random histories the report equals a brute-force recomputation that reads DESIGN §6 word by
 * word: every metric is a separate filter over the whole list of transitions, with no shared
 * pass, no running state and no per-customer grouping beyond "this customer's rows".
 */

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-01-01T00:00:00Z');

const journey = parseJourney({
	key: 'p',
	name: 'P',
	stages: [
		{ key: 's0', name: 'S0' },
		{ key: 's1', name: 'S1' },
		{ key: 'x', name: 'X', kind: 'exit' },
		{ key: 's2', name: 'S2' },
		{ key: 's3', name: 'S3' },
		{ key: 'y', name: 'Y', kind: 'exit' },
	],
	reminderRules: [
		{ id: 'r1', stage: 's1', kind: 'daysWithoutContact', days: 1 },
		{ id: 'r2', stage: 's1', kind: 'daysInStage', days: 3 },
		{ id: 'r3', stage: 's2', kind: 'daysInStage', days: 1.5 },
		{ id: 'r4', stage: 'x', kind: 'daysInStage', days: 2 },
	],
});
const STAGE_KEYS = journey.stages.map((s) => s.key);
const PATH = journey.stages.filter((s) => s.kind === 'path').map((s) => s.key);
const pathIdx = (stage: string | null) => (stage === null ? -1 : PATH.indexOf(stage));
const OWNERS = ['ann', 'bob', null] as const;
const DEPARTMENT: Record<string, string> = { ann: 'east', bob: 'west' };

const moveArb = fc.record({
	stage: fc.constantFrom(...STAGE_KEYS),
	gapHours: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 24 * 6 })),
	owner: fc.constantFrom(...OWNERS),
	forgetEntered: fc.boolean(),
});

const historyArb = fc.array(fc.array(moveArb, { minLength: 1, maxLength: 7 }), {
	minLength: 0,
	maxLength: 9,
});

type Move = typeof moveArb extends fc.Arbitrary<infer T> ? T : never;

function build(customers: Move[][]): MetricTransition[] {
	const rows: MetricTransition[] = [];
	customers.forEach((moves, c) => {
		let at = START + c * 7 * HOUR;
		let stage: string | null = null;
		for (const move of moves) {
			if (move.stage === stage) continue;
			const enteredAt: number = at;
			at += move.gapHours * HOUR;
			rows.push({
				customer: `c${c}`,
				fromStage: stage,
				toStage: move.stage,
				occurredAt: at,
				// Rows from before the column existed carry null; the previous move says the same.
				fromEnteredAt: stage === null || move.forgetEntered ? null : enteredAt,
				owner: move.owner,
				department: move.owner === null ? null : DEPARTMENT[move.owner],
			});
			stage = move.stage;
		}
	});
	return rows;
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

function bruteForce(
	all: MetricTransition[],
	from: number,
	to: number,
	asOf: number,
	inGroup: (t: MetricTransition) => boolean,
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
	const sla: Record<string, number> = { s1: 3, s2: 1.5, x: 2 };
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
				S in sla ? currentRows.filter((t) => asOf - t.occurredAt >= sla[S] * DAY).length : null,
			funnelCustomers: funnel,
			stepConversion: step,
		};
	});
}

const instant = fc.integer({ min: -2 * 24, max: 24 * 60 }).map((h) => START + h * HOUR);

test('the report equals a brute-force recomputation from the transitions', () => {
	fc.assert(
		fc.property(
			historyArb,
			instant,
			fc.integer({ min: 0, max: 24 * 40 }),
			fc.option(instant, { nil: undefined }),
			fc.constantFrom<ReportScope | undefined>(
				undefined,
				{ departments: ['east'] },
				{ owners: ['bob', 'ann'] },
				{ owners: ['ann'], departments: ['west'] },
			),
			fc.integer({ min: 1, max: 5 }),
			(customers, from, lengthHours, asOfChoice, scope, cut) => {
				const all = build(customers);
				const to = from + lengthHours * HOUR;
				const asOf = asOfChoice ?? START + 100 * DAY;
				const report = computeFunnelReport(journey, all, {
					from,
					to,
					asOf,
					timeZone: 'UTC',
					scope,
				});
				const scoped = (t: MetricTransition) =>
					(!scope?.departments || scope.departments.includes(t.department ?? '')) &&
					(!scope?.owners || scope.owners.includes(t.owner ?? ''));
				expect(report.stages).toEqual(bruteForce(all, from, to, asOf, scoped));
				const owners = [
					...new Set(all.filter((t) => t.occurredAt < asOf && scoped(t)).map((t) => t.owner)),
				].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
				expect(report.owners.map((o) => o.owner)).toEqual(owners);
				for (const row of report.owners) {
					expect(row.stages).toEqual(
						bruteForce(all, from, to, asOf, (t) => scoped(t) && t.owner === row.owner),
					);
				}
				expect(report.to).toBe(Math.min(to, asOf));
				// Fed in pieces (the store reads pages; a customer may span two), the same report.
				const builder = new FunnelReportBuilder(journey, {
					from,
					to,
					asOf,
					timeZone: 'UTC',
					scope,
				});
				for (let i = 0; i < all.length; i += cut) builder.add(all.slice(i, i + cut));
				expect(builder.finish()).toEqual(report);
			},
		),
		{ numRuns: 300 },
	);
});
