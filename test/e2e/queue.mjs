// Queue-mode end-to-end test: a real n8n 2.41.1 main instance and 2 workers (EXECUTIONS_MODE=queue,
// Redis on 127.0.0.1:6379, n8n's own database on the local PostgreSQL), the packed package loaded
// by every process, a webhook workflow recording events into the PostgreSQL store (a schema of its
// own in n8n's database). 500 events are fired at the webhook concurrently on loopback; then the
// stages, the events and the history are checked in PostgreSQL. A Stage Trigger workflow, active
// on main, reports every transition id it is given to a collector in this process: all of them
// must arrive, each once (its executions run on the workers too).
// Run by scripts/e2e.sh after the single-instance test (or alone: bash scripts/e2e.sh --queue-only).
import { spawn, spawnSync } from 'node:child_process';
import {
	createWriteStream,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	N8n,
	REPO,
	brokenChains,
	ensureN8n,
	freePort,
	makeLog,
	nodeItems,
	packAndInstall,
	postJson,
	runError,
	sleep,
	startCollector,
} from './lib.mjs';

const { Client } = createRequire(join(REPO, 'package.json'))('pg');
const log = makeLog('e2e-queue');
const KEEP = process.env.E2E_KEEP === '1';
const BUDGET_MS = Number(process.env.E2E_QUEUE_BUDGET_MS || 8 * 60_000);
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const DATABASE = `cs_queue_e2e_${process.pid}`;
const SCHEMA = 'customer_stage';
const WEBHOOK_PATH = 'customer-stage/queue-event';
const CUSTOMERS = 100;
const EVENTS = 500;
const REPLAYS = 50;
const CONCURRENCY = 20;

const TARGET = {
	'wechat.follow': 'initial_contact',
	'email.opened': 'initial_contact',
	'email.link_clicked': 'primary_leads',
	'sms.link_clicked': 'primary_leads',
	'form.submitted': 'intentional_leads',
	'coupon.received': 'intentional_leads',
	'purchase.completed': 'closed_customers',
};
const PATH = [
	'unknown',
	'initial_contact',
	'primary_leads',
	'intentional_leads',
	'confirmed_leads',
	'closed_customers',
];

let passed = 0;
let failed = 0;
function check(name, condition, detail) {
	if (condition) {
		passed++;
		console.log(`  ok    ${name}`);
	} else {
		failed++;
		console.log(
			`  FAIL  ${name}${detail === undefined ? '' : ` — ${typeof detail === 'string' ? detail : JSON.stringify(detail).slice(0, 400)}`}`,
		);
	}
}

const tmp = mkdtempSync(join(tmpdir(), 'cs-e2e-queue-'));
const userFolder = join(tmp, 'user');
mkdirSync(userFolder, { recursive: true });
const processes = [];
let mainN8n;

async function pgQuery(database, sql, params) {
	const client = new Client({ ...PG, database });
	await client.connect();
	try {
		return (await client.query(sql, params)).rows;
	} finally {
		await client.end();
	}
}

function killAll() {
	mainN8n?.killNow();
	for (const child of processes) {
		if (child.exitCode === null && child.signalCode === null) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		}
	}
}

