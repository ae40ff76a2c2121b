// One concurrent writer, run as its own process by concurrency.test.ts: records its share of
// the events in small batches (many transactions, so writers interleave) and reports what it saw.
// Uses the built package (dist/), as n8n would.
const { readFileSync } = require('node:fs');
const { createDriver } = require('../../dist/nodes/store/openStore');
const { Store } = require('../../dist/nodes/store/Store');

async function main() {
	const [configJson, planFile, batchSize] = process.argv.slice(2);
	const events = JSON.parse(readFileSync(planFile, 'utf8'));
	const store = await Store.open(createDriver(JSON.parse(configJson)));
	const summary = { moved: 0, duplicates: 0, errors: [] };
	for (let i = 0; i < events.length; i += Number(batchSize)) {
		for (const outcome of await store.recordEvents(events.slice(i, i + Number(batchSize)))) {
			if (!outcome.ok) summary.errors.push(outcome.error.message);
			else if (outcome.duplicate) summary.duplicates++;
			else if (outcome.moved) summary.moved++;
		}
	}
	await store.close();
	process.stdout.write(JSON.stringify(summary));
}

main().catch((error) => {
	process.stderr.write(String(error && error.stack ? error.stack : error));
	process.exit(1);
});
