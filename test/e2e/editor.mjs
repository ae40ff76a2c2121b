// Browser check of the real n8n editor, the way a marketer meets this package: the packed package
// installed in a fresh n8n 2.41.1, the sample workflows imported, the owner account set up over
// REST, then Chromium (playwright-core, the system's chromium) searches the node panel, opens every
// sample, opens the package's nodes and runs the setup sample from the "Execute workflow" button.
// Screenshots go to .tmp/screenshots/. Run by scripts/e2e.sh (npm run test:e2e, or
// `bash scripts/e2e.sh --editor-only`) under the n8n folder's Node 24.
// Env: CHROMIUM_PATH (default /usr/bin/chromium), E2E_KEEP=1 keeps the temp folder,
// E2E_UPDATE_DOCS=1 also writes docs/editor-node-panel.png and docs/editor-output.png.
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { N8n, PACKAGE_NAME, REPO, ensureN8n, freePort, makeLog, packAndInstall } from './lib.mjs';

// ---- what a person should find ------------------------------------------------------------------
// One row per node of the package (by display name). Rows for nodes the packed package does not
// have yet are skipped, so a new node only needs its row here. `top` says how high a node must
// rank for a search (e.g. { stage: 3 }: among the first 3 results for "stage").
const ALIASES = ['customer', 'journey', 'lifecycle', 'funnel', 'stage', 'lead', 'CRM', 'pipeline'];
const NODES = [
	{
		name: 'Advance Stage',
		search: ALIASES,
		// Behind the package's own Stage Trigger and Stage Reminder, and n8n's Form (whose codex lists
		// "stage" too): among the first 4.
		top: { stage: 4 },
		// Actions the node panel lists, and the fields the form shows once one is chosen.
		actions: [
			{
				action: /^Record an event$/,
				form: ['Journey', 'Customer ID', 'Event Type Name or ID', 'Additional Fields'],
			},
			{
				action: /^Set a customer's stage$/,
				form: ['Journey', 'Customer ID', 'Stage', 'Additional Fields'],
			},
			{ action: /^Get a customer$/, form: ['Customer ID'] },
			{ action: /^Create or update a journey$/, form: ['Source', 'Preset', 'If It Exists'] },
		],
	},
	{ name: 'Stage Trigger', search: ALIASES, top: {} },
	{ name: 'Evaluate 30-Day Activity', search: ALIASES, top: {} },
	{ name: 'Stage Reminder', search: [...ALIASES, 'reminder', 'follow-up'], top: { reminder: 3 } },
	{ name: 'Funnel Report', search: ALIASES, top: { funnel: 3 } },
];

// Field labels the parameter panel must show, per node type and resource/operation (labels as
// n8n prints them; the Credential slot and Resource/Operation come first on every operation).
const FORMS = {
	[`${PACKAGE_NAME}.advanceStage`]: {
		'event/record': [
			'Credential',
			'Resource',
			'Operation',
			'Journey',
			'Customer ID',
			'Event Type Name or ID',
			'Additional Fields',
		],
		'journey/createOrUpdate': [
			'Credential',
			'Resource',
			'Operation',
			'Source',
			'Preset',
			'If It Exists',
		],
	},
	// A node without resource and operation: its one form, as the weekly report sample shows it.
	[`${PACKAGE_NAME}.funnelReport`]: {
		'undefined/undefined': [
			'Credential',
			'Journey',
			'Period',
			'Output',
			'Scope',
			'Additional Fields',
		],
	},
};

// Nodes a sample cannot ship ready: they need the user's own account (a chat model), so n8n marks
// them until a credential is chosen. Everything else in that sample must open clean.
const NEEDS_OWN_CREDENTIAL = { 'funnel-agent.json': ['OpenAI Chat Model'] };

// The setup sample, run from the editor: the node whose output must show stage names.
const SETUP_FILE = 'marketing-hub-setup.json';
const OUTPUT_NODE = 'Record events';
const OUTPUT_TEXTS = ['Initial Contact', 'Primary Leads', 'Intentional Leads', 'Closed Customers'];