async function cleanup() {
	killAll();
	await sleep(500);
	try {
		await pgQuery('postgres', `DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
	} catch (error) {
		log(`could not drop ${DATABASE}: ${error.message}`);
	}
	// This run's Redis keys (job queue and n8n's cache), so runs do not pile up on a shared Redis.
	for (const pattern of [`cs-e2e-${process.pid}*`, `cs-e2e-n8n-${process.pid}*`]) {
		const keys =
			spawnSync('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', pattern], {
				encoding: 'utf8',
			})
				.stdout?.split('\n')
				.filter(Boolean) ?? [];
		for (let i = 0; i < keys.length; i += 500)
			spawnSync('redis-cli', ['-h', '127.0.0.1', 'del', ...keys.slice(i, i + 500)]);
	}
	if (!KEEP) rmSync(tmp, { recursive: true, force: true });
	else log(`kept ${tmp}`);
}

/** A deterministic plan: every customer gets 4–5 events; 50 requests replay an earlier event id. */
function plan() {
	let seed = 20261122;
	const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	const types = Object.keys(TARGET);
	const fresh = [];
	for (let i = 0; i < EVENTS - REPLAYS; i++) {
		fresh.push({
			customerId: `q-${String(i % CUSTOMERS).padStart(3, '0')}`,
			eventType: types[Math.floor(random() * types.length)],
			eventId: `qe-${i}`,
		});
	}
	const replays = Array.from({ length: REPLAYS }, () => ({
		...fresh[Math.floor(random() * fresh.length)],
	}));
	const all = [...fresh, ...replays];
	for (let i = all.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[all[i], all[j]] = [all[j], all[i]];
	}
	const expected = new Map();
	for (const event of fresh) {
		const best = expected.get(event.customerId);
		const target = TARGET[event.eventType];
		if (!best || PATH.indexOf(target) > PATH.indexOf(best)) expected.set(event.customerId, target);
	}
	return { all, expected, distinct: fresh.length };
}

function workflows(credential, collectorUrl) {
	const credentials = { customerStageStoreApi: { id: credential.id, name: credential.name } };
	const setup = {
		id: 'csQueueSetup0001',
		name: 'e2e queue: create journey in PostgreSQL store',
		active: false,
		nodes: [
			{
				id: 'q1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'q2',
				name: 'Create journey',
				type: 'n8n-nodes-customer-stage.advanceStage',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'journey',
					operation: 'createOrUpdate',
					source: 'preset',
					preset: 'marketingHub',
					ifExists: 'update',
				},
				credentials,
			},
		],
		connections: { Start: { main: [[{ node: 'Create journey', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
	const webhook = {
		id: 'csQueueWebhook01',
		name: 'e2e queue: record events into PostgreSQL',
		active: false,
		nodes: [
			{
				id: 'w1',
				name: 'Event',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: '5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b',
				parameters: {
					httpMethod: 'POST',
					path: WEBHOOK_PATH,
					responseMode: 'lastNode',
					options: {},
				},
			},
			{
				id: 'w2',
				name: 'Record event',
				type: 'n8n-nodes-customer-stage.advanceStage',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'event',
					operation: 'record',
					journey: 'marketing_hub',
					customerId: '={{ $json.body.customerId }}',
					eventType: '={{ $json.body.eventType }}',
					additionalFields: { eventId: '={{ $json.body.eventId }}', channel: 'queue-e2e' },
				},
				credentials,
			},
		],
		connections: { Event: { main: [[{ node: 'Record event', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
	const trigger = {
		id: 'csQueueTrigger01',
		name: 'e2e queue: Stage Trigger reports every transition',
		active: false,
		nodes: [
			{
				id: 't1',
				name: 'Stage Trigger',
				type: 'n8n-nodes-customer-stage.stageTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { startFrom: 'beginning', delivery: 'batch', batchSize: 20 },
				credentials,
			},
			{
				id: 't2',
				name: 'Report id',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
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
		connections: { 'Stage Trigger': { main: [[{ node: 'Report id', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
	return { setup, webhook, trigger };
}

function startWorker(n8n, index, env) {
	const logFile = join(tmp, `worker-${index}.log`);
	// Created now: the stream opens its file later, and the readiness wait reads it at once.
	writeFileSync(logFile, '');
	const out = createWriteStream(logFile, { flags: 'a' });
	const child = spawn(n8n.node, [n8n.bin, 'worker', '--concurrency=5'], {
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout.pipe(out);
	child.stderr.pipe(out);
	processes.push(child);
	return { child, logFile };
}

async function waitFor(what, predicate, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await predicate()) return;
		await sleep(500);
	}
	throw new Error(`timed out waiting for ${what}`);
}

/** Fires the events with at most CONCURRENCY requests in flight; every request has a deadline. */
async function fire(url, events) {
	const responses = new Array(events.length);
	let next = 0;
	async function lane() {
		while (next < events.length) {
			const index = next++;
			responses[index] = await postJson(url, events[index], 60_000);
		}
	}
	await Promise.all(Array.from({ length: CONCURRENCY }, lane));
	return responses;
}

async function main() {
	const timer = setTimeout(() => {
		console.log(`e2e-queue: budget of ${BUDGET_MS / 1000} s exceeded`);
		cleanup().finally(() => process.exit(1));
	}, BUDGET_MS);
	const n8nDir = await ensureN8n(log);
	await pgQuery('postgres', `DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
	await pgQuery('postgres', `CREATE DATABASE "${DATABASE}"`);
	log(`n8n's database: ${DATABASE} on 127.0.0.1:5432; the store: schema ${SCHEMA} in it`);
	await packAndInstall({ n8nDir, userFolder, outDir: join(tmp, 'pack'), log });

	const port = await freePort();
	const queueEnv = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: '6379',
		// The Bull prefix separates only the job queue; n8n's cache, pub/sub, locks and leader
		// election in Redis use N8N_REDIS_KEY_PREFIX, so a run must set both to stay apart.
		QUEUE_BULL_PREFIX: `cs-e2e-${process.pid}`,
		N8N_REDIS_KEY_PREFIX: `cs-e2e-n8n-${process.pid}`,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: PG.host,
		DB_POSTGRESDB_PORT: String(PG.port),
		DB_POSTGRESDB_DATABASE: DATABASE,
		DB_POSTGRESDB_USER: PG.user,
		N8N_ENCRYPTION_KEY: 'customer-stage-queue-e2e-key',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'false',
	};
	const main = new N8n({
		n8nDir,
		userFolder,
		port,
		brokerPort: await freePort(),
		logFile: join(tmp, 'main.log'),
		extraEnv: queueEnv,
	});
	mainN8n = main;

	const credential = {
		id: 'csQueuePgCred001',
		name: 'Customer Stage Store (PostgreSQL, e2e)',
		type: 'customerStageStoreApi',
		data: {
			backend: 'postgres',
			host: PG.host,
			port: PG.port,
			database: DATABASE,
			user: PG.user,
			password: '',
			ssl: 'disable',
			schema: SCHEMA,
			maxConnections: 5,
		},
	};
	writeFileSync(join(tmp, 'credentials.json'), JSON.stringify([credential]));
	const imported = await main.cli([
		'import:credentials',
		`--input=${join(tmp, 'credentials.json')}`,
	]);
	check(
		'import:credentials (PostgreSQL store credential)',
		imported.code === 0,
		imported.stderr.slice(-400),
	);
	const collector = await startCollector();
	const { setup, webhook, trigger } = workflows(credential, collector.url);
	for (const workflow of [setup, webhook, trigger]) {
		const file = join(tmp, `${workflow.id}.json`);
		writeFileSync(file, JSON.stringify(workflow));
		await main.importWorkflow(file);
	}
	await main.publishWorkflow(webhook.id);
	await main.publishWorkflow(trigger.id);
	log('credential and workflows imported; webhook workflow published');

	const setupRun = await main.execute(setup.id);
	const created = nodeItems(setupRun, 'Create journey');
	check(
		'the journey is created in the PostgreSQL store by `n8n execute`',
		created?.[0]?.key === 'marketing_hub',
		runError(setupRun) ?? created,
	);

	log('starting main and 2 workers in queue mode');
	await main.start({ webhookPath: WEBHOOK_PATH });
	const workers = [];
	for (let i = 0; i < 2; i++) {
		const env = {
			...main.env,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			QUEUE_HEALTH_CHECK_PORT: String(await freePort()),
		};
		workers.push(startWorker(main, i, env));
	}
	await waitFor(
		'both workers ready',
		async () => workers.every((w) => /worker is now ready/.test(readFileSync(w.logFile, 'utf8'))),
		120_000,
	);
	log('main and workers are up');

	const { all, expected, distinct } = plan();
	const started = Date.now();
	const responses = await fire(`${main.baseUrl}/webhook/${WEBHOOK_PATH}`, all);
	const seconds = (Date.now() - started) / 1000;
	log(`fired ${all.length} events (${CONCURRENCY} in flight) in ${seconds.toFixed(1)} s`);

	const bad = responses.filter((r) => r.status !== 200);
	check(`all ${all.length} webhook calls answered 200`, bad.length === 0, bad.slice(0, 3));
	const duplicates = responses.filter((r) => r.body && r.body.duplicate === true).length;
	check(`exactly ${REPLAYS} deliveries reported as duplicate`, duplicates === REPLAYS, duplicates);

	const db = (sql, params) => pgQuery(DATABASE, sql, params);
	const stages = await db(
		`SELECT c.external_id, m.stage_key FROM ${SCHEMA}.memberships m JOIN ${SCHEMA}.customers c ON c.id = m.customer_id`,
	);
	const actual = new Map(stages.map((r) => [r.external_id, r.stage_key]));
	const wrong = [...expected].filter(([id, stage]) => actual.get(id) !== stage);
	check(
		`the final stage of all ${expected.size} customers equals the order-independent expectation`,
		wrong.length === 0 && actual.size === expected.size,
		wrong.slice(0, 5),
	);
	const [{ n: events }] = await db(`SELECT COUNT(*)::int AS n FROM ${SCHEMA}.events`);
	check(`each of the ${distinct} distinct event ids stored once`, events === distinct, events);
	const rows = await db(
		`SELECT customer_id, from_stage, to_stage FROM ${SCHEMA}.transitions ORDER BY customer_id, id`,
	);
	const broken = brokenChains(rows);
	check('every customer’s history is an unbroken chain (no lost updates)', broken === 0, broken);
	const moved = responses.filter((r) => r.body && r.body.moved === true).length;
	check('history rows = moves reported to the webhook callers', rows.length === moved, {
		rows: rows.length,
		moved,
	});

	// Stage Trigger on main: every transition the workers committed reaches its workflow, once.
	const ids = (await db(`SELECT id FROM ${SCHEMA}.transitions`)).map((r) => Number(r.id));
	await waitFor(
		'Stage Trigger to deliver every transition',
		async () => ids.every((id) => collector.received.includes(id)),
		120_000,
	).catch(() => undefined);
	const missing = ids.filter((id) => !collector.received.includes(id));
	check(`Stage Trigger (on main) delivered all ${ids.length} transitions`, missing.length === 0, {
		missing: missing.length,
	});
	check(
		'each transition delivered once (no crash, no repeat)',
		collector.received.length === new Set(collector.received).size,
		collector.received.length - new Set(collector.received).size,
	);
	collector.close();

	const perWorker = workers.map(
		(w) => (readFileSync(w.logFile, 'utf8').match(/Worker finished execution/g) ?? []).length,
	);
	check(
		'both workers ran executions',
		perWorker.every((n) => n > 0),
		perWorker,
	);
	check(
		`the workers ran all ${all.length} webhook executions`,
		perWorker.reduce((a, b) => a + b, 0) >= all.length,
		perWorker,
	);
	log(`executions per worker: ${perWorker.join(', ')}`);

	clearTimeout(timer);
}

let exitCode = 0;
try {
	await main();
} catch (error) {
	failed++;
	console.log(`  FAIL  ${error.stack ?? error}`);
	console.log(`  (logs in ${tmp}; rerun with E2E_KEEP=1 to keep them)`);
} finally {
	await cleanup();
	console.log(`e2e-queue: ${passed} passed, ${failed} failed`);
	exitCode = failed ? 1 : 0;
}
process.exit(exitCode);
