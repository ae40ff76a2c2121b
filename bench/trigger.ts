/**
 * Stage Trigger benchmark: commit-to-execution latency (median, p95) and idle CPU, on the
 * embedded file (polled, default interval 1 s) and on PostgreSQL (woken by NOTIFY). The trigger
 * is activated through n8n-core's TriggerContext (as n8n activates it); "execution starts" is
 * the moment it calls emit. A move is recorded every 150–350 ms (off the poll's beat); the
 * latency runs from recordEvents resolving (committed) to the emit of that move. Idle CPU is the
 * process's CPU time over 10 s with the trigger active and nothing to deliver.
 *
 *   npm run bench:trigger            # embedded; PostgreSQL too when a server answers
 *   BENCH_MOVES=100 npm run bench:trigger
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_URL, pgReachable, withSchema } from './postgres';
import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';
import { StageTrigger } from '../nodes/StageTrigger/StageTrigger.node';
import { closeAllStores, openStore } from '../nodes/store/openStore';
import { storeConfigFrom, type StoreCredential } from '../nodes/shared/storeConfig';
import { startTrigger } from '../test/harness/runWorkflow';

const MOVES = Number(process.env.BENCH_MOVES ?? 40);
const IDLE_MS = 10_000;
const TYPE = 'n8n-nodes-customer-stage.stageTrigger';

const JOURNEY = {
	key: 'bench',
	name: 'Bench',
	stages: [{ key: 'lead', name: 'Lead' }],
	eventRules: [{ eventType: 'visit', stage: 'lead' }],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(label: string, credential: StoreCredential) {
	const store = await openStore(storeConfigFrom(credential));
	await store.saveJourney(JOURNEY);
	const arrivals = new Map<string, number>();
	const response = await startTrigger(
		{
			id: 'bench-trigger',
			name: 'Stage Trigger',
			type: TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			credentials: { customerStageStoreApi: { id: 'bench', name: 'Bench' } },
		},
		{
			nodeTypes: { [TYPE]: new StageTrigger() },
			mode: 'trigger',
			credentials: [
				{ id: 'bench', type: 'customerStageStoreApi', data: credential as IDataObject },
			],
			emit: ((data: INodeExecutionData[][], _r: unknown, done?: { resolve(run: IRun): void }) => {
				for (const item of data[0]) arrivals.set(String(item.json.customerId), Date.now());
				done?.resolve({ status: 'success' } as IRun);
			}) as never,
		},
	);
	const latencies: number[] = [];
	for (let i = 0; i < MOVES; i++) {
		const customerId = `${label}-${i}`;
		await store.recordEvents([{ journey: 'bench', customerId, eventType: 'visit' }]);
		const committed = Date.now();
		while (!arrivals.has(customerId)) await sleep(2);
		latencies.push(arrivals.get(customerId)! - committed);
		await sleep(150 + Math.random() * 200);
	}
	latencies.sort((a, b) => a - b);

	const cpuBefore = process.cpuUsage();
	await sleep(IDLE_MS);
	const cpu = process.cpuUsage(cpuBefore);
	const idleCpu = ((cpu.user + cpu.system) / 1000 / IDLE_MS) * 100;
	await response.closeFunction?.();

	console.log(
		`${label.padEnd(28)} median ${String(percentile(latencies, 50)).padStart(5)} ms   p95 ${String(percentile(latencies, 95)).padStart(5)} ms   max ${String(latencies[latencies.length - 1]).padStart(5)} ms   idle CPU ${idleCpu.toFixed(2)} %`,
	);
}

async function main() {
	console.log(
		`\ntrigger: commit → execution start, ${MOVES} moves one at a time; idle CPU over ${IDLE_MS / 1000} s, Node ${process.versions.node}\n`,
	);
	const dir = mkdtempSync(join(tmpdir(), 'cs-bench-trigger-'));
	try {
		await measure('embedded SQLite (poll 1 s)', {
			backend: 'embedded',
			filePath: join(dir, 'store.sqlite'),
		});
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	if (await pgReachable()) {
		await withSchema('cs_bench_trigger', (schema) =>
			measure('PostgreSQL (NOTIFY)', { backend: 'postgres', connectionString: PG_URL, schema }),
		);
	} else {
		console.log('PostgreSQL: no server answers; skipped');
	}
	await closeAllStores();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
