import fc from 'fast-check';
import type { Scope } from '../../nodes/engine/inputs';
import { parseJourney } from '../../nodes/engine/journey';
import {
	computeFunnelReport,
	FunnelReportBuilder,
	type MetricTransition,
} from '../../nodes/engine/metrics';
import { bruteForceReport } from './bruteForce';

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

const instant = fc.integer({ min: -2 * 24, max: 24 * 60 }).map((h) => START + h * HOUR);

test('the report equals a brute-force recomputation from the transitions', () => {
	fc.assert(
		fc.property(
			historyArb,
			instant,
			fc.integer({ min: 0, max: 24 * 40 }),
			fc.option(instant, { nil: undefined }),
			fc.constantFrom<Scope | undefined>(
				undefined,
				{ kind: 'all' },
				{ kind: 'departments', departments: ['east'] },
				{ kind: 'owners', owners: ['bob', 'ann'] },
				{ kind: 'departments', departments: ['west', 'east'] },
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
				const expected = bruteForceReport(journey, all, { from, to, asOf, scope });
				expect(report.stages).toEqual(expected.stages);
				expect(report.owners).toEqual(expected.owners);
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
