// End-to-end test in a real n8n 2.41.1: the packed package installed in a fresh user folder,
// the sample workflows imported, run with `n8n execute`, the webhook workflow published and
// called over HTTP on 127.0.0.1, results read back through n8n and from the store's SQLite file.
// Run by scripts/e2e.sh (npm run test:e2e) under the n8n folder's Node 24.
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
	N8n,
	REPO,
	ensureN8n,
	freePort,
	makeLog,
	nodeItems,
	packAndInstall,
	postJson,
	runError,
} from './lib.mjs';

const log = makeLog('e2e');
const KEEP = process.env.E2E_KEEP === '1';
const BUDGET_MS = Number(process.env.E2E_BUDGET_MS || 9 * 60_000);

const SETUP_ID = 'csMarketingHub01';
const WEBHOOK_ID = 'csWebhookEvent01';
const CHECK_ID = 'csE2eCheckCust01';
const WEBHOOK_PATH = 'customer-stage/event';
const REMINDER_FIXTURE_ID = 'csE2eReminderFx1';
const REMINDER_SAMPLE_ID = 'csStageReminders1';
const ACTIVITY_FIXTURE_ID = 'csE2eActivityFx1';
const ACTIVITY_SAMPLE_ID = 'csActivityDaily01';
const JOURNEY = 'marketing_hub';
const STAGES = [
	'unknown',
	'initial_contact',
	'primary_leads',
	'intentional_leads',
	'confirmed_leads',
	'closed_customers',
];
/** The preset's stage names, by key: what output items show (keys sit in `keys`). */
const NAME = {
	unknown: 'Unknown',
	initial_contact: 'Initial Contact',
	primary_leads: 'Primary Leads',
	intentional_leads: 'Intentional Leads',
	confirmed_leads: 'Confirmed Leads',
	closed_customers: 'Closed Customers',
};
/** A refused event's 422 body names the field by the form's label. */
const NAMES_CUSTOMER_ID = /Customer ID/;

let passed = 0;
let failed = 0;
const failures = [];
function check(name, condition, detail) {
	if (condition) {
		passed++;
		console.log(`  ok    ${name}`);
	} else {
		failed++;
		const text =
			detail === undefined
				? ''
				: ` — ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`;
		failures.push(name + text);
		console.log(`  FAIL  ${name}${text}`);
	}
}
function eq(name, actual, expected) {
	const same = JSON.stringify(actual) === JSON.stringify(expected);
	check(
		name,
		same,
		same ? undefined : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
	);
}

const tmp = mkdtempSync(join(tmpdir(), 'cs-e2e-'));
const userFolder = join(tmp, 'user');
const logFile = join(tmp, 'n8n.log');
mkdirSync(userFolder, { recursive: true });
let n8n;
let finished = false;

function cleanup() {
	n8n?.killNow();
	if (!KEEP) rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(signal, () => {
		console.log(`e2e: interrupted (${signal})`);
		console.log(`e2e: ${passed} passed, ${failed + 1} failed`);
		process.exit(130);
	});
}
const budget = setTimeout(() => {
	console.log(`e2e: time budget of ${BUDGET_MS / 1000} s exceeded`);
	printLogTail();
	console.log(`e2e: ${passed} passed, ${failed + 1} failed`);
	process.exit(1);
}, BUDGET_MS);
budget.unref();

function printLogTail(lines = 60) {
	if (!existsSync(logFile)) return;
	const text = readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
	console.log(`----- last ${lines} lines of ${logFile} -----\n${text}\n-----`);
}

