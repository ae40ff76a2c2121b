// The "main job" for a user (npm run demo → scripts/demo.sh): a real n8n 2.41.1 with this package
// installed runs the marketing-hub sample workflow and the result is printed per customer.
//   --serve        then start n8n on http://127.0.0.1:<port> with the webhook workflow published
//   --port=N       port for --serve (default 5678)
//   --fresh        start from an empty demo folder (forget the demo customers)
//   --dir=PATH     demo n8n user folder (default .tmp/demo-n8n in the repo)
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
	N8n,
	REPO,
	ensureN8n,
	makeLog,
	nodeItems,
	packAndInstall,
	padTable,
	runError,
} from './lib.mjs';

const log = makeLog('demo');
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
	const hit = args.find((a) => a.startsWith(`--${name}=`));
	return hit ? hit.slice(name.length + 3) : fallback;
};
const unknown = args.filter((a) => !/^--(serve|fresh|help|port=\d+|dir=.+)$/.test(a));
if (flag('help') || unknown.length) {
	console.log('usage: npm run demo [-- --serve] [--port=5678] [--fresh] [--dir=.tmp/demo-n8n]');
	process.exit(unknown.length ? 2 : 0);
}
const serve = flag('serve');
const port = Number(option('port', '5678'));
const dirOption = option('dir', join('.tmp', 'demo-n8n'));
const userFolder = isAbsolute(dirOption) ? dirOption : resolve(REPO, dirOption);
const SETUP_ID = 'csMarketingHub01';
const WEBHOOK_ID = 'csWebhookEvent01';

let n8n;
async function main() {
	const n8nDir = await ensureN8n(log);
	if (flag('fresh') && existsSync(userFolder)) {
		log(`--fresh: removing ${userFolder}`);
		rmSync(userFolder, { recursive: true, force: true });
	}
	mkdirSync(userFolder, { recursive: true });
	const logFile = join(userFolder, 'n8n-demo.log');
	log(`n8n ${n8nDir}`);
	log(`demo user folder ${userFolder} (n8n's output goes to ${logFile})`);
	await packAndInstall({ n8nDir, userFolder, outDir: join(userFolder, 'pack'), log });

	n8n = new N8n({ n8nDir, userFolder, port, brokerPort: port + 1, logFile });
	for (const file of ['marketing-hub-setup.json', 'webhook-record-event.json']) {
		log(`importing workflows/${file}`);
		await n8n.importWorkflow(join(REPO, 'workflows', file));
	}
	log(`running "Customer Stage: marketing hub setup" (n8n execute --id=${SETUP_ID})`);
	const result = await n8n.execute(SETUP_ID);
	const error = runError(result);
	if (error) throw new Error(`the workflow failed: ${error}`);

	const journeys = nodeItems(result, 'Create marketing-hub journey') ?? [];
	for (const j of journeys) {
		const stages = (j.stages ?? [])
			.map((s) => (typeof s === 'string' ? s : (s.name ?? s.key)))
			.join(' → ');
		console.log(`\nJourney ${j.key} "${j.name}" v${j.version} (${j.action}): ${stages}`);
	}
	const events = nodeItems(result, 'Record events') ?? [];
	console.log('\nEvents recorded:\n');
	console.log(
		padTable(
			events.map((e) => [
				e.customerId,
				e.eventType,
				e.eventId ?? '',
				e.moved
					? `${e.previousStage ?? '—'} → ${e.stage}`
					: e.duplicate
						? 'duplicate: ignored'
						: `stays: ${e.stage}`,
				e.reason,
			]),
			['customer', 'event', 'event id', 'stage change', 'why'],
		),
	);
	const last = new Map();
	for (const e of events) last.set(e.customerId, e);
	console.log('\nStage per customer (journey marketing_hub):\n');
	console.log(
		padTable(
			[...last.values()].map((e) => [e.customerId, e.stage, e.keys?.stage]),
			['customer', 'stage', 'stage key'],
		),
	);
	if (events.length && events.every((e) => e.duplicate)) {
		console.log(
			'\n(Every event id was recorded by an earlier run, so nothing moved this time. `npm run demo -- --fresh` starts over.)',
		);
	}
	console.log(
		`\nThe store: ${join(userFolder, '.n8n', 'customer-stage', 'customer-stage.sqlite')}`,
	);

	if (!serve) {
		console.log('Open it in the n8n editor: npm run demo -- --serve');
		return;
	}
	await n8n.publishWorkflow(WEBHOOK_ID);
	log(`starting n8n on http://127.0.0.1:${port} (Ctrl-C stops it)`);
	await n8n.start({ webhookPath: 'customer-stage/event' });
	console.log(`
n8n is running: http://127.0.0.1:${port}
  - First visit: create the owner account (stays in ${userFolder}).
  - Workflows: "Customer Stage: marketing hub setup" and "...record events from a webhook" (published).
  - Send an event:
      curl -s -X POST http://127.0.0.1:${port}/webhook/customer-stage/event \\
        -H 'content-type: application/json' \\
        -d '{"customerId":"c-002","eventType":"form.submitted","eventId":"evt-web-1"}'
Ctrl-C stops n8n.`);
	await new Promise((resolveWait) => {
		process.once('SIGINT', resolveWait);
		process.once('SIGTERM', resolveWait);
		n8n.exited.then(resolveWait);
	});
	log('stopping n8n');
}

process.on('exit', () => n8n?.killNow());
try {
	await main();
	await n8n?.stop();
	process.exit(0);
} catch (error) {
	console.error(`demo: ${error.message}`);
	await n8n?.stop().catch(() => {});
	process.exit(1);
}
