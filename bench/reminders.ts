/**
 * Stage Reminder benchmark: 1M memberships in the embedded store, runs at moments where 0.1 %,
 * 1 % and 5 % of them have become due, each followed by a second run with nothing new due; next
 * to the same selection done the naive way (every membership of the stage whose clock started
 * early enough, minus those already reminded) in the same process. Next to each claiming run's
 * wall time, the CPU time the process and its main thread spent in it: on a machine shared with
 * other jobs the wall time includes waiting for a core, the CPU time much less so. The last
 * column is what Stage Reminder adds to a run: turning the claimed reminders into its items.
 *
 *   npm run bench:reminders                 # 1,000,000 memberships
 *   BENCH_MEMBERSHIPS=200000 npm run bench:reminders
 *   BENCH_ROUNDS=5 npm run bench:reminders  # rounds on copies of the loaded store (default 3)
 */
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createDriver } from '../nodes/store/openStore';
import { reminderItems } from '../nodes/StageReminder/output';
import { Store } from '../nodes/store/Store';

const MEMBERSHIPS = Number(process.env.BENCH_MEMBERSHIPS ?? 1_000_000);
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-11-02T09:00:00Z');
/** Stage entries spread evenly over the 60 days before NOW. */
const SPREAD = 60 * DAY;
const LIMIT_DAYS = 7;

const journey = {
	key: 'bench',
	name: 'Bench',
	stages: [
		{ key: 'lead', name: 'Lead' },
		{ key: 'sample', name: 'Sample Order' },
	],
	reminderRules: [{ id: 'stall', stage: 'sample', kind: 'daysInStage', days: LIMIT_DAYS }],
};

/**
 * Wall time, this process's CPU time and its main thread's CPU time (user + system), in ms. The
 * thread's figure leaves out V8's background garbage collection and any wait for a core or the
 * disk: on a machine shared with other jobs it moves least.
 */
