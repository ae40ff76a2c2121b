// Peer benchmark (npm run bench:peer, after npm run build): in ONE real n8n 2.41.1, the same
// 10,000 events for 2,000 customers recorded on PostgreSQL three ways, side by side:
//   advance-stage.json    Advance Stage → Record Event on the PostgreSQL store credential;
//   stock-set-based.json  Aggregate → Code packs the events into one JSON string → one Postgres
//                         statement inserts the new ones (ON CONFLICT DO NOTHING) and returns the
//                         current stages → Code decides forward-only moves → one statement writes
//                         history and stages;
//   stock-per-row.json    Postgres Insert → Postgres query per event → Code decides → Postgres
//                         Insert history → Postgres Upsert stages.
// Two ways, each on fresh tables, round after round in turn:
//   `n8n execute` — a new n8n process per run (cold: nothing of either build is compiled yet);
//   `n8n start`   — one long-running n8n, as production runs it: each workflow's Webhook trigger
//                   is called in turn (the first rounds warm the process up, for all builds alike).
// Times are n8n's own: the execution's startedAt → stoppedAt in n8n's database, and that less the
// two nodes all three share (the trigger and the Code node generating the events), i.e. the time
// from the events existing to their being recorded, which is what the builds differ in. Ratios
// are on the latter. All three must end with the same stage for every customer and the same
// number of moves. PEER_ROUNDS (3) `n8n execute` rounds, PEER_SERVER_ROUNDS (5) `n8n start`
// rounds; the per-row build (minutes) runs PEER_PER_ROW_ROUNDS (1) of the former only.
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
	REPO,
	N8n,
	ensureN8n,
	freePort,
	makeLog,
	packAndInstall,
	padTable,
	postJson,
	sleep,
} from '../../test/e2e/lib.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { Store } = require(join(REPO, 'dist/nodes/store/Store.js'));
const { createDriver } = require(join(REPO, 'dist/nodes/store/openStore.js'));
const { presetJourneys } = require(join(REPO, 'dist/nodes/engine/presets.js'));

const log = makeLog('peer');
const ROUNDS = Number(process.env.PEER_ROUNDS ?? 3);
const SERVER_ROUNDS = Number(process.env.PEER_SERVER_ROUNDS ?? 5);
const PER_ROW_ROUNDS = Number(process.env.PEER_PER_ROW_ROUNDS ?? 1);
/** Nodes every build shares: whichever trigger started the run, and the events' generator. */
const SHARED_NODES = ['Start', 'Webhook', 'Generate events'];
const EVENTS = 10_000;
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const STORE_SCHEMA = 'cs_peer_store';
const STOCK_SCHEMA = 'cs_peer_stock';
const here = join(REPO, 'bench', 'peer');

const FLOWS = [
	{ key: 'ours', label: 'Advance Stage (Record Event)', file: 'advance-stage.json', hook: 'ours' },
	{
		key: 'setBased',
		label: 'stock nodes, set-based',
		file: 'stock-set-based.json',
		hook: 'set-based',
	},
	{ key: 'perRow', label: 'stock nodes, per row', file: 'stock-per-row.json', hook: 'per-row' },
];

async function pg(sql, params) {
	const client = new Client(PG);
	await client.connect();
	try {
		return (await client.query(sql, params)).rows;
	} finally {
		await client.end();
	}
}

/** The stock builds' tables, as a user would make them: keys, time stamps, JSON properties. */
async function resetStock() {
	await pg(`DROP SCHEMA IF EXISTS ${STOCK_SCHEMA} CASCADE; CREATE SCHEMA ${STOCK_SCHEMA};
		CREATE TABLE ${STOCK_SCHEMA}.events (event_id text PRIMARY KEY, customer_id text NOT NULL,
			event_type text NOT NULL, channel text, occurred_at timestamptz NOT NULL, properties jsonb);
		CREATE TABLE ${STOCK_SCHEMA}.stages (customer_id text PRIMARY KEY, stage text NOT NULL,
			entered_at timestamptz NOT NULL);
		CREATE TABLE ${STOCK_SCHEMA}.history (id bigserial PRIMARY KEY, customer_id text NOT NULL,
			from_stage text, to_stage text NOT NULL, event_id text, occurred_at timestamptz NOT NULL);
		CREATE INDEX ON ${STOCK_SCHEMA}.history (customer_id, id);`);
}

/** A fresh store schema with the marketing-hub journey (migrated by the store itself). */
async function resetStore() {
	await pg(`DROP SCHEMA IF EXISTS ${STORE_SCHEMA} CASCADE`);
	const store = await Store.open(
		createDriver({
			backend: 'postgres',
			connectionString: `postgres://postgres@127.0.0.1:5432/test`,
			schema: STORE_SCHEMA,
		}),
	);
	await store.saveJourney(presetJourneys('marketingHub')[0]);
	await store.close();
}

/**
 * Empties both builds' tables and keeps their definitions (the long-running n8n's connections
 * keep their prepared statements; the store keeps its journey).
 */
