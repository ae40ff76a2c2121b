import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Older n8n 2.x builds ran on Node 20, which has no node:sqlite. The embedded store must then
 * stop with a message that says what to do, not a bare "Cannot find module". This machine's
 * system Node is 20 (the project pins 24 for its own scripts), so the check runs on the real thing.
 */
const OLD_NODE = process.env.CUSTOMER_STAGE_OLD_NODE ?? '/usr/bin/node';
const version = existsSync(OLD_NODE)
	? spawnSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
	: '';
const [major, minor] = version.split('.').map(Number);
const hasOldNode = !!version && (major < 22 || (major === 22 && minor < 5));
if (!hasOldNode)
	console.warn(
		`!!! No Node < 22.5 at ${OLD_NODE} (found '${version}'): the old-Node check is SKIPPED.`,
	);

(hasOldNode ? test : test.skip)(`on Node ${version} the embedded store explains what to do`, () => {
	const dist = join(__dirname, '../../dist/nodes/store/openStore.js');
	expect(existsSync(dist)).toBe(true);
	const script = `require(${JSON.stringify(dist)}).openStore({ backend: 'embedded', filePath: '/tmp/never.sqlite' })
		.then(() => console.log('opened'), (e) => console.log(e.message))`;
	const result = spawnSync(OLD_NODE, ['-e', script], { encoding: 'utf8' });
	expect(result.stdout.trim()).toBe(
		`The embedded store needs Node.js 22.5 or newer (n8n is running on Node ${version}). ` +
			'Run n8n on Node 24 as n8n 2.x recommends, or choose the PostgreSQL backend in the Customer Stage Store credential.',
	);
});
