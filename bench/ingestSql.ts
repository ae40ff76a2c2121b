/**
 * Where the embedded store's time goes in one `store.recordEvents` call (the bench/ingest
 * workload): every SQL statement it runs, timed by the wall clock around node:sqlite's own call,
 * summed per statement text, median call time of BENCH_ROUNDS rounds; next to the whole call and
 * the raw batched insert of the same rows (bench/ingest's baseline). What is left of the call is
 * JavaScript and garbage collection. Run it on a quiet machine: it reads the wall clock.
 *
 *   npm run bench:ingest-sql
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, StatementSync } from 'node:sqlite';
import { createDriver } from '../nodes/store/openStore';
import { Store } from '../nodes/store/Store';
import { benchEvents, benchJourney, rawInsert } from './ingest';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const clock = () => Number(process.hrtime.bigint()) / 1e6;
const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Statement text with its VALUES and IN lists folded, so each statement shape is one line. */
const shape = (sql: string) =>
	sql
		.replace(/\s+/g, ' ')
		.replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)')
		.replace(/\?(, \?)+/g, '…')
		.slice(0, 72);

/** Milliseconds per statement shape while `timing` is on (this round). */
let round: Map<string, number> | null = null;

function timeMethod<T extends object>(
	prototype: T,
	name: keyof T,
	shapeOf: (self: T, args: unknown[]) => string,
) {
	const original = prototype[name] as unknown as (...args: unknown[]) => unknown;
	(prototype as Record<keyof T, unknown>)[name] = function (this: T, ...args: unknown[]) {
		if (!round) return original.apply(this, args);
		const start = clock();
		try {
			return original.apply(this, args);
		} finally {
			const key = shapeOf(this, args);
			round.set(key, (round.get(key) ?? 0) + clock() - start);
		}
	};
}

for (const name of ['all', 'run', 'get'] as const) {
	timeMethod(StatementSync.prototype, name, (statement) => shape(statement.sourceSQL));
}
timeMethod(DatabaseSync.prototype, 'exec', (_, [sql]) => shape(String(sql)));

async function main() {
	const events = benchEvents();
	const perShape = new Map<string, number[]>();
	const calls: number[] = [];
	const sqlTotals: number[] = [];
	const raws: number[] = [];
	for (let n = 0; n < ROUNDS + 1; n++) {
		const dir = mkdtempSync(join(tmpdir(), 'cs-bench-sql-'));
		raws.push(rawInsert(join(dir, 'raw.sqlite'), events).ms);
		const store = await Store.open(
			createDriver({ backend: 'embedded', filePath: join(dir, 'store.sqlite') }),
		);
		await store.saveJourney(benchJourney);
		round = new Map();
		const start = clock();
		const outcomes = await store.recordEvents(events);
		const call = clock() - start;
		const timed = round;
		round = null;
		await store.close();
		rmSync(dir, { recursive: true, force: true });
		if (outcomes.some((outcome) => !outcome.ok)) throw new Error('an event failed');
		if (n === 0) continue; // the first round warms the JIT up
		calls.push(call);
		sqlTotals.push([...timed.values()].reduce((a, b) => a + b, 0));
		for (const [key, ms] of timed) perShape.set(key, [...(perShape.get(key) ?? []), ms]);
	}
	const raw = median(raws);
	console.log(
		`embedded, ${events.length} events, median of ${ROUNDS} rounds, Node ${process.versions.node}\n`,
	);
	for (const [key, values] of [...perShape].sort((a, b) => median(b[1]) - median(a[1]))) {
		console.log(`${median(values).toFixed(1).padStart(7)} ms  ${key}`);
	}
	const sql = median(sqlTotals);
	const call = median(calls);
	console.log(
		`\nstore.recordEvents ${call.toFixed(1)} ms: SQL ${sql.toFixed(1)} ms, the rest (JavaScript, GC) ${(call - sql).toFixed(1)} ms`,
	);
	console.log(
		`raw batched insert ${raw.toFixed(1)} ms; SQL alone is ${(sql / raw).toFixed(2)} x raw, so the store's ratio is at most ${(raw / sql).toFixed(2)}`,
	);
}

void main();
