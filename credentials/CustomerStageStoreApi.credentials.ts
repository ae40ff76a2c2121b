import type { ICredentialType, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** A field shown only when the backend is PostgreSQL. */
function postgresField(field: Omit<INodeProperties, 'displayOptions'>): INodeProperties {
	return { ...field, displayOptions: { show: { backend: ['postgres'] } } };
}

/** How the connection to PostgreSQL is secured (pg's `ssl` setting). */
const SSL_MODES: INodePropertyOptions[] = [
	{ name: 'Disable', value: 'disable' },
	{ name: 'Require (Encrypt, Accept Any Certificate)', value: 'require' },
	{ name: 'Verify (Encrypt, Trusted Certificate Only)', value: 'verify' },
];

export class CustomerStageStoreApi implements ICredentialType {
	name = 'customerStageStoreApi';

	displayName = 'Customer Stage Store';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-customer-stage#the-store-credential';

	icon = { light: 'file:customerStage.svg', dark: 'file:customerStage.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Backend',
			name: 'backend',
			type: 'options',
			options: [
				{
					name: 'Embedded (SQLite File)',
					value: 'embedded',
					description: 'A file on this n8n host; no set-up. Best for a single n8n instance.',
				},
				{
					name: 'PostgreSQL',
					value: 'postgres',
					description:
						'A PostgreSQL server all n8n processes reach. Needed for queue mode with several workers.',
				},
			],
			default: 'embedded',
		},
		{
			displayName: 'File Path',
			name: 'filePath',
			type: 'string',
			default: '',
			placeholder: 'Leave empty for the built-in store in the n8n folder',
			description:
				'Where the embedded store keeps its data. Leave empty for customer-stage/customer-stage.sqlite in the n8n user folder. Several n8n processes on one host may share a file.',
			displayOptions: { show: { backend: ['embedded'] } },
		},
		// A connection string usually carries the password, so it is masked like one.
		postgresField({
			displayName: 'Connection String',
			name: 'connectionString',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'postgres://user:password@db.example.com:5432/n8n',
			description:
				'Optional. When set, it is used instead of the host, port, database, user and password below.',
		}),
		postgresField({ displayName: 'Host', name: 'host', type: 'string', default: 'localhost' }),
		postgresField({ displayName: 'Port', name: 'port', type: 'number', default: 5432 }),
		postgresField({
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'postgres',
		}),
		postgresField({ displayName: 'User', name: 'user', type: 'string', default: 'postgres' }),
		postgresField({
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		}),
		postgresField({
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: SSL_MODES,
			default: 'disable',
		}),
		postgresField({
			displayName: 'Schema',
			name: 'schema',
			type: 'string',
			default: 'customer_stage',
			description:
				"The store's own schema, created on first use. It can live in n8n's own database: the tables stay apart from n8n's.",
		}),
		postgresField({
			displayName: 'Max Connections',
			name: 'maxConnections',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10,
			description: 'Connections this n8n process may open to the server (per credential)',
		}),
	];
}