/** A throwaway Manual-Trigger workflow that reads customers back through the node itself. */
function checkWorkflow(customerIds, credential) {
	const trigger = 'Start';
	const ids = 'Customer ids';
	return {
		id: CHECK_ID,
		name: 'e2e: read customers back',
		active: false,
		nodes: [
			{
				id: 'e2e-1',
				name: trigger,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'e2e-2',
				name: ids,
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					jsCode: `return ${JSON.stringify(customerIds)}.map((customerId) => ({ json: { customerId } }));`,
				},
			},
			{
				id: 'e2e-3',
				name: 'Get customers',
				type: 'n8n-nodes-customer-stage.advanceStage',
				typeVersion: 1,
				position: [440, -100],
				parameters: {
					resource: 'customer',
					operation: 'get',
					customerId: '={{ $json.customerId }}',
				},
			},
			{
				id: 'e2e-4',
				name: 'Get history',
				type: 'n8n-nodes-customer-stage.advanceStage',
				typeVersion: 1,
				position: [440, 100],
				parameters: {
					resource: 'customer',
					operation: 'getHistory',
					customerId: '={{ $json.customerId }}',
					journey: JOURNEY,
					limit: 100,
				},
			},
			{
				id: 'e2e-5',
				name: 'Journey in credential store',
				type: 'n8n-nodes-customer-stage.advanceStage',
				typeVersion: 1,
				position: [220, 250],
				parameters: {
					resource: 'journey',
					operation: 'createOrUpdate',
					source: 'preset',
					preset: 'marketingHub',
					ifExists: 'update',
				},
				credentials: { customerStageStoreApi: { id: credential.id, name: credential.name } },
			},
		],
		connections: {
			[trigger]: {
				main: [
					[
						{ node: ids, type: 'main', index: 0 },
						{ node: 'Journey in credential store', type: 'main', index: 0 },
					],
				],
			},
			[ids]: {
				main: [
					[
						{ node: 'Get customers', type: 'main', index: 0 },
						{ node: 'Get history', type: 'main', index: 0 },
					],
				],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

function postEvent(event) {
	return postJson(`${n8n.baseUrl}/webhook/${WEBHOOK_PATH}`, event, 30_000);
}

async function main() {
	const t0 = Date.now();
	const n8nDir = await ensureN8n(log);
	log(`n8n folder: ${n8nDir}`);
	log(`temp folder: ${tmp}${KEEP ? ' (kept: E2E_KEEP=1)' : ''}; n8n log: ${logFile}`);

	await packAndInstall({ n8nDir, userFolder, outDir: join(tmp, 'pack'), log });

	const port = await freePort();
	let brokerPort = await freePort();
	while (brokerPort === port) brokerPort = await freePort();
	n8n = new N8n({ n8nDir, userFolder, port, brokerPort, logFile });

	// ---- import -------------------------------------------------------------------------
	log(
		'importing workflows/marketing-hub-setup.json (the first n8n command also creates its database)',
	);
	await n8n.importWorkflow(join(REPO, 'workflows', 'marketing-hub-setup.json'));
	log('importing workflows/webhook-record-event.json');
	await n8n.importWorkflow(join(REPO, 'workflows', 'webhook-record-event.json'));
	check('both sample workflows import with n8n import:workflow', true);

	// ---- marketing-hub-setup via n8n execute --------------------------------------------------
	log(`n8n execute --id=${SETUP_ID} (marketing hub setup)`);
	const first = await n8n.execute(SETUP_ID);
	eq('setup run finished successfully', [first.status, runError(first) ?? null], ['success', null]);
	const journeys = nodeItems(first, 'Create marketing-hub journey') ?? [];
	eq(
		'preset saved one journey',
		journeys.map((j) => [j.key, j.action]),
		[[JOURNEY, 'created']],
	);
	eq(
		'marketing-hub stages: keys and names',
		(journeys[0]?.stages ?? []).map((s) => [s.key, s.name]),
		STAGES.map((key) => [key, NAME[key]]),
	);

	const recorded = nodeItems(first, 'Record events') ?? [];
	eq('one output item per demo event', recorded.length, 14);
	eq(
		'demo events: each item leads with customer, stage name, moved, reason',
		recorded.map((r) => Object.keys(r).slice(0, 4)),
		Array(recorded.length).fill(['customerId', 'stage', 'moved', 'reason']),
	);
	eq(
		'demo events: the stage shown is the name of the stage in keys',
		recorded.map((r) => r.stage),
		recorded.map((r) => NAME[r.keys?.stage]),
	);
	const rows = recorded.map((r) => [r.customerId, r.eventId, r.keys?.stage, r.moved, r.duplicate]);
	eq('demo events: stage, moved, duplicate per event', rows, [
		['c-001', 'evt-1001', 'initial_contact', true, false],
		['c-001', 'evt-1002', 'primary_leads', true, false],
		['c-001', 'evt-1003', 'intentional_leads', true, false],
		['c-002', 'evt-1004', 'initial_contact', true, false],
		['c-002', 'evt-1004', 'initial_contact', false, true],
		['c-003', 'evt-1005', 'closed_customers', true, false],
		['c-003', 'evt-1006', 'closed_customers', false, false],
		['c-004', 'evt-1007', 'initial_contact', true, false],
		['c-004', 'evt-1008', 'primary_leads', true, false],
		['c-004', 'evt-1009', 'primary_leads', false, false],
		['c-004', 'evt-1010', 'primary_leads', false, false],
		['c-004', 'evt-1011', 'primary_leads', false, false],
		['c-004', 'evt-1012', 'intentional_leads', true, false],
		// The form moves nothing by itself; the preset's activity rule (15 points: High) does.
		['c-004', 'evt-1013', 'confirmed_leads', true, false],
	]);
	eq(
		'directions: first stage "initial", later moves "advance"',
		recorded.filter((r) => r.moved).map((r) => r.direction),
		[
			'initial',
			'advance',
			'advance',
			'initial',
			'initial',
			'initial',
			'advance',
			'advance',
			'advance',
		],
	);
	check(
		"c-004's last event says the preset's activity rule moved her to Confirmed Leads",
		String(recorded[13]?.reason).includes(
			"then advanced from Intentional Leads to Confirmed Leads (rule 'high_activity': activity level: high = high)",
		),
		recorded[13]?.reason,
	);
	check(
		'a later event mapped to an earlier stage explains why it did not move',
		/further|already/i.test(recorded[6]?.reason ?? ''),
		recorded[6]?.reason,
	);
	const pairs = (first.data.resultData.runData['Record events']?.[0]?.data?.main?.[0] ?? []).map(
		(i) => i.pairedItem?.item,
	);
	eq(
		'every output item is paired with its input item',
		pairs,
		Array.from({ length: 14 }, (_, i) => i),
	);
	eq(
		'"Final stages" lists each demo customer once, in order, with the stage they ended in',
		(nodeItems(first, 'Final stages') ?? []).map((r) => [r.customer, r.stage, r.journey]),
		[
			['c-001', 'Intentional Leads'],
			['c-002', 'Initial Contact'],
			['c-003', 'Closed Customers'],
			['c-004', 'Confirmed Leads'],
		].map((row) => [...row, 'Marketing Hub Default']),
	);

	log(`n8n execute --id=${SETUP_ID} again (idempotent: same preset, same event ids)`);
	const second = await n8n.execute(SETUP_ID);
	eq(
		'second setup run finished successfully',
		[second.status, runError(second) ?? null],
		['success', null],
	);
	eq(
		'second run leaves the journey unchanged',
		(nodeItems(second, 'Create marketing-hub journey') ?? []).map((j) => [j.action, j.version]),
		[['unchanged', journeys[0]?.version]],
	);
	const replay = nodeItems(second, 'Record events') ?? [];
	eq(
		'replayed event ids are all duplicates and move nothing',
		replay.map((r) => [r.duplicate, r.moved]),
		Array(14).fill([true, false]),
	);
	eq(
		'replayed events report the stages the customers are in',
		replay.map((r) => [r.stage, r.keys?.stage]),
		[
			'intentional_leads',
			'intentional_leads',
			'intentional_leads',
			'initial_contact',
			'initial_contact',
			'closed_customers',
			'closed_customers',
			...Array(7).fill('confirmed_leads'),
		].map((key) => [NAME[key], key]),
	);

	// ---- Stage Reminder sample, with a fixed "As Of" --------------------------------------------
	// Fixture (trade_e2e journey, T0 = 2026-01-05T09:00Z): acme (li.wei) in Sample Order since T0,
	// bolt (wang.fang) since T0 + 5 d, cora (unassigned) a Lead since T0 never contacted, dana
	// (wang.fang) a Lead contacted at T0 + 6 d. As of T0 + 8 d: acme is 8 days in Sample Order
	// (limit 7, owner and admins), cora 8 days without contact (limit 3, owner rule, unassigned:
	// the admins). bolt (3 days) and dana (2 days since contact) are not due.
	log(
		'importing the reminder fixture and workflows/stage-reminders.json (As Of 2026-01-13T09:00Z)',
	);
	await n8n.importWorkflow(join(REPO, 'test', 'e2e', 'fixtures', 'reminder-fixture.json'));
	const reminderSample = JSON.parse(
		readFileSync(join(REPO, 'workflows', 'stage-reminders.json'), 'utf8'),
	);
	const dueNode = reminderSample.nodes.find((n) => n.name === 'Due reminders');
	dueNode.parameters.additionalFields = { now: '2026-01-13T09:00:00.000Z' };
	const reminderFile = join(tmp, 'stage-reminders.json');
	writeFileSync(reminderFile, JSON.stringify(reminderSample));
	await n8n.importWorkflow(reminderFile);
	const fixture = await n8n.execute(REMINDER_FIXTURE_ID);
	eq('reminder fixture ran', [fixture.status, runError(fixture) ?? null], ['success', null]);
	const reminders = await n8n.execute(REMINDER_SAMPLE_ID);
	eq('reminder sample ran', [reminders.status, runError(reminders) ?? null], ['success', null]);
	eq(
		'due reminders: exactly the expected ones, one item per recipient',
		(nodeItems(reminders, 'Due reminders') ?? []).map((r) => [
			r.customerId,
			r.recipient,
			r.recipientRole,
			r.reminder,
			r.occurrence,
		]),
		[
			['r-acme', 'li.wei', 'owner', 'Days in stage', 1],
			['r-acme', 'sales.lead@example.com', 'admin', 'Days in stage', 1],
			['r-cora', 'sales.lead@example.com', 'admin', 'Days without contact', 1],
		],
	);
	eq(
		'the owner message is routed to the owner branch',
		(nodeItems(reminders, 'Message to the owner') ?? []).map((m) => [m.to, m.text]),
		[['li.wei', 'Acme Ltd has been in Sample Order for 8 days (limit 7). Owner: li.wei']],
	);
	eq(
		'the admin branch gets the two admin reminders',
		(nodeItems(reminders, 'Message to the admins') ?? []).map((m) => m.to),
		['sales.lead@example.com', 'sales.lead@example.com'],
	);
	const again = await n8n.execute(REMINDER_SAMPLE_ID);
	eq('running it again sends none', (nodeItems(again, 'Due reminders') ?? []).length, 0);

	// ---- automation rules at ingest, and Evaluate 30-Day Activity --------------------------------
	// Lifecycle preset: two purchases in one execution end in Loyal Customer. RevOps preset: a
	// customer whose last event is 60 days old, evaluated as of 31 days from now (91 quiet days),
	// is moved to Churned by the preset's inactivity rule; one with a purchase today is not.
	log('importing the activity fixture and workflows/activity-daily.json');
	await n8n.importWorkflow(join(REPO, 'test', 'e2e', 'fixtures', 'activity-fixture.json'));
	await n8n.importWorkflow(join(REPO, 'workflows', 'activity-daily.json'));
	const activity = await n8n.execute(ACTIVITY_FIXTURE_ID);
	eq('activity fixture ran', [activity.status, runError(activity) ?? null], ['success', null]);
	eq(
		'two purchases in one execution: Customer, then Loyal Customer by the rule',
		(nodeItems(activity, 'Record purchases') ?? []).map((r) => [r.stage, r.moved]),
		[
			['Customer', true],
			['Loyal Customer', true],
		],
	);
	check(
		'the second purchase says which rule moved it and why',
		String((nodeItems(activity, 'Record purchases') ?? [])[1]?.reason).includes(
			"rule 'repeat_purchase': purchase.completed: 2 in lifetime > 1",
		),
	);
	eq(
		'the scheduled evaluation moves the quiet customer to Churned, not the busy one',
		(nodeItems(activity, 'Evaluate in 31 days') ?? []).map((r) => [
			r.customerId,
			r.stage,
			r.moved,
			r.moves?.[0]?.ruleId ?? null,
		]),
		[
			['a-busy', 'Customer', false, null],
			['a-quiet', 'Churned', true, 'inactive_90_days'],
		],
	);
	const daily = await n8n.execute(ACTIVITY_SAMPLE_ID);
	eq('activity sample ran', [daily.status, runError(daily) ?? null], ['success', null]);
	check(
		'the activity sample evaluated the marketing-hub customers',
		(nodeItems(daily, 'Evaluate 30-Day Activity') ?? []).length > 0,
	);

	// ---- webhook workflow in a running n8n ------------------------------------------------------
	log(`n8n publish:workflow --id=${WEBHOOK_ID} (before start: a running n8n does not see it)`);
	await n8n.publishWorkflow(WEBHOOK_ID);
	log(`n8n start on 127.0.0.1:${port}; waiting for /healthz and the production webhook`);
	const startAt = Date.now();
	await n8n.start({ webhookPath: WEBHOOK_PATH });
	log(`n8n ready after ${((Date.now() - startAt) / 1000).toFixed(1)} s`);

	const expectations = [];
	async function post(name, event, expected) {
		const response = await postEvent(event);
		const body = response.body;
		const got = { status: response.status };
		for (const key of Object.keys(expected)) if (key !== 'status') got[key] = body?.[key];
		eq(`webhook: ${name}`, got, expected);
		expectations.push({ event, response });
		return response;
	}
	log('POSTing events to the published webhook');
	await post(
		'c-010 follows on WeChat → Initial Contact',
		{ customerId: 'c-010', eventType: 'wechat.follow', eventId: 'wh-2001', channel: 'wechat' },
		{ status: 200, stage: 'Initial Contact', moved: true, duplicate: false },
	);
	await post(
		'the same event id again (a retry) → duplicate',
		{ customerId: 'c-010', eventType: 'wechat.follow', eventId: 'wh-2001', channel: 'wechat' },
		{ status: 200, stage: 'Initial Contact', moved: false, duplicate: true },
	);
	await post(
		'c-010 receives a coupon → Intentional Leads',
		{
			customerId: 'c-010',
			eventType: 'coupon.received',
			eventId: 'wh-2002',
			channel: 'app',
			properties: { coupon: 'WELCOME10' },
		},
		{
			status: 200,
			previousStage: 'Initial Contact',
			stage: 'Intentional Leads',
			moved: true,
			direction: 'advance',
		},
	);
	await post(
		'c-010 opens an email afterwards → stays (forward only)',
		{ customerId: 'c-010', eventType: 'email.opened', eventId: 'wh-2003' },
		{ status: 200, stage: 'Intentional Leads', moved: false, duplicate: false },
	);
	await post(
		'c-001 (from the CLI run) buys → Closed Customers',
		{
			customerId: 'c-001',
			eventType: 'purchase.completed',
			eventId: 'wh-2004',
			channel: 'shop',
			properties: { amount: 99 },
		},
		{ status: 200, previousStage: 'Intentional Leads', stage: 'Closed Customers', moved: true },
	);
	await post(
		'c-011 clicks an SMS link at a given time → Primary Leads',
		{
			customerId: 'c-011',
			eventType: 'sms.link_clicked',
			eventId: 'wh-2005',
			occurredAt: '2026-11-01T09:30:00Z',
		},
		{ status: 200, stage: 'Primary Leads', moved: true, occurredAt: '2026-11-01T09:30:00.000Z' },
	);
	const bad = await postEvent({ eventType: 'wechat.follow', eventId: 'wh-2006' });
	check(
		'webhook: an event without customerId is answered 422 with the reason',
		bad.status === 422 && NAMES_CUSTOMER_ID.test(JSON.stringify(bad.body)),
		bad,
	);
	const badDate = await postEvent({
		customerId: 'c-012',
		eventType: 'wechat.follow',
		eventId: 'wh-2007',
		occurredAt: 'yesterday-ish',
	});
	check(
		'webhook: an unparseable occurredAt is answered 422 and records nothing',
		badDate.status === 422 && /Occurred At/.test(JSON.stringify(badDate.body)),
		badDate,
	);

	log(
		'concurrent burst: 3 events for one customer, 12 new customers and one customer id with a NUL character, in parallel',
	);
	const burst = await Promise.all([
		postEvent({ customerId: 'c-020', eventType: 'form.submitted', eventId: 'wh-3001' }),
		postEvent({ customerId: 'c-020', eventType: 'wechat.follow', eventId: 'wh-3002' }),
		postEvent({ customerId: 'c-020', eventType: 'email.link_clicked', eventId: 'wh-3003' }),
		...Array.from({ length: 12 }, (_, i) =>
			postEvent({
				customerId: `c-1${String(i).padStart(2, '0')}`,
				eventType: 'email.opened',
				eventId: `wh-31${String(i).padStart(2, '0')}`,
			}),
		),
		// PostgreSQL cannot store NUL; the embedded store refuses it too, so a workflow moves
		// between backends unchanged.
		postEvent({ customerId: 'c-nul\u0000x', eventType: 'email.opened', eventId: 'wh-3200' }),
	]);
	const nul = burst.at(-1);
	check(
		'webhook: a customer id with a NUL character is answered 422 naming the field',
		nul.status === 422 && NAMES_CUSTOMER_ID.test(JSON.stringify(nul.body)),
		nul,
	);
	eq(
		'burst: every other request answered 200',
		burst.slice(0, -1).map((r) => r.status),
		Array(burst.length - 1).fill(200),
	);
	const c020 = burst.slice(0, 3).map((r) => r.body);
	eq(
		'burst: c-020 ends in Intentional Leads whatever the arrival order',
		Math.max(...c020.map((b) => STAGES.indexOf(b?.keys?.stage))),
		STAGES.indexOf('intentional_leads'),
	);
	const webhookMoves =
		expectations.filter((e) => e.response.body?.moved === true).length +
		burst.filter((r) => r.body?.moved === true).length;

	await n8n.stop();
	log('n8n stopped');

	// ---- n8n's own execution records: the IF branch and the notify node -----------------------------
	const executions = readExecutions(
		n8nDir,
		join(userFolder, '.n8n', 'database.sqlite'),
		WEBHOOK_ID,
	);
	const expectedRuns = expectations.length + 2 + burst.length;
	eq('every webhook call left one execution', executions.length, expectedRuns);
	// A refused event is answered 422 and its execution fails ("Fail the execution"), so n8n
	// lists it as failed; every accepted one is listed as succeeded.
	const refusedIds = ['wh-2006', 'wh-2007', 'wh-3200'];
	eq(
		'n8n lists the refused events\' executions as failed, each stopped by "Fail the execution"',
		executions
			.filter((e) => refusedIds.includes(e.eventId))
			.map((e) => [e.eventId, e.status, e.lastNode])
			.sort(),
		refusedIds.map((id) => [id, 'error', 'Fail the execution']),
	);
	eq(
		"n8n lists every accepted event's execution as succeeded",
		executions
			.filter((e) => !refusedIds.includes(e.eventId))
			.map((e) => e.status)
			.filter((status) => status !== 'success'),
		[],
	);
	eq(
		'every accepted event has one execution',
		executions.filter((e) => !refusedIds.includes(e.eventId)).length,
		expectedRuns - refusedIds.length,
	);
	const notified = executions.filter((e) => e.nodes.includes('Notify owner'));
	eq(
		'"Notify owner" ran exactly for the events that moved a customer',
		notified.length,
		webhookMoves,
	);
	const message = notified
		.map((e) => e.notifyMessage)
		.find((m) => /c-010/.test(m ?? '') && /Intentional Leads/.test(m ?? ''));
	check(
		'the notify message names the customer and the new stage',
		!!message,
		notified.map((e) => e.notifyMessage),
	);

	// ---- read back through the node (customer/get, customer/getHistory) -----------------------------
	const checkFile = join(tmp, 'check-customers.json');
	const readBack = ['c-001', 'c-002', 'c-003', 'c-010', 'c-011', 'c-020'];
	// A credential that puts the embedded store somewhere else (imported with its data in clear:
	// n8n import:credentials encrypts it).
	const customStore = join(tmp, 'custom-store', 'stages.sqlite');
	const credential = {
		id: 'csE2eStoreCred01',
		name: 'e2e: store in a custom file',
		type: 'customerStageStoreApi',
		data: { backend: 'embedded', filePath: customStore },
	};
	const credentialFile = join(tmp, 'credentials.json');
	writeFileSync(credentialFile, JSON.stringify([credential], null, 2));
	const imported = await n8n.cli(['import:credentials', `--input=${credentialFile}`]);
	check(
		'n8n import:credentials takes a Customer Stage Store credential',
		imported.code === 0,
		imported.stdout.split('\n').slice(-5).join(' | '),
	);
	writeFileSync(checkFile, JSON.stringify(checkWorkflow(readBack, credential), null, 2));
	await n8n.importWorkflow(checkFile);
	log(`n8n execute --id=${CHECK_ID} (customer/get + customer/getHistory)`);
	const back = await n8n.execute(CHECK_ID);
	eq(
		'read-back run finished successfully',
		[back.status, runError(back) ?? null],
		['success', null],
	);
	const customers = nodeItems(back, 'Get customers') ?? [];
	const membershipOf = (c) => c.journeys?.find((j) => j.keys?.journey === JOURNEY);
	eq(
		'customer/get: final stage per customer (name and key)',
		customers.map((c) => [c.customerId, membershipOf(c)?.stage, membershipOf(c)?.keys?.stage]),
		[
			['c-001', 'closed_customers'],
			['c-002', 'initial_contact'],
			['c-003', 'closed_customers'],
			['c-010', 'intentional_leads'],
			['c-011', 'primary_leads'],
			['c-020', 'intentional_leads'],
		].map(([id, key]) => [id, NAME[key], key]),
	);
	eq(
		'credential with a file path: the journey lands in that file (a new store)',
		(nodeItems(back, 'Journey in credential store') ?? []).map((j) => [j.key, j.action]),
		[[JOURNEY, 'created']],
	);
	check(
		'credential with a file path: the SQLite file is where the credential says',
		existsSync(customStore),
		customStore,
	);
	const history = nodeItems(back, 'Get history') ?? [];
	const c001 = history.filter((h) => h.customerId === 'c-001');
	eq(
		'customer/getHistory: c-001 timeline, oldest first, stage names from and to',
		c001.map((h) => [h.fromStage, h.toStage, h.keys?.toStage]),
		[
			[null, 'initial_contact'],
			['initial_contact', 'primary_leads'],
			['primary_leads', 'intentional_leads'],
			['intentional_leads', 'closed_customers'],
		].map(([from, to]) => [from && NAME[from], NAME[to], to]),
	);
	eq(
		'customer/getHistory: rows lead with when and the stages, not a row id',
		c001.map((h) => [Object.keys(h).slice(0, 4), 'id' in h]),
		Array(c001.length).fill([['customerId', 'occurredAt', 'fromStage', 'toStage'], false]),
	);

	// ---- the store itself (SQLite file in the user folder) -----------------------------------------
	const storeFile = join(userFolder, '.n8n', 'customer-stage', 'customer-stage.sqlite');
	check(
		'the embedded store lives in <user folder>/.n8n/customer-stage/',
		existsSync(storeFile),
		storeFile,
	);
	if (existsSync(storeFile)) {
		const db = new DatabaseSync(storeFile, { readOnly: true });
		const stages = Object.fromEntries(
			db
				.prepare(
					`SELECT c.external_id AS id, m.stage_key AS stage FROM memberships m
					 JOIN customers c ON c.id = m.customer_id JOIN journeys j ON j.id = m.journey_id
					 WHERE j.journey_key = ? ORDER BY c.external_id`,
				)
				.all(JOURNEY)
				.map((r) => [r.id, r.stage]),
		);
		eq(
			'store: c-001 closed, c-002 initial contact, c-003 closed',
			[stages['c-001'], stages['c-002'], stages['c-003']],
			['closed_customers', 'initial_contact', 'closed_customers'],
		);
		eq(
			'store: the 12 burst customers are in Initial Contact',
			Array.from({ length: 12 }, (_, i) => stages[`c-1${String(i).padStart(2, '0')}`]),
			Array(12).fill('initial_contact'),
		);
		check(
			'store: the rejected events created no customer',
			!('c-012' in stages) && !Object.keys(stages).some((id) => id.startsWith('c-nul')),
			Object.keys(stages),
		);
		const transitions = db
			.prepare(
				`SELECT COUNT(*) AS n FROM transitions t JOIN journeys j ON j.id = t.journey_id WHERE j.journey_key = ?`,
			)
			.get(JOURNEY).n;
		const cliMoves = recorded.filter((r) => r.moved).length;
		eq(
			'store: one history row per move (CLI + webhook)',
			Number(transitions),
			cliMoves + webhookMoves,
		);
		const duplicateKeys = db
			.prepare(
				`SELECT COUNT(*) AS n FROM (SELECT event_key FROM events WHERE event_key IS NOT NULL GROUP BY journey_id, event_key HAVING COUNT(*) > 1)`,
			)
			.get().n;
		eq('store: no event id stored twice', Number(duplicateKeys), 0);
		db.close();
	}

	await funnelReportChecks(storeFile);
	// Last: the preset samples put customers in journeys the checks above count (lifecycle and
	// RevOps customers would show up in the activity fixture's evaluation of every customer).
	await presetSampleChecks();

	finished = true;
	log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** n8n's executions of one workflow, with the nodes that ran (execution data is stored "flatted"). */
function readExecutions(n8nDir, databaseFile, workflowId) {
	const require = createRequire(join(n8nDir, 'node_modules', 'n8n', 'package.json'));
	const { parse } = require('flatted');
	const db = new DatabaseSync(databaseFile, { readOnly: true });
	try {
		return db
			.prepare(
				`SELECT e.id, e.status, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id
				 WHERE e.workflowId = ? ORDER BY e.id`,
			)
			.all(workflowId)
			.map((row) => {
				const data = parse(row.data);
				const runData = data?.resultData?.runData ?? {};
				const notify = runData['Notify owner']?.[0]?.data?.main?.[0]?.[0]?.json;
				const request = runData['Channel event']?.[0]?.data?.main?.[0]?.[0]?.json;
				return {
					id: row.id,
					status: row.status,
					eventId: request?.body?.eventId,
					nodes: Object.keys(runData),
					lastNode: data?.resultData?.lastNodeExecuted,
					notifyMessage: notify?.message,
				};
			});
	} finally {
		db.close();
	}
}

try {
	await main();
} catch (error) {
	failed++;
	failures.push(error.message.split('\n')[0]);
	console.log(`e2e: aborted: ${error.stack ?? error.message}`);
	printLogTail();
} finally {
	await n8n?.stop().catch(() => {});
}
if (failed && !finished)
	console.log('e2e: the run stopped early; checks after the failure did not run');
if (failures.length) console.log(`e2e: failures:\n  - ${failures.join('\n  - ')}`);
if (failed && KEEP) console.log(`e2e: temp folder kept: ${tmp}`);
if (N8n.crashesAtExit.length)
	console.log(
		`e2e: n8n crashed (SIGSEGV) while exiting after a finished run of ${N8n.crashesAtExit.join(', ')}; the printed results were checked (see N8n.execute in lib.mjs)`,
	);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

/**
 * The weekly Funnel Report sample, run for the last 7 days (the events above all happened now,
 * so last week would be empty): its numbers against the store file's own rows, and the chart.
 * The AI-agent sample must import cleanly (it needs a chat-model credential to run).
 */
async function funnelReportChecks(storeFile) {
	const sample = JSON.parse(
		readFileSync(join(REPO, 'workflows', 'funnel-weekly-report.json'), 'utf8'),
	);
	sample.nodes.find((n) => n.name === 'Funnel Report').parameters.period = 'last7Days';
	// n8n keeps binary data in files it removes after a CLI run: hand the PNG's bytes out as text.
	sample.nodes.push({
		id: 'e2e-png',
		name: 'PNG bytes',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [520, 500],
		parameters: {
			jsCode:
				"const png = await this.helpers.getBinaryDataBuffer(0, 'chart');\nreturn [{ json: { png: png.toString('base64') } }];",
		},
	});
	sample.connections['Funnel Report'].main[0].push({ node: 'PNG bytes', type: 'main', index: 0 });
	const file = join(tmp, 'funnel-weekly-report.json');
	writeFileSync(file, JSON.stringify(sample));
	await n8n.importWorkflow(file);
	await n8n.importWorkflow(join(REPO, 'workflows', 'funnel-agent.json'));
	check('the AI-agent funnel sample imports with n8n import:workflow', true);
	log(`n8n execute --id=${sample.id} (weekly funnel report, last 7 days)`);
	const run = await n8n.execute(sample.id);
	eq(
		'funnel report run finished successfully',
		[run.status, runError(run) ?? null],
		['success', null],
	);
	const rows = nodeItems(run, 'Funnel Report') ?? [];
	const db = new DatabaseSync(storeFile, { readOnly: true });
	const perStage = (sql, ...params) =>
		Object.fromEntries(
			db
				.prepare(sql)
				.all(JOURNEY, ...params)
				.map((r) => [r.stage, Number(r.n)])
				.sort(([a], [b]) => (a < b ? -1 : 1)),
		);
	// One webhook event above happened on 1 November: only the period's moves count.
	const moves = perStage(
		`SELECT t.to_stage AS stage, COUNT(*) AS n FROM transitions t JOIN journeys j ON j.id = t.journey_id
		 WHERE j.journey_key = ? AND t.occurred_at >= ? AND t.occurred_at < ? GROUP BY t.to_stage`,
		Date.parse(rows[0]?.from),
		Date.parse(rows[0]?.to),
	);
	const now = perStage(
		`SELECT m.stage_key AS stage, COUNT(*) AS n FROM memberships m JOIN journeys j ON j.id = m.journey_id
		 WHERE j.journey_key = ? GROUP BY m.stage_key`,
	);
	db.close();
	const sum = (field) => {
		const totals = {};
		for (const row of rows) totals[row.keys.stage] = (totals[row.keys.stage] ?? 0) + row[field];
		return Object.fromEntries(
			Object.entries(totals)
				.filter(([, n]) => n > 0)
				.sort(([a], [b]) => (a < b ? -1 : 1)),
		);
	};
	eq(
		'funnel report: transfers in per stage = the store’s moves into it',
		sum('transfersIn'),
		moves,
	);
	eq('funnel report: current per stage = the store’s memberships', sum('current'), now);
	eq(
		'funnel report: one row per employee and path stage, exits left out',
		rows.every((r) => r.stageKind === 'path' && typeof r.employee === 'string'),
		true,
	);
	const chart =
		run.data.resultData.runData['Funnel Report']?.[0]?.data?.main?.[0]?.[0]?.binary?.chart;
	eq(
		'funnel report: the chart is a PNG named after the journey',
		[chart?.mimeType, /^funnel-marketing_hub-\d{4}-\d{2}-\d{2}\.png$/.test(chart?.fileName ?? '')],
		['image/png', true],
	);
	const pngBytes = Buffer.from((nodeItems(run, 'PNG bytes') ?? [])[0]?.png ?? '', 'base64');
	const { PNG } = createRequire(join(REPO, 'package.json'))('pngjs');
	const image = PNG.sync.read(pngBytes);
	let barPixels = 0;
	for (let i = 0; i < image.data.length; i += 4) {
		if (image.data[i + 2] - image.data[i] > 40) barPixels++;
	}
	eq(
		'funnel report: the PNG decodes at 800×500 with bars drawn',
		[image.width, image.height, barPixels > 2000],
		[800, 500, true],
	);
	const [message] = nodeItems(run, 'Message with chart') ?? [];
	check(
		'the message stand-in carries the text and the chart',
		/funnel, Last 7 days/.test(message?.text ?? '') &&
			!!run.data.resultData.runData['Message with chart']?.[0]?.data?.main?.[0]?.[0]?.binary?.chart,
		message,
	);
}

/**
 * One sample per preset besides the marketing hub's (checked above): imported together, each run
 * with `n8n execute` as shipped (no set-up), each one's "Final stages" checked row by row, and the
 * behaviour the preset is there for — the repeat-purchase rule, the shared pool and its ratings,
 * lead status both ways, reminders across two journeys.
 */
async function presetSampleChecks() {
	const samples = [
		['lifecycle-crm.json', 'csLifecycleCrm01'],
		['b2b-trade.json', 'csB2bTradeDemo01'],
		['revops-lifecycle.json', 'csRevopsStatus01'],
		['wecom-journeys.json', 'csWecomJourney01'],
	];
	// One import for the four (an array file): each import command costs n8n's start-up.
	const file = join(tmp, 'preset-samples.json');
	writeFileSync(
		file,
		JSON.stringify(
			samples.map(([name]) => JSON.parse(readFileSync(join(REPO, 'workflows', name), 'utf8'))),
		),
	);
	log(`importing ${samples.map(([name]) => name).join(', ')}`);
	const imported = await n8n.cli(['import:workflow', `--input=${file}`]);
	check(
		'the four preset samples import with n8n import:workflow',
		imported.code === 0 && /Successfully imported 4 workflows/.test(imported.stdout),
		imported.stdout.split('\n').slice(-5).join(' | '),
	);
	const runs = {};
	for (const [name, id] of samples) {
		log(`n8n execute --id=${id} (${name})`);
		runs[name] = await n8n.execute(id);
		eq(
			`${name}: runs with no set-up`,
			[runs[name].status, runError(runs[name]) ?? null],
			['success', null],
		);
	}

	// ---- lifecycle with CRM sync ----
	const lifecycle = runs['lifecycle-crm.json'];
	eq(
		'lifecycle: CRM hand-offs move the stage; the second purchase makes lc-anna a Loyal Customer',
		(nodeItems(lifecycle, 'Record events') ?? []).map((r) => [r.customerId, r.stage, r.moved]),
		[
			['lc-anna', 'Lead', true],
			['lc-anna', 'MQL', true],
			['lc-anna', 'SQL', true],
			['lc-anna', 'Customer', true],
			['lc-anna', 'Loyal Customer', true],
			['lc-ben', 'Lead', true],
			['lc-ben', 'MQL', true],
			['lc-cara', 'Lead', true],
			['lc-cara', 'Unsubscribed', true],
		],
	);
	check(
		'lifecycle: Loyal Customer comes from the preset rule, in the same execution',
		String((nodeItems(lifecycle, 'Record events') ?? [])[4]?.reason).includes(
			"rule 'repeat_purchase': purchase.completed: 2 in lifetime > 1",
		),
	);
	eq(
		'lifecycle: final stages, ready for the CRM',
		(nodeItems(lifecycle, 'Final stages') ?? []).map((r) => [r.customer, r.lifecycleStage]),
		[
			['lc-anna', 'Loyal Customer'],
			['lc-ben', 'MQL'],
			['lc-cara', 'Unsubscribed'],
		],
	);

	// ---- B2B trade: shared pool, ratings, assignment ----
	const trade = runs['b2b-trade.json'];
	eq(
		'B2B: the trade-show leads land in the shared pool at Unmarked',
		(nodeItems(trade, 'Import into the shared pool') ?? []).map((r) => [r.customerId, r.stage]),
		['b2b-acme', 'b2b-baltic', 'b2b-cedar', 'b2b-delta', 'b2b-ember'].map((id) => [id, 'Unmarked']),
	);
	eq(
		'B2B: ratings of 1–3 stars are set',
		(nodeItems(trade, 'Rate intent (1–3 stars)') ?? []).map((r) => [r.customerId, r.rating]),
		[
			['b2b-acme', 3],
			['b2b-baltic', 2],
			['b2b-cedar', 1],
			['b2b-delta', 3],
			['b2b-ember', 2],
		],
	);
	eq(
		'B2B: the pool rated 2 stars or more is dealt out round robin, in customer-id order',
		(nodeItems(trade, 'Assign from the pool') ?? []).map((r) => [
			r.customerId,
			r.owner,
			r.previousOwner,
			r.ownerLoad,
		]),
		[
			['b2b-acme', 'anna.chen', null, 2],
			['b2b-baltic', 'ben.zhou', null, 2],
			['b2b-delta', 'anna.chen', null, 2],
			['b2b-ember', 'ben.zhou', null, 2],
		],
	);
	const tradeFinal = [
		['Acme Trading GmbH', 'Repeat', 'anna.chen', 3],
		['Baltic Imports OÜ', 'Not Closed', 'ben.zhou', 2],
		['Cedar Supply Co.', 'Inquiry', '(shared pool)', 1],
		['Delta Hardware Ltd', 'Sample Order', 'anna.chen', 3],
		['Ember Tools SA', 'Unmarked', 'ben.zhou', 2],
	];
	const tradeRows = (run) =>
		(nodeItems(run, 'Final stages') ?? []).map((r) => [r.customer, r.stage, r.owner, r.rating]);
	eq('B2B: final stage, owner and rating per buyer', tradeRows(trade), tradeFinal);
	log('n8n execute --id=csB2bTradeDemo01 again (nothing new: no event twice, nobody reassigned)');
	const tradeAgain = await n8n.execute('csB2bTradeDemo01');
	eq(
		'B2B again: the pool holds only the 1-star buyer, so nobody is assigned',
		(nodeItems(tradeAgain, 'Assign from the pool') ?? []).map((r) => r.customerId ?? null),
		[null],
	);
	eq('B2B again: the same final stages, owners and ratings', tradeRows(tradeAgain), tradeFinal);

	// ---- RevOps: stage → status and status → stage ----
	const revops = runs['revops-lifecycle.json'];
	const lastPerCustomer = (items) =>
		Object.fromEntries((items ?? []).map((r) => [r.customerId, [r.stage, r.status]]));
	eq(
		'RevOps stage → status: each stage the events reach carries its lead status',
		lastPerCustomer(nodeItems(revops, 'Record events')),
		{
			'ro-ada': ['MQL', 'Contacted'],
			'ro-ben': ['Churned', 'Inactive Customer'],
			'ro-cy': ['Prospect', 'Open'],
			'ro-dee': ['Prospect', 'Open'],
		},
	);
	eq(
		'RevOps status → stage: the status sales set moves the stage (by hand, reason names it)',
		(nodeItems(revops, 'Set lead status') ?? []).map((r) => [
			r.customerId,
			r.previousStage,
			r.stage,
			r.status,
			r.direction,
			r.reason,
		]),
		[
			[
				'ro-ada',
				'MQL',
				'SQL',
				'Meeting Set',
				'advance',
				'lead status set to Meeting Set: moved manually from MQL to SQL by li.wei',
			],
			[
				'ro-cy',
				'Prospect',
				'Disqualified',
				'Unqualified',
				'exit',
				'lead status set to Unqualified: moved manually from Prospect to Disqualified by li.wei',
			],
			[
				'ro-dee',
				'Prospect',
				'Opportunity',
				'Qualified',
				'advance',
				'lead status set to Qualified: moved manually from Prospect to Opportunity by wang.fang',
			],
		],
	);
	eq(
		'RevOps: final stage and lead status per customer, in step',
		(nodeItems(revops, 'Final stages') ?? []).map((r) => [r.customer, r.stage, r.leadStatus]),
		[
			['ro-ada', 'SQL', 'Meeting Set'],
			['ro-ben', 'Churned', 'Inactive Customer'],
			['ro-cy', 'Disqualified', 'Unqualified'],
			['ro-dee', 'Opportunity', 'Qualified'],
		],
	);

	// ---- WeCom: two journeys side by side, reminders at a fixed time ----
	const wecom = runs['wecom-journeys.json'];
	eq(
		'WeCom: the preset saves two journeys',
		(nodeItems(wecom, 'Create WeCom journeys') ?? []).map((j) => j.key),
		['wecom_retail', 'wecom_consultative'],
	);
	eq(
		'WeCom: reminders due on 10 March, per customer, rule and recipient',
		(nodeItems(wecom, 'Reminders due on 10 March (preview)') ?? []).map((r) => [
			r.customerId,
			r.journey,
			r.stage,
			r.ruleId,
			r.recipient,
			r.occurrence,
			r.escalated,
		]),
		[
			['wc-jun', 'Retail Repeat Purchase', 'New Friend', 'greet_new_friend', 'zhao.lei', 1, false],
			['wc-hao', 'Consultative Sale', 'Quoted', 'quote_follow_up', 'zhao.lei', 3, true],
			[
				'wc-hao',
				'Consultative Sale',
				'Quoted',
				'quote_follow_up',
				'store.manager@example.com',
				3,
				true,
			],
			['wc-hao', 'Consultative Sale', 'Quoted', 'quote_stalled', 'zhao.lei', 1, false],
			[
				'wc-hao',
				'Consultative Sale',
				'Quoted',
				'quote_stalled',
				'store.manager@example.com',
				1,
				false,
			],
			['wc-mei', 'Consultative Sale', 'New Lead', 'first_call', 'lin.na', 1, false],
		],
	);
	check(
		'WeCom: days without contact count from the last contact (28 Feb), not the quote (23 Feb)',
		/not been contacted for 9 days in Quoted/.test(
			(nodeItems(wecom, 'Reminders due on 10 March (preview)') ?? [])[1]?.message ?? '',
		),
	);
	eq(
		'WeCom: final stages — Mei in both journeys',
		(nodeItems(wecom, 'Final stages') ?? []).map((r) => [r.customer, r.journey, r.stage, r.owner]),
		[
			['Mei', 'Retail Repeat Purchase', 'Repeat Buyer', 'lin.na'],
			['Mei', 'Consultative Sale', 'New Lead', 'lin.na'],
			['Jun', 'Retail Repeat Purchase', 'New Friend', 'zhao.lei'],
			['Hao', 'Consultative Sale', 'Quoted', 'zhao.lei'],
			['Lan', 'Retail Repeat Purchase', 'Lost', 'lin.na'],
		],
	);
}