// ---- harness -------------------------------------------------------------------------------------
const log = makeLog('editor');
const KEEP = process.env.E2E_KEEP === '1';
const UPDATE_DOCS = process.env.E2E_UPDATE_DOCS === '1';
const BUDGET_MS = Number(process.env.E2E_BUDGET_MS || 8 * 60_000);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = join(REPO, '.tmp', 'screenshots');
const DOCS_MAX_BYTES = 150 * 1024;
const OWNER = {
	email: 'owner@example.com',
	firstName: 'Editor',
	lastName: 'Check',
	password: 'Editor-check-2026',
};

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

const tmp = mkdtempSync(join(tmpdir(), 'cs-editor-'));
const userFolder = join(tmp, 'user');
const logFile = join(tmp, 'n8n.log');
mkdirSync(userFolder, { recursive: true });
mkdirSync(SHOTS, { recursive: true });
let n8n;
let context;
let finished = false;

function summary(extraFailed = 0) {
	console.log(`editor: ${passed} passed, ${failed + extraFailed} failed`);
}
function cleanup() {
	n8n?.killNow();
	// playwright-core kills the browser it launched when this process exits.
	if (!KEEP) rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(signal, () => {
		console.log(`editor: interrupted (${signal})`);
		summary(1);
		process.exit(130);
	});
}
const budget = setTimeout(() => {
	console.log(`editor: time budget of ${BUDGET_MS / 1000} s exceeded`);
	printLogTail();
	summary(1);
	process.exit(1);
}, BUDGET_MS);
budget.unref();