async function emptyTables(key) {
	if (key !== 'ours') {
		await pg(
			`TRUNCATE ${['events', 'stages', 'history'].map((t) => `${STOCK_SCHEMA}.${t}`).join(', ')} RESTART IDENTITY`,
		);
		return;
	}
	const kept = ['journeys', 'journey_versions', 'schema_migrations', 'funnel_rollup_mark'];
	const tables = (
		await pg(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [
			STORE_SCHEMA,
		])
	)
		.map((r) => r.table_name)
		.filter((name) => !kept.includes(name));
	await pg(
		`TRUNCATE ${tables.map((t) => `${STORE_SCHEMA}.${t}`).join(', ')} RESTART IDENTITY;
		 UPDATE ${STORE_SCHEMA}.funnel_rollup_mark SET booked_through = 0`,
	);
}

async function finalState(key) {
	const rows =
		key === 'ours'
			? await pg(`SELECT c.external_id AS customer, m.stage_key AS stage,
					(SELECT count(*) FROM ${STORE_SCHEMA}.transitions t WHERE t.customer_id = c.id)::int AS moves
				FROM ${STORE_SCHEMA}.memberships m JOIN ${STORE_SCHEMA}.customers c ON c.id = m.customer_id`)
			: await pg(`SELECT s.customer_id AS customer, s.stage,
					(SELECT count(*) FROM ${STOCK_SCHEMA}.history h WHERE h.customer_id = s.customer_id)::int AS moves
				FROM ${STOCK_SCHEMA}.stages s`);
	const [{ events }] = await pg(
		`SELECT count(*)::int AS events FROM ${key === 'ours' ? STORE_SCHEMA : STOCK_SCHEMA}.events`,
	);
	return {
		events,
		stages: new Map(rows.map((r) => [r.customer, `${r.stage}/${r.moves}`])),
	};
}

function sameState(a, b) {
	if (a.events !== b.events || a.stages.size !== b.stages.size) return false;
	for (const [customer, stage] of a.stages) if (b.stages.get(customer) !== stage) return false;
	return true;
}

