/**
 * What a failure of the database itself means to the person running the workflow, and what to
 * check. Both drivers' errors are read here (the only place that knows their codes), so every
 * node and the credential test say the same thing for the same failure.
 */
export interface StoreFailure {
	message: string;
	/** What to check or do. */
	hint: string;
}

interface DriverError {
	message?: string;
	code?: string;
	/** node:sqlite: the SQLite result code (possibly extended). */
	errcode?: number;
	address?: string;
	port?: number;
	hostname?: string;
}

/** SQLite primary result codes (an extended code carries the primary one in its low byte). */
const SQLITE: Record<number, StoreFailure> = {
	5: {
		message: 'The embedded store is locked by another process and stayed locked for 10 seconds',
		hint: 'Another n8n process or a long-running execution holds the file. Try again, or use the PostgreSQL backend when several processes write a lot at once.',
	},
	8: {
		message: 'The embedded store file is read-only',
		hint: "Give the n8n process write permission on the store file and its folder (check the credential's File Path).",
	},
	11: {
		message: 'The embedded store file is damaged',
		hint: 'Restore it from a backup, or point the credential at a new file.',
	},
	13: {
		message: 'The disk holding the embedded store is full',
		hint: 'Free disk space on the n8n host (the store needs room for its write-ahead log too).',
	},
	14: {
		message: 'The embedded store file cannot be opened',
		hint: "Check the credential's File Path: the folder must exist or be creatable, and n8n must be allowed to write there.",
	},
	26: {
		message: 'The file is not a SQLite database',
		hint: "Check the credential's File Path: it must name a customer-stage store or a new file.",
	},
};

/** PostgreSQL SQLSTATEs people actually meet. */
const POSTGRES: Record<string, StoreFailure> = {
	'28P01': {
		message: 'PostgreSQL refused the user name or password',
		hint: "Check the credential's User and Password (or the connection string).",
	},
	'28000': {
		message: 'PostgreSQL refused the connection for this user',
		hint: "Check pg_hba.conf on the server allows this user from n8n's host, and the credential's SSL setting.",
	},
	'3D000': {
		message: 'The PostgreSQL database does not exist',
		hint: "Check the credential's Database, or create it first.",
	},
	'42501': {
		message: 'PostgreSQL denied permission',
		hint: "The credential's user needs CREATE on the database (for the store's schema) and all rights on that schema.",
	},
	'53100': {
		message: 'The PostgreSQL server is out of disk space',
		hint: 'Free disk space on the database server.',
	},
	'53300': {
		message: 'The PostgreSQL server has no free connections',
		hint: "Lower the credential's Max Connections, or raise max_connections on the server.",
	},
	'55P03': {
		message: 'A PostgreSQL lock could not be taken in time',
		hint: 'Another execution holds the same customers or journey. Try again.',
	},
	'57014': {
		message: 'PostgreSQL cancelled the statement (statement timeout)',
		hint: 'Split the input into smaller batches, or raise statement_timeout for this user.',
	},
	'57P01': {
		message: 'The PostgreSQL server shut down the connection',
		hint: 'The server is restarting or was stopped. Try again once it is up.',
	},
};

function where(error: DriverError): string {
	const host = error.address ?? error.hostname;
	return host ? ` at ${host}${error.port ? `:${error.port}` : ''}` : '';
}

/** The meaning of a database failure, or null when the error is not one we recognise. */
export function describeStoreFailure(error: unknown): StoreFailure | null {
	if (typeof error !== 'object' || error === null) return null;
	const e = error as DriverError;
	if (typeof e.errcode === 'number' && SQLITE[e.errcode & 0xff]) return SQLITE[e.errcode & 0xff];
	if (e.code && POSTGRES[e.code]) return POSTGRES[e.code];
	switch (e.code) {
		case 'ECONNREFUSED':
			return {
				message: `Cannot reach the PostgreSQL server${where(e)}: connection refused`,
				hint: "Check the credential's Host and Port, and that the server is running and accepts TCP connections from n8n's host.",
			};
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return {
				message: `The PostgreSQL host${where(e)} was not found`,
				hint: "Check the spelling of the credential's Host (or the connection string).",
			};
		case 'ETIMEDOUT':
		case 'ECONNRESET':
			return {
				message: `The connection to the PostgreSQL server${where(e)} was lost or timed out`,
				hint: 'Check the network between n8n and the server (firewall, VPN) and try again.',
			};
		case 'EACCES':
		case 'EPERM':
			return {
				message: 'n8n may not write where the embedded store is',
				hint: "Check the credential's File Path and the permissions of its folder.",
			};
		case 'ENOSPC':
			return SQLITE[13];
	}
	if (/timeout exceeded when trying to connect/i.test(e.message ?? '')) {
		return {
			message: 'No PostgreSQL connection became free in time',
			hint: "Raise the credential's Max Connections, or run fewer executions at once.",
		};
	}
	return null;
}