function printLogTail(lines = 40) {
	if (!existsSync(logFile)) return;
	const text = readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
	console.log(`----- last ${lines} lines of ${logFile} -----\n${text}\n-----`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const byId = (id) => `[data-test-id="${id}"]`;
const canvasNode = (name) =>
	`${byId('canvas-node')}[data-node-name="${name.replace(/"/g, '\\"')}"]`;

/** Resolves with the promise's value, or rejects after `ms` with a message naming `what`. */
function within(ms, what, promise) {
	let timer;
	return Promise.race([
		promise.finally(() => clearTimeout(timer)),
		new Promise((_, reject) => {
			timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s`)), ms);
		}),
	]);
}

/** n8n answers /healthz before its REST routes are mounted; waits for /rest/settings. */
async function waitForRest(baseUrl, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		try {
			const response = await fetch(`${baseUrl}/rest/settings`, {
				signal: AbortSignal.timeout(5000),
			});
			if (response.ok && /json/.test(response.headers.get('content-type') ?? '')) return;
		} catch {}
		await sleep(500);
	}
	throw new Error(`n8n's REST API did not answer on ${baseUrl} within ${timeoutMs / 1000} s`);
}

async function screenshot(page, name, locator) {
	const file = join(SHOTS, `${name}.png`);
	try {
		await (locator ?? page).screenshot({ path: file, timeout: 10_000 });
		log(`screenshot ${file}`);
		return file;
	} catch (error) {
		log(`screenshot ${name} failed: ${error.message.split('\n')[0]}`);
		return undefined;
	}
}

/** Closes pop-ups n8n may show over the canvas (survey, "what's new", banners). */
async function dismissPopups(page) {
	for (const id of ['nps-survey-modal', 'version-updates-panel', 'whats-new-modal']) {
		const popup = page.locator(byId(id));
		if (await popup.isVisible().catch(() => false)) {
			log(`closing the "${id}" pop-up`);
			const close = popup.locator('button[aria-label="Close"], .el-dialog__headerbtn').first();
			if (await close.isVisible().catch(() => false)) await close.click().catch(() => {});
			else await page.keyboard.press('Escape');
		}
	}
}

async function openWorkflow(page, baseUrl, workflow) {
	await page.goto(`${baseUrl}/workflow/${workflow.id}`, { waitUntil: 'domcontentloaded' });
	const expected = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
	await page.waitForFunction(
		([selector, count]) => document.querySelectorAll(selector).length >= count,
		[byId('canvas-node'), expected],
		{ timeout: 30_000 },
	);
	await page.waitForTimeout(800); // issue markers and subtitles settle after the first render
	await dismissPopups(page);
}

/** Texts of the visible field labels in the open node details view (in order). */
async function fieldLabels(page) {
	const labels = await page
		.locator(`${byId('ndv')} ${byId('node-parameters')} label.n8n-input-label`)
		.evaluateAll((items) =>
			items
				.filter((item) => item.getClientRects().length)
				.map((item) => (item.querySelector('.n8n-text') ?? item).textContent.trim()),
		);
	return labels.filter(Boolean);
}

/** Fields of the open node that show an issue, with the text n8n shows when hovering the icon. */
async function parameterIssues(page) {
	const found = [];
	for (const icon of await page.locator(`${byId('ndv')} ${byId('parameter-issues')}`).all()) {
		if (!(await icon.isVisible().catch(() => false))) continue;
		const label = await icon.evaluate((el) => {
			const item = el.closest('.parameter-item, [data-test-id="parameter-item"]');
			const text = item?.querySelector('label.n8n-input-label .n8n-text');
			return (text?.textContent ?? '').trim() || '(unlabelled field)';
		});
		let text = '';
		try {
			await icon.hover({ timeout: 3000 });
			const tooltip = page.locator('.n8n-tooltip:visible', { hasText: 'Issues' }).last();
			await tooltip.waitFor({ state: 'visible', timeout: 3000 });
			text = ((await tooltip.textContent()) ?? '')
				.replace(/\s+/g, ' ')
				.replace(/^Issues:\s*/, '')
				.trim();
		} catch {}
		found.push(text ? `${label}: "${text}"` : label);
	}
	if (found.length) await page.mouse.move(5, 5);
	return [...new Set(found)];
}

async function openNode(page, name) {
	await page.locator(canvasNode(name)).dblclick();
	await page.locator(byId('ndv')).waitFor({ state: 'visible', timeout: 15_000 });
	await page.locator(`${byId('ndv')} ${byId('node-parameters')}`).waitFor({ timeout: 15_000 });
	// options load from the store (loadOptions) a moment after the form appears
	await page.waitForTimeout(1500);
}

async function closeNode(page) {
	const close = page.locator(byId('ndv-close-button'));
	if (await close.isVisible().catch(() => false)) await close.click();
	else await page.keyboard.press('Escape');
	await page.locator(byId('ndv')).waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Types a query into the node panel and returns the result names in order once they settle. */
async function searchNodePanel(page, query) {
	const input = page.locator(byId('node-creator-search-bar'));
	await input.fill('');
	await input.fill(query);
	let previous = '';
	let names = [];
	const deadline = Date.now() + 8000;
	while (Date.now() < deadline) {
		await page.waitForTimeout(350);
		const none = await page
			.locator(`${byId('node-creator')} ${byId('node-creator-no-results')}`)
			.isVisible()
			.catch(() => false);
		names = await page
			.locator(`${byId('node-creator')} ${byId('node-creator-item-name')}`)
			.allTextContents();
		names = names.map((n) => n.trim());
		const key = none ? '<none>' : names.join('|');
		if (key === previous && (none || names.length)) return none ? [] : names;
		previous = key;
	}
	return names;
}

async function openNodePanel(page) {
	const panel = page.locator(byId('node-creator'));
	if (await panel.isVisible().catch(() => false)) return;
	await page.locator(byId('node-creator-plus-button')).click();
	try {
		await panel.waitFor({ state: 'visible', timeout: 5000 });
	} catch {
		// the keyboard way: Tab on the canvas opens the node panel too
		await page.locator(byId('canvas-wrapper')).click({ position: { x: 30, y: 30 }, force: true });
		await page.keyboard.press('Tab');
		await panel.waitFor({ state: 'visible', timeout: 10_000 });
	}
	await page.locator(byId('node-creator-search-bar')).waitFor({ timeout: 10_000 });
}

/** Opens a node's page in the node panel (search, then click it); returns its action names. */
async function nodeActions(page, nodeName) {
	await searchNodePanel(page, nodeName);
	await page
		.locator(`${byId('node-creator')} ${byId('node-creator-item-name')}`, {
			hasText: new RegExp(`^\\s*${nodeName}\\s*$`),
		})
		.first()
		.click();
	await page
		.locator(`${byId('node-creator')} ${byId('node-creator-category-item')}`, {
			hasText: 'Actions',
		})
		.first()
		.waitFor({ timeout: 10_000 });
	await page.waitForTimeout(400);
	const names = await page
		.locator(`${byId('node-creator')} ${byId('node-creator-item-name')}`)
		.allTextContents();
	return names.map((n) => n.trim());
}

function copyToDocs(file, name) {
	if (!file || !UPDATE_DOCS) return;
	const size = statSync(file).size;
	if (size > DOCS_MAX_BYTES) {
		log(`not copying ${file} to docs/: ${Math.round(size / 1024)} KB is over 150 KB`);
		return;
	}
	mkdirSync(join(REPO, 'docs'), { recursive: true });
	copyFileSync(file, join(REPO, 'docs', name));
	log(`copied to docs/${name} (${Math.round(size / 1024)} KB)`);
}

async function main() {
	const t0 = Date.now();
	const n8nDir = await ensureN8n(log);
	await packAndInstall({ n8nDir, userFolder, outDir: join(tmp, 'pack'), log });
	const installed = join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	const packedNodeFiles = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).n8n
		.nodes;

	const port = await freePort();
	n8n = new N8n({ n8nDir, userFolder, port, brokerPort: await freePort(), logFile });
	const workflows = readdirSync(join(REPO, 'workflows'))
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => ({ file, ...JSON.parse(readFileSync(join(REPO, 'workflows', file), 'utf8')) }));
	for (const workflow of workflows)
		await n8n.importWorkflow(join(REPO, 'workflows', workflow.file));
	log(`imported ${workflows.map((w) => w.file).join(', ')}`);
	log(`starting n8n on ${n8n.baseUrl}`);
	await n8n.start();
	await waitForRest(n8n.baseUrl);

	// A fresh n8n opens on an owner-setup screen: set the owner up over REST, as that screen does.
	const setup = await fetch(`${n8n.baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
		signal: AbortSignal.timeout(15_000),
	});
	check('owner account set up (POST /rest/owner/setup)', setup.ok, `HTTP ${setup.status}`);

	log(`launching ${CHROMIUM}`);
	context = await chromium.launchPersistentContext(join(tmp, 'chromium-profile'), {
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-dev-shm-usage',
		],
		viewport: { width: 1440, height: 900 },
		timeout: 60_000,
	});
	context.setDefaultTimeout(15_000);
	context.setDefaultNavigationTimeout(30_000);
	// The browser's cookie jar: the login below leaves n8n's auth cookie in it.
	const login = await context.request.post(`${n8n.baseUrl}/rest/login`, {
		data: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
		timeout: 15_000,
	});
	check('owner logs in (POST /rest/login)', login.ok(), `HTTP ${login.status()}`);

	// The credential dialog's Test, as the dialog calls it (an unsaved credential has id ''): the
	// answer is our own text. n8n shows a failure's text in the dialog as it is; on success its
	// dialog shows only "Connection tested successfully", so the text is checked here.
	const testCredential = async (data) => {
		const response = await context.request.post(`${n8n.baseUrl}/rest/credentials/test`, {
			data: { credentials: { id: '', name: 'Store', type: 'customerStageStoreApi', data } },
			timeout: 30_000,
		});
		return response.ok() ? (await response.json()).data : `HTTP ${response.status()}`;
	};
	const testedFile = join(tmp, 'credential-test', 'store.sqlite');
	const tested = await testCredential({ backend: 'embedded', filePath: testedFile });
	check(
		'credential Test: names the backend, the file and the schema version',
		tested?.status === 'OK' &&
			tested.message.startsWith(`Embedded store at ${testedFile}; SQLite `) &&
			/; schema version \d+$/.test(tested.message),
		tested,
	);
	const unreachable = await testCredential({
		backend: 'postgres',
		host: '127.0.0.1',
		port: 1,
		database: 'x',
		user: 'x',
		password: '',
		ssl: 'disable',
		schema: 'customer_stage',
		maxConnections: 1,
	});
	check(
		'credential Test: an unreachable PostgreSQL says where, and what to check',
		unreachable?.status === 'Error' &&
			/^Cannot reach the PostgreSQL server at 127\.0\.0\.1:1: connection refused\. Check the credential's Host and Port/.test(
				unreachable.message,
			),
		unreachable,
	);
	// Node types n8n loaded from the package, as the editor gets them (n8n adds a "… Tool"
	// variant of every node that is usable as a tool; those are not counted).
	const typesResponse = await context.request.get(`${n8n.baseUrl}/types/nodes.json`, {
		timeout: 30_000,
	});
	const types = typesResponse.ok() ? await typesResponse.json() : [];
	const ours = types.filter(
		(t) =>
			t.name.startsWith(`${PACKAGE_NAME}.`) &&
			!(t.name.endsWith('Tool') && types.some((u) => `${u.name}Tool` === t.name)),
	);
	const loadedNames = [...new Set(ours.map((t) => t.displayName))];
	check(
		`n8n loaded every node of the packed package (${packedNodeFiles.length})`,
		loadedNames.length === packedNodeFiles.length,
		{ packageJson: packedNodeFiles, loaded: loadedNames },
	);
	const nodeRows = NODES.filter((row) => loadedNames.includes(row.name));
	log(`nodes checked in the node panel: ${nodeRows.map((r) => r.name).join(', ')}`);
	const page = context.pages()[0] ?? (await context.newPage());
	const consoleErrors = [];
	page.on('pageerror', (error) => consoleErrors.push(error.message));
	// Leaving a workflow with unsaved changes asks "leave the page?": yes.
	page.on('dialog', (dialog) => dialog.accept().catch(() => {}));

	// ---- every sample opens clean; the package's nodes show their forms -------------------------
	// Before anything runs: a person opens the samples in a fresh n8n with an empty store.
	let formShot = false;
	for (const workflow of workflows) {
		const tag = workflow.file.replace(/\.json$/, '');
		log(`opening ${workflow.file}`);
		await openWorkflow(page, n8n.baseUrl, workflow);
		await screenshot(page, `canvas-${tag}`);
		const marked = await page
			.locator(
				`${byId('canvas-node')}:has(${byId('node-issues')}), ${byId('canvas-node')}:has(${byId('node-setup-required')})`,
			)
			.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node-name')))
			.then((names) => names.filter((n) => !NEEDS_OWN_CREDENTIAL[workflow.file]?.includes(n)));
		check(`${workflow.file}: no node marked with issues on the canvas`, marked.length === 0, {
			marked,
		});

		const ourNodes = workflow.nodes.filter((n) => n.type.startsWith(`${PACKAGE_NAME}.`));
		for (const node of ourNodes) {
			const { resource, operation } = node.parameters;
			if (resource && operation) {
				// n8n's usual `operation: resource` subtitle prints parameter values ("record: event").
				const subtitle = (
					(await page
						.locator(`${canvasNode(node.name)} [class*="subtitle"]`)
						.first()
						.textContent({ timeout: 3000 })
						.catch(() => '')) ?? ''
				).trim();
				const raw = `${operation}: ${resource}`;
				check(
					`${workflow.file}: "${node.name}" subtitle reads as words, not the raw "${raw}"`,
					subtitle !== '' && subtitle !== raw,
					`canvas subtitle is "${subtitle}"`,
				);
			}

			await openNode(page, node.name);
			const key = `${node.parameters.resource}/${node.parameters.operation}`;
			const expected = FORMS[node.type]?.[key];
			const labels = await fieldLabels(page);
			if (expected) {
				const missing = expected.filter((label) => !labels.includes(label));
				check(`${workflow.file}: "${node.name}" (${key}) form shows its fields`, !missing.length, {
					missing,
					shown: labels,
				});
			} else {
				check(`${workflow.file}: "${node.name}" (${key}) form shows fields`, labels.length > 0, {
					shown: labels,
				});
			}
			const issues = await parameterIssues(page);
			check(
				`${workflow.file}: "${node.name}" shows no parameter issue before a first run`,
				issues.length === 0,
				issues.join('; '),
			);
			if (!formShot || issues.length) {
				await screenshot(
					page,
					`form-${tag}-${node.name.replace(/\W+/g, '-')}`,
					page.locator(byId('ndv')),
				);
				formShot = true;
			}
			await closeNode(page);
		}
	}

	// ---- the node panel ------------------------------------------------------------------------
	// In a throwaway workflow (n8n saves edits on its own; the samples must stay as they are),
	// made over REST with only a Manual Trigger so the panel offers regular nodes.
	const scratch = await context.request.post(`${n8n.baseUrl}/rest/workflows`, {
		data: {
			name: 'editor check: node panel',
			active: false,
			nodes: [
				{
					id: 'editor-check-trigger',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		},
		timeout: 15_000,
	});
	if (!scratch.ok()) throw new Error(`POST /rest/workflows answered ${scratch.status()}`);
	const scratchWorkflow = { id: (await scratch.json()).data.id, nodes: [{ type: 'trigger' }] };
	await openWorkflow(page, n8n.baseUrl, scratchWorkflow);
	await openNodePanel(page);
	let panelShot;
	for (const alias of ALIASES) {
		const results = await searchNodePanel(page, alias);
		log(`search "${alias}": ${results.slice(0, 6).join(', ') || '(no results)'}`);
		for (const row of nodeRows.filter((r) => r.search.includes(alias))) {
			const rank = results.indexOf(row.name) + 1;
			const top = row.top?.[alias];
			const where = top ? `among the first ${top}` : 'in the results';
			check(
				`node panel: "${alias}" finds ${row.name} ${where}`,
				rank > 0 && (!top || rank <= top),
				rank
					? `rank ${rank}; first results: ${results.slice(0, 5).join(', ')}`
					: `not found; results: ${results.slice(0, 5).join(', ') || '(no results)'}`,
			);
		}
		if (alias === 'stage') {
			await screenshot(page, 'node-panel-search-stage');
			panelShot = await screenshot(
				page,
				'node-panel-search-stage-small',
				page.locator(byId('node-creator')),
			);
		}
	}
	// Choosing the node in the panel lists its actions; choosing an action adds the node and
	// opens its form.
	for (const row of nodeRows.filter((r) => r.actions?.length)) {
		for (const [index, { action, form }] of row.actions.entries()) {
			await openNodePanel(page);
			const actions = await nodeActions(page, row.name);
			if (index === 0) {
				check(
					`node panel: ${row.name} lists its actions`,
					row.actions.every((a) => actions.some((t) => a.action.test(t))),
					{ expected: row.actions.map((a) => String(a.action)), shown: actions },
				);
				const odd = actions.filter((t) => /\w s\b/.test(t));
				check(`node panel: ${row.name} action names read as plain English`, !odd.length, {
					odd,
				});
				await screenshot(page, `node-panel-actions-${row.name.replace(/\W+/g, '-')}`);
			}
			const name = actions.find((t) => action.test(t));
			if (!name) continue; // reported by the check above
			await page
				.locator(`${byId('node-creator')} ${byId('node-creator-item-name')}`, { hasText: name })
				.first()
				.click();
			await page.locator(byId('ndv')).waitFor({ state: 'visible', timeout: 15_000 });
			await page.locator(`${byId('ndv')} ${byId('node-parameters')}`).waitFor();
			await page.waitForTimeout(1000);
			const labels = await fieldLabels(page);
			const missing = form.filter((label) => !labels.includes(label));
			check(`node panel: "${name}" adds ${row.name} with its form`, !missing.length, {
				missing,
				shown: labels,
			});
			await closeNode(page);
		}
	}
	await page.keyboard.press('Escape');

	// ---- the setup sample runs from the editor -----------------------------------------------------
	const setupWorkflow = workflows.find((w) => w.file === SETUP_FILE);
	log(`running ${SETUP_FILE} from the "Execute workflow" button`);
	await openWorkflow(page, n8n.baseUrl, setupWorkflow);
	await page.locator(byId('execute-workflow-button')).click();
	const outcome = await within(
		90_000,
		'the editor run',
		Promise.race([
			page
				.locator(`${canvasNode(OUTPUT_NODE)} ${byId('canvas-node-status-success')}`)
				.waitFor({ timeout: 90_000 })
				.then(() => 'success'),
			page
				.locator(
					setupWorkflow.nodes.map((n) => `${canvasNode(n.name)} ${byId('node-issues')}`).join(', '),
				)
				.first()
				.waitFor({ timeout: 90_000 })
				.then(() => 'error: a node shows an error marker'),
		]),
	).catch((error) => error.message);
	check(
		`${SETUP_FILE}: "Execute workflow" runs to "${OUTPUT_NODE}" with success`,
		outcome === 'success',
		outcome,
	);
	await screenshot(page, 'canvas-after-run');
	await openNode(page, OUTPUT_NODE);
	const output = page.locator(`${byId('ndv')} ${byId('output-panel')}`);
	await output.waitFor({ timeout: 15_000 });
	await page.waitForTimeout(500);
	const outputText = (await output.textContent()) ?? '';
	const missingTexts = OUTPUT_TEXTS.filter((t) => !outputText.includes(t));
	check(`${SETUP_FILE}: "${OUTPUT_NODE}" output panel shows stage names`, !missingTexts.length, {
		missing: missingTexts,
		start: outputText.slice(0, 200),
	});
	const afterRun = await parameterIssues(page);
	check(
		`${SETUP_FILE}: "${OUTPUT_NODE}" shows no parameter issue after the run`,
		!afterRun.length,
		afterRun.join('; '),
	);
	// For people: the default table view shows who, which stage, whether it moved and why in
	// its first columns, without scrolling sideways.
	await page
		.locator('.el-notification .el-notification__closeBtn')
		.evaluateAll((buttons) => buttons.forEach((b) => b.click()));
	await output
		.locator(byId('radio-button-table'))
		.click({ timeout: 5000 })
		.catch(() => {});
	await page.waitForTimeout(800);
	const columns = (await output.locator('table thead th').allTextContents()).map((t) => t.trim());
	check(
		`${SETUP_FILE}: "${OUTPUT_NODE}" table starts with customer, stage, moved, reason`,
		JSON.stringify(columns.slice(0, 4)) ===
			JSON.stringify(['customerId', 'stage', 'moved', 'reason']),
		columns,
	);
	await screenshot(page, 'output-record-events');
	const outputShot = await screenshot(page, 'output-record-events-small', output);
	await closeNode(page);

	check(
		'no uncaught errors in the editor page',
		consoleErrors.length === 0,
		consoleErrors.slice(0, 5),
	);

	copyToDocs(panelShot, 'editor-node-panel.png');
	copyToDocs(outputShot, 'editor-output.png');
	finished = true;
	log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${SHOTS}`);
}

try {
	await main();
} catch (error) {
	failed++;
	failures.push(error.message.split('\n')[0]);
	console.log(`editor: aborted: ${error.stack ?? error.message}`);
	const page = context?.pages()[0];
	if (page) await screenshot(page, 'aborted');
	printLogTail();
} finally {
	await within(15_000, 'closing Chromium', context?.close() ?? Promise.resolve()).catch(() => {});
	await n8n?.stop().catch(() => {});
}
if (failed && !finished)
	console.log('editor: the run stopped early; checks after the failure did not run');
if (failures.length) console.log(`editor: failures:\n  - ${failures.join('\n  - ')}`);
if (failed && KEEP) console.log(`editor: temp folder kept: ${tmp}`);
summary();
process.exit(failed ? 1 : 0);