async function timed<T>(work: () => Promise<T>): Promise<[T, number, number, number]> {
	const cpu = process.cpuUsage();
	const thread = process.threadCpuUsage();
	const start = process.hrtime.bigint();
	const result = await work();
	const used = process.cpuUsage(cpu);
	const usedThread = process.threadCpuUsage(thread);
	return [
		result,
		Number(process.hrtime.bigint() - start) / 1e6,
		(used.user + used.system) / 1000,
		(usedThread.user + usedThread.system) / 1000,
	];
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Customers and memberships written directly, in the state a previous run at NOW leaves them:
 * those in Sample Order for 7 days or more were reminded (log row, never checked again), the
 * others are checked again when their 7 days are up.
 */
function load(file: string) {
	const db = new DatabaseSync(file);
	const [{ id: journeyId }] = db.prepare('SELECT id FROM journeys').all() as Array<{ id: number }>;
	const customer = db.prepare(
		'INSERT INTO customers (external_id, owner, created_at, updated_at) VALUES (?, ?, ?, ?)',
	);
	const membership = db.prepare(
		`INSERT INTO memberships (journey_id, customer_id, stage_key, entered_at, updated_at, reminder_check_at)
		 VALUES (?, ?, 'sample', ?, ?, ?)`,
	);
	const log = db.prepare(
		`INSERT INTO reminder_log (journey_id, customer_id, rule_id, clock_start, occurrence, stage_key, fired_at, escalated, recipients)
		 VALUES (?, ?, 'stall', ?, 1, 'sample', ?, 0, '[]')`,
	);
	db.exec('BEGIN');
	for (let i = 1; i <= MEMBERSHIPS; i++) {
		const enteredAt = NOW - Math.floor((i / MEMBERSHIPS) * SPREAD);
		const due = enteredAt + LIMIT_DAYS * DAY;
		customer.run(`customer-${i}`, `owner-${i % 50}`, enteredAt, enteredAt);
		membership.run(journeyId, i, enteredAt, enteredAt, due <= NOW ? Number.MAX_SAFE_INTEGER : due);
		if (due <= NOW) log.run(journeyId, i, enteredAt, NOW);
	}
	db.exec('COMMIT');
	db.exec('ANALYZE');
	db.close();
}

/** The selection without check times: every membership whose clock started early enough. */
function naiveDue(file: string, now: number): number {
	const db = new DatabaseSync(file);
	const rows = db
		.prepare(
			`SELECT m.customer_id FROM memberships m JOIN customers c ON c.id = m.customer_id
			 WHERE m.journey_id = 1 AND m.stage_key = 'sample' AND m.entered_at <= ?
			   AND NOT EXISTS (SELECT 1 FROM reminder_log r WHERE r.journey_id = m.journey_id
			     AND r.customer_id = m.customer_id AND r.rule_id = 'stall' AND r.clock_start = m.entered_at)`,
		)
		.all(now - LIMIT_DAYS * DAY);
	db.close();
	return rows.length;
}

async function main() {
	const dir = mkdtempSync(join(tmpdir(), 'cs-bench-reminders-'));
	const file = join(dir, 'store.sqlite');
	try {
		const setup = await Store.open(createDriver({ backend: 'embedded', filePath: file }));
		await setup.saveJourney(journey);
		await setup.close();
		const [, loadMs] = await timed(async () => load(file));
		console.log(
			`loaded ${MEMBERSHIPS.toLocaleString('en')} memberships in ${(loadMs / 1000).toFixed(1)} s`,
		);

		const options = {
			journeys: [],
			scope: { kind: 'all' as const },
			timeZone: 'UTC',
			admins: [],
			claim: true,
		};
		const shares = [0.001, 0.01, 0.05];
		const figures = shares.map(() => ({
			run: [] as number[],
			cpu: [] as number[],
			thread: [] as number[],
			second: [] as number[],
			naive: [] as number[],
			items: [] as number[],
			due: 0,
		}));
		/** One line of figures (ms), in the header's columns. */
		const print = (label: string, share: number, due: number, ms: number[]) =>
			console.log(
				`${label.padStart(5)}  ${(share * 100).toFixed(1).padStart(5)} %  ${String(due).padStart(6)}  ${ms[0].toFixed(1).padStart(7)} ms (${ms[1].toFixed(1).padStart(7)}, ${ms[2].toFixed(1).padStart(7)} ms)  ${ms[3].toFixed(1).padStart(8)} ms  ${ms[4].toFixed(1).padStart(9)} ms  ${ms[5].toFixed(1).padStart(9)} ms`,
			);
		console.log(
			'round  due share   due     run (process CPU, thread CPU)    second run   naive selection  node items',
		);
		for (let round = 1; round <= ROUNDS; round++) {
			// Every round starts from the loaded state, in a copy of the file.
			const copy = join(dir, `round-${round}.sqlite`);
			copyFileSync(file, copy);
			// Written out before timing: a real store's file is not a fresh copy still being flushed,
			// and the first write after the copy waited ~300 ms for that flush here.
			const fd = openSync(copy, 'r+');
			fsyncSync(fd);
			closeSync(fd);
			const store = await Store.open(createDriver({ backend: 'embedded', filePath: copy }));
			// Each step moves time on far enough for this share of all memberships to become due.
			let now = NOW;
			for (const [index, share] of shares.entries()) {
				now += share * SPREAD;
				const [first, firstMs, firstCpu, firstThread] = await timed(() =>
					store.runReminders({ ...options, now }),
				);
				const [second, secondMs] = await timed(() => store.runReminders({ ...options, now }));
				if (second.reminders.length !== 0) throw new Error('the second run found reminders');
				const [naive, naiveMs] = await timed(async () => naiveDue(copy, now));
				if (naive !== 0) throw new Error(`naive selection still finds ${naive} unreminded`);
				const row = figures[index];
				row.run.push(firstMs);
				row.cpu.push(firstCpu);
				row.thread.push(firstThread);
				row.second.push(secondMs);
				row.naive.push(naiveMs);
				row.due = first.reminders.length;
				// What the node adds to a run: its output items, one per reminder and recipient.
				const [, itemsMs] = await timed(async () => reminderItems(first.reminders));
				row.items.push(itemsMs);
				print(String(round), share, row.due, [
					firstMs,
					firstCpu,
					firstThread,
					secondMs,
					naiveMs,
					itemsMs,
				]);
			}
			await store.close();
			rmSync(copy, { force: true });
		}
		console.log(`\nmedians of ${ROUNDS} rounds`);
		for (const [index, share] of shares.entries()) {
			const row = figures[index];
			print(
				'',
				share,
				row.due,
				[row.run, row.cpu, row.thread, row.second, row.naive, row.items].map(median),
			);
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

void main();
