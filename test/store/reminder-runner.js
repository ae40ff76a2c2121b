// One Stage Reminder run in its own process, as a second n8n worker would make it; used by
// reminders.test.ts to overlap claims. Uses the built package (dist/), as n8n would.
const { createDriver } = require('../../dist/nodes/store/openStore');
const { Store } = require('../../dist/nodes/store/Store');

async function main() {
	const [configJson, optionsJson] = process.argv.slice(2);
	const store = await Store.open(createDriver(JSON.parse(configJson)));
	const run = await store.runReminders(JSON.parse(optionsJson));
	await store.close();
	process.stdout.write(
		JSON.stringify(run.reminders.map((r) => `${r.customerId}:${r.ruleId}#${r.occurrence}`)),
	);
}

main().catch((error) => {
	process.stderr.write(String(error && error.stack ? error.stack : error));
	process.exit(1);
});