/** Whether the workflow's latest execution is a new one, and over. */
function finished(execution, before) {
	return execution !== undefined && execution.id !== before && execution.stoppedAt !== null;
}

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
	const n8nDir = await ensureN8n(log);
	const tmp = mkdtempSync(join(tmpdir(), 'cs-peer-'));
	const userFolder = join(tmp, 'user');
	const logFile = join(tmp, 'n8n.log');
	try {
		await packAndInstall({ n8nDir, userFolder, outDir: join(tmp, 'pack'), log });
		const port = await freePort();
		const settings = { n8nDir, userFolder, port, brokerPort: await freePort(), logFile };
		const n8n = new N8n(settings);
		// Runs print nothing (their items are big); status and times come from n8n's database.
		const quiet = new N8n({
			...settings,
			extraEnv: {
				N8N_LOG_LEVEL: 'warn',
				// PEER_CPU_PROFILE=<dir>: a V8 CPU profile of every run, to see where its time goes.
				...(process.env.PEER_CPU_PROFILE
					? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.PEER_CPU_PROFILE}` }
					: {}),
			},
		});
		const credentials = [
			{
				id: 'csPeerPostgres01',
				name: 'Postgres (bench peer)',
				type: 'postgres',
				data: { ...PG, password: '', ssl: 'disable', allowUnauthorizedCerts: false },
			},
			{
				id: 'csPeerStoreCred1',
				name: 'Customer Stage Store (bench peer)',
				type: 'customerStageStoreApi',
				data: {
					backend: 'postgres',
					host: PG.host,
					port: PG.port,
					database: PG.database,
					user: PG.user,
					password: '',
					ssl: 'disable',
					schema: STORE_SCHEMA,
					maxConnections: 5,
				},
			},
		];
		writeFileSync(join(tmp, 'credentials.json'), JSON.stringify(credentials));
		const imported = await n8n.cli([
			'import:credentials',
			`--input=${join(tmp, 'credentials.json')}`,
		]);
		if (imported.code !== 0) throw new Error(`import:credentials failed: ${imported.stderr}`);
		for (const flow of FLOWS) {
			flow.id = JSON.parse(readFileSync(join(here, flow.file), 'utf8')).id;
			await n8n.importWorkflow(join(here, flow.file));
			flow.ms = [];
			flow.recordMs = [];
		}
		log(`n8n ${n8nDir}: credentials and ${FLOWS.length} workflows imported`);

		const database = new DatabaseSync(join(userFolder, '.n8n', 'database.sqlite'), {
			readOnly: true,
		});
		const lastExecution = database.prepare(
			`SELECT e.id, e.status, e.startedAt, e.stoppedAt, d.data FROM execution_entity e
			 JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id DESC LIMIT 1`,
		);
		const flatted = createRequire(join(n8nDir, 'node_modules', 'n8n', 'package.json'))('flatted');
		let moves = 0;
		let customers = 0;

		/** Rounds of every build in turn, each started by `trigger`; prints their table. */
		const measure = async (title, rounds, trigger, reset, flows) => {
			const times = new Map(flows.map((flow) => [flow.key, { ms: [], after: [] }]));
			const states = {};
			for (let round = 0; round < rounds; round++) {
				// Rotate who goes first: the machine's load drifts within a round.
				const order = flows
					.map((_, i) => flows[(i + round) % flows.length])
					.filter((flow) => flow.key !== 'perRow' || round < PER_ROW_ROUNDS);
				for (const flow of order) {
					await reset(flow.key);
					const before = lastExecution.get(flow.id)?.id ?? 0;
					const failure = await trigger(flow);
					// A server saves the execution just after answering: wait for it to be there.
					let execution = lastExecution.get(flow.id);
					for (let i = 0; i < 100 && !failure && !finished(execution, before); i++) {
						await sleep(100);
						execution = lastExecution.get(flow.id);
					}
					if (failure || execution?.id === before || execution?.status !== 'success') {
						throw new Error(
							`${flow.file}: execution ${execution?.id} ${execution?.status} (${failure ?? 'no new execution'}); see ${logFile}`,
						);
					}
					const ms = Date.parse(`${execution.stoppedAt}Z`) - Date.parse(`${execution.startedAt}Z`);
					const runData = flatted.parse(execution.data).resultData.runData;
					const shared = SHARED_NODES.filter((name) => runData[name]).reduce(
						(sum, name) => sum + runData[name][0].executionTime,
						0,
					);
					times.get(flow.key).ms.push(ms);
					times.get(flow.key).after.push(ms - shared);
					states[flow.key] = await finalState(flow.key);
					log(
						`${title}, round ${round + 1}: ${flow.label} ${ms} ms (${ms - shared} ms after the events exist; ` +
							Object.entries(runData)
								.map(([name, runs]) => `${name} ${runs[0].executionTime}`)
								.join(', ') +
							')',
					);
				}
				for (const flow of flows.filter((f) => states[f.key])) {
					if (!sameState(states.ours, states[flow.key]))
						throw new Error(
							`${flow.label} ended in other stages than Advance Stage (${title}, round ${round + 1})`,
						);
				}
			}
			const setBased = median(times.get('setBased').after);
			const rows = flows
				.filter((flow) => times.get(flow.key).ms.length > 0)
				.map((flow) => {
					const { ms, after } = times.get(flow.key);
					return [
						flow.label,
						`${median(ms)} ms`,
						`${median(after)} ms`,
						Math.round(EVENTS / (median(after) / 1000)).toLocaleString('en-US'),
						(setBased / median(after)).toFixed(2),
						after.join(' / '),
					];
				});
			moves = [...states.ours.stages.values()].reduce((sum, s) => sum + Number(s.split('/')[1]), 0);
			customers = states.ours.stages.size;
			return `${title}, median of ${rounds} rounds\n\n${padTable(rows, [
				'workflow',
				'execution',
				'after the events exist',
				'events/s',
				'× set-based',
				'rounds (after)',
			])}`;
		};

		const tables = [];
		if (ROUNDS > 0) {
			tables.push(
				await measure(
					'`n8n execute` (a new n8n process per run)',
					ROUNDS,
					async (flow) => {
						const result = await quiet.cli(['execute', `--id=${flow.id}`], {
							timeoutMs: 600_000,
						});
						return result.code === 0 ? null : `exit ${result.code}: ${result.stderr.slice(-2000)}`;
					},
					(key) => (key === 'ours' ? resetStore() : resetStock()),
					FLOWS,
				),
			);
		}
		if (SERVER_ROUNDS > 0) {
			// One long-running n8n: the workflows published, each run started by its Webhook trigger
			// (it answers when the run has finished). The per-row build is left out (minutes a run).
			const flows = FLOWS.filter((flow) => flow.key !== 'perRow');
			for (const flow of flows) await n8n.publishWorkflow(flow.id);
			await resetStore();
			await resetStock();
			await quiet.start({ webhookPath: `customer-stage-peer/${flows[0].hook}` });
			try {
				tables.push(
					await measure(
						'`n8n start` (one long-running n8n, runs started by webhook)',
						SERVER_ROUNDS,
						async (flow) => {
							const response = await postJson(
								`${quiet.baseUrl}/webhook/customer-stage-peer/${flow.hook}`,
								{},
								600_000,
							);
							return response.status === 200
								? null
								: `HTTP ${response.status}: ${JSON.stringify(response.body)}`;
						},
						emptyTables,
						flows,
					),
				);
			} finally {
				await quiet.stop();
			}
		}
		database.close();

		console.log(
			`\npeer: ${EVENTS.toLocaleString('en-US')} events, ${customers.toLocaleString('en-US')} customers, ${moves.toLocaleString('en-US')} moves, one execution each in n8n 2.41.1 (n8n's startedAt → stoppedAt)\n`,
		);
		console.log(tables.join('\n\n'));
		console.log('\nevery build ends with the same stage and number of moves for every customer');
	} finally {
		await pg(
			`DROP SCHEMA IF EXISTS ${STOCK_SCHEMA} CASCADE; DROP SCHEMA IF EXISTS ${STORE_SCHEMA} CASCADE`,
		).catch(() => undefined);
		if (process.env.PEER_KEEP) log(`kept ${tmp}`);
		else rmSync(tmp, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
