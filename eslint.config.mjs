import tseslint from 'typescript-eslint';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

// n8n's own lint rules for community packages, nodes and credentials (the rule sets n8n's
// reviewers run), on the TypeScript parser; package.json is parsed as JSON by the same parser.
const plugins = { 'n8n-nodes-base': n8nNodesBase };

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'bench/**', '**/*.js', '**/*.mjs'] },
	// The rules n8n's own `n8n-node lint` applies to community packages. This package keeps state
	// in a store of its own (a file or a PostgreSQL server), which n8n Cloud does not allow, so
	// it uses the self-hosted set.
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { '@n8n/community-nodes': n8nCommunityNodesPlugin },
		rules: {
			...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport.rules,
			// A real store needs its drivers and checks at run time (pg, zod, luxon); that is what
			// makes this package self-hosted only (see the README).
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	// The engine and the store know nothing of n8n (they are plain TypeScript, tested without
	// it); their errors become NodeOperationErrors at the node boundary, in nodes/shared.
	{
		files: ['nodes/engine/**/*.ts', 'nodes/store/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins,
		rules: {
			...n8nNodesBase.configs.community.rules,
			// Our package is published under this name on purpose.
			'n8n-nodes-base/community-package-json-name-still-default': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tseslint.parser },
		plugins,
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// A store, not an API: "Customer Stage Store" is what users look for.
			'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
			// Community credentials link to their own docs by full URL, not an n8n docs slug.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: tseslint.parser },
		plugins,
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// n8n 2.x types inputs/outputs as NodeConnectionTypes.Main; these rules predate it.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// Subtitles are built by operationSubtitle() so they read "Record event", not
			// "record: event"; the rule only recognises a string literal.
			'n8n-nodes-base/node-class-description-missing-subtitle': 'off',
		},
	},
);
