/**
 * Evaluate 30-Day Activity benchmark: the daily run over a journey of 1M customers, of whom
 * 10k / 50k / 100k were active in the last 30 days, in the embedded store; the store is in the
 * state yesterday's run left it (its last-run time, churned customers already in Churned).
 * Prints the run's time and how many customers it looked at, next to a plain read of every
 * membership of the journey in the same process (what a run ∝ all customers would at least pay).
 *
 *   npm run bench:activity
 *   BENCH_CUSTOMERS=200000 BENCH_ACTIVE=2000,10000 npm run bench:activity
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createDriver } from '../nodes/store/openStore';
import { Store } from '../nodes/store/Store';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const ACTIVE = (process.env.BENCH_ACTIVE ?? '10000,50000,100000').split(',').map(Number);
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-11-02T02:00:00Z');
const TODAY = Math.floor(NOW / DAY);

const journey = {
	key: 'bench',
	name: 'Bench',
	stages: [
		{ key: 'active', name: 'Active' },
		{ key: 'engaged', name: 'Engaged' },
		{ key: 'churned', name: 'Churned', kind: 'exit' },
	],
	eventRules: [
		{ eventType: 'visit', stage: 'active' },
		{ eventType: 'buy', stage: 'active' },
	],
	automationRules: [
		{
			id: 'busy',
			stage: 'engaged',
			fromStages: ['active'],
			conditions: [{ kind: 'activityLevel', operator: 'gte', value: 'high' }],
		},
		{
			id: 'quiet',
			stage: 'churned',
			fromStages: ['active', 'engaged'],
			conditions: [{ kind: 'daysSinceLastEvent', operator: 'gte', value: 90 }],
		},
	],
	activity: { windowDays: 30, weights: { buy: 5 } },
};

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
	const start = process.hrtime.bigint();
	const result = await work();
	return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

/**
 * Customers, memberships and daily roll-ups written directly. The first `active` customers have
 * two days of events in the last 30 days and one older; the others one day of events between 40
 * and 360 days ago (a year of history), spread evenly, so about 1/320 of them reach 90 quiet
 * days each day. Yesterday's run is recorded: whoever had 91 or more quiet days is in Churned.
 */
function load(file: string, active: number): number {
	const db = new DatabaseSync(file);
	const [{ id: journeyId }] = db.prepare('SELECT id FROM journeys').all() as Array<{ id: number }>;
	const customer = db.prepare(
		'INSERT INTO customers (external_id, last_event_at, created_at, updated_at) VALUES (?, ?, ?, ?)',
	);
	const membership = db.prepare(
		`INSERT INTO memberships (journey_id, customer_id, stage_key, entered_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
	);
	const day = db.prepare(
		`INSERT INTO activity_days (journey_id, customer_id, day, event_type, event_count) VALUES (?, ?, ?, ?, ?)`,
	);
	let rows = 0;
	db.exec('BEGIN');
	for (let i = 1; i <= CUSTOMERS; i++) {
		let last: number;
		if (i <= active) {
			const a = TODAY - (i % 29);
			const b = TODAY - 1 - ((i * 7) % 28);
			day.run(journeyId, i, a, 'visit', 1 + (i % 3));
			day.run(journeyId, i, b, 'buy', 1);
			day.run(journeyId, i, TODAY - 100, 'visit', 2);
			rows += 3;
			last = Math.max(a, b) * DAY + 3_600_000;
		} else {
			const old = TODAY - 40 - (i % 320);
			day.run(journeyId, i, old, 'visit', 2);
			rows++;
			last = old * DAY + 3_600_000;
		}
		customer.run(`customer-${i}`, last, NOW - 400 * DAY, last);
		const churned = last <= NOW - 91 * DAY;
		membership.run(journeyId, i, churned ? 'churned' : 'active', NOW - 365 * DAY, last);
	}
	db.prepare('INSERT INTO activity_runs (journey_id, evaluated_at) VALUES (?, ?)').run(
		journeyId,
		NOW - DAY,
	);
	db.exec('COMMIT');
	db.exec('ANALYZE');
	db.close();
	return rows;
}

function readAllMemberships(file: string): number {
	const db = new DatabaseSync(file);
	const rows = db
		.prepare(
			`SELECT m.customer_id, m.stage_key, c.last_event_at FROM memberships m
			 JOIN customers c ON c.id = m.customer_id WHERE m.journey_id = 1`,
		)
		.all();
	db.close();
	return rows.length;
}

async function main() {
	console.log(
		`Evaluate 30-Day Activity, ${CUSTOMERS.toLocaleString('en')} customers, embedded store, Node ${process.versions.node}`,
	);
	console.log(
		'active     roll-up rows   daily run   looked at   moved   second run   looked at   read all memberships',
	);
	for (const active of ACTIVE) {
		const dir = mkdtempSync(join(tmpdir(), 'cs-bench-activity-'));
		const file = join(dir, 'store.sqlite');
		try {
			const setup = await Store.open(createDriver({ backend: 'embedded', filePath: file }));
			await setup.saveJourney(journey);
			await setup.close();
			const rows = load(file, active);
			const store = await Store.open(createDriver({ backend: 'embedded', filePath: file }));
			const [run, runMs] = await timed(() =>
				store.evaluateActivity({ journey: 'bench', asOf: NOW }),
			);
			const moved = run!.results.filter((r) => r.moved).length;
			// The same day again: nothing new, the same active customers are looked at.
			const [again, againMs] = await timed(() =>
				store.evaluateActivity({ journey: 'bench', asOf: NOW }),
			);
			await store.close();
			const [all, allMs] = await timed(async () => readAllMemberships(file));
			if (all !== CUSTOMERS) throw new Error(`read ${all} memberships`);
			console.log(
				`${String(active).padStart(7)}  ${String(rows).padStart(13)}  ${runMs.toFixed(0).padStart(8)} ms  ${String(run!.evaluated).padStart(10)}  ${String(moved).padStart(6)}  ${againMs.toFixed(0).padStart(8)} ms  ${String(again!.evaluated).padStart(10)}  ${allMs.toFixed(0).padStart(13)} ms`,
			);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}
}

void main();
