import tseslint from 'typescript-eslint';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

// n8n's own lint rules for community packages, nodes and credentials (the rule sets n8n's
// reviewers run), on the TypeScript parser; package.json is parsed as JSON by the same parser.
const plugins = { 'n8n-nodes-base': n8nNodesBase };

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'bench/**', '**/*.js', '**/*.mjs'] },
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
		},
	},
);
