// Stage Trigger in a real n8n 2.41.1, through a crash: the packed package installed in a fresh
// user folder, an active workflow (Stage Trigger → HTTP Request to a collector in this process)
// receiving every transition id, 1,000 moves recorded in bursts from this process into the same
// store file, n8n killed with SIGKILL in the middle and started again. Passes when no committed
// transition is missing; duplicates (from the crash window only) are counted and reported.
// Run by scripts/e2e.sh --trigger-only under the n8n folder's Node 24.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	N8n,
	ensureN8n,
	freePort,
	makeLog,
	packAndInstall,
	sleep,
	startCollector,
} from './lib.mjs';

const log = makeLog('trigger');
const KEEP = process.env.E2E_KEEP === '1';
const BUDGET_MS = Number(process.env.E2E_BUDGET_MS || 10 * 60_000);
const WORKFLOW_ID = 'csE2eStageTrig01';
const CUSTOMERS = 250;
const TYPES = ['visit', 'form', 'call', 'buy']; // 4 moves per customer: 1,000 moves
const BURST = 50;
const BATCH = 10;

const tmp = mkdtempSync(join(tmpdir(), 'cs-e2e-trigger-'));
const userFolder = join(tmp, 'user');
const logFile = join(tmp, 'n8n.log');
mkdirSync(userFolder, { recursive: true });
let n8n;
let passed = 0;
let failed = 0;

function check(name, condition, detail) {
	if (condition) {
		passed++;
		console.log(`  ok   ${name}`);
	} else {
		failed++;
		console.log(`  FAIL ${name}${detail === undefined ? '' : `: ${detail}`}`);
	}
}

process.on('exit', () => {
	n8n?.killNow();
	if (!KEEP) rmSync(tmp, { recursive: true, force: true });
});
const budget = setTimeout(() => {
	console.log(`trigger e2e: time budget of ${BUDGET_MS / 1000} s exceeded; n8n log: ${logFile}`);
	console.log(`trigger e2e: ${passed} passed, ${failed + 1} failed`);
	process.exit(1);
}, BUDGET_MS);
budget.unref();

const JOURNEY = {
	key: 'e2e_trigger',
	name: 'E2E Trigger',
	stages: [
		{ key: 'lead', name: 'Lead' },
		{ key: 'mql', name: 'MQL' },
		{ key: 'sql', name: 'Confirmed Lead' },
		{ key: 'customer', name: 'Customer' },
	],
	eventRules: [
		{ eventType: 'visit', stage: 'lead' },
		{ eventType: 'form', stage: 'mql' },
		{ eventType: 'call', stage: 'sql' },
		{ eventType: 'buy', stage: 'customer' },
	],
};

function workflow(collectorUrl) {
	return {
		id: WORKFLOW_ID,
		name: 'Stage Trigger e2e',
		active: false,
		nodes: [
			{
				id: 'st-trigger',
				name: 'Stage Trigger',
				type: 'n8n-nodes-customer-stage.stageTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					journeys: [JOURNEY.key],
					startFrom: 'beginning',
					delivery: 'batch',
					batchSize: BATCH,
					options: { pollSeconds: 0.5 },
				},
			},
			{
				id: 'st-http',
				name: 'Report id',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [240, 0],
				parameters: {
					method: 'POST',
					url: collectorUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify({ id: $json.transitionId }) }}',
					options: {},
				},
			},
		],
		connections: {
			'Stage Trigger': { main: [[{ node: 'Report id', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

async function main() {
	const n8nDir = await ensureN8n(log);
	const { installed } = await packAndInstall({
		n8nDir,
		userFolder,
		outDir: join(tmp, 'pack'),
		log,
	});
	// The installed package's own store code, on the store file n8n uses by default.
	const require = createRequire(join(installed, 'package.json'));
	const { createDriver } = require('./dist/nodes/store/openStore');
	const { Store } = require('./dist/nodes/store/Store');
	const { defaultStorePath } = require('./dist/nodes/store/driver/filePolicy');
	const filePath = defaultStorePath({ N8N_USER_FOLDER: userFolder });
	const store = await Store.open(createDriver({ backend: 'embedded', filePath }));
	await store.saveJourney(JOURNEY);

	// The collector: every transition id n8n reports, in arrival order.
	const collector = await startCollector();
	const received = collector.received;

	const file = join(tmp, 'trigger-workflow.json');
	writeFileSync(file, JSON.stringify(workflow(collector.url)));
	n8n = new N8n({
		n8nDir,
		userFolder,
		port: await freePort(),
		brokerPort: await freePort(),
		logFile,
	});
	await n8n.importWorkflow(file);
	await n8n.publishWorkflow(WORKFLOW_ID);
	log(`starting n8n on ${n8n.baseUrl} (log: ${logFile})`);
	await n8n.start();

	let eventNo = 0;
	const events = [];
	for (const type of TYPES) {
		for (let c = 0; c < CUSTOMERS; c++) {
			events.push({
				journey: JOURNEY.key,
				customerId: `c${c}`,
				eventType: type,
				eventId: `e${++eventNo}`,
			});
		}
	}
	let next = 0;
	const burst = async () => {
		const part = events.slice(next, next + BURST);
		next += part.length;
		const outcomes = await store.recordEvents(part);
		return outcomes.filter((o) => o.ok && o.moved).length;
	};

	let moved = 0;
	// First half, in bursts while n8n delivers.
	while (next < events.length / 2) {
		moved += await burst();
		await sleep(150);
	}
	const until = Date.now() + 60_000;
	while (received.length < 300 && Date.now() < until) await sleep(50);
	const beforeCrash = received.length;
	log(`kill -9 n8n after ${beforeCrash} ids received (${moved} moves recorded)`);
	n8n.killNow();
	await n8n.exited;
	// Moves recorded while n8n is down.
	for (let i = 0; i < 4; i++) moved += await burst();
	log('starting n8n again');
	await n8n.start();
	while (next < events.length) {
		moved += await burst();
		await sleep(150);
	}
	check('1,000 moves recorded', moved === 1000, moved);

	const committed = new Set((await store.readFeed(0, {}, 100_000)).transitions.map((t) => t.id));
	const deadline = Date.now() + 180_000;
	const missing = () => [...committed].filter((id) => !received.includes(id));
	while (missing().length > 0 && Date.now() < deadline) await sleep(500);
	const lost = missing();
	const duplicates = received.length - new Set(received).size;
	check(
		'every committed transition id received (0 missing)',
		lost.length === 0,
		`${lost.length} missing`,
	);
	check(
		'no id outside the history',
		received.every((id) => committed.has(id)),
	);
	log(
		`received ${received.length} ids for ${committed.size} transitions: ${duplicates} duplicates`,
	);
	check(
		`duplicates only from the crash window (at most 2 batches of ${BATCH})`,
		duplicates <= 2 * BATCH,
		duplicates,
	);
	// In order, apart from the crash window's repeats: first arrivals never go back.
	const firsts = [];
	const seen = new Set();
	for (const id of received) if (!seen.has(id) && seen.add(id)) firsts.push(id);
	check(
		'first deliveries in commit (id) order',
		firsts.every((id, i) => i === 0 || id > firsts[i - 1]),
	);

	await n8n.stop();
	await store.close();
	collector.close();
	console.log(`trigger e2e: duplicates after kill -9: ${duplicates}`);
	console.log(`trigger e2e: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch((error) => {
	console.log(error?.stack ?? error);
	console.log(`trigger e2e: ${passed} passed, ${failed + 1} failed; n8n log: ${logFile}`);
	process.exit(1);
});
