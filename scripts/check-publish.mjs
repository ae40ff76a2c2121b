// Runs before `npm publish` (prepublishOnly): the package must not go out under the
// placeholder author address. n8n's community-node lint requires an author e-mail, so the
// repository carries one until the maintainers set their own in package.json.
import { readFileSync } from 'node:fs';

const PLACEHOLDER = 'maintainers@customer-stage.dev';
const { author } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const email = typeof author === 'string' ? (/<([^>]*)>/.exec(author)?.[1] ?? '') : author?.email;
if (!email || email.trim() === PLACEHOLDER) {
	console.error(
		`package.json: set "author.email" to the maintainers' real address before publishing (it is ${email ? `the placeholder ${PLACEHOLDER}` : 'empty'}).`,
	);
	process.exit(1);
}
