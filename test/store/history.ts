export interface TransitionRow {
	customer_id: number;
	from_stage: string | null;
	to_stage: string;
}

/**
 * History rows (ordered by customer, then id) that do not start where the customer's previous
 * move ended. A lost update shows up here: two moves out of the same stage. (test/e2e/lib.mjs
 * has the same check for the real-n8n runs, which cannot import TypeScript.)
 */
export function brokenChains(rows: TransitionRow[]): number {
	let broken = 0;
	let previous: { customer: number; stage: string } | null = null;
	for (const row of rows) {
		const expectedFrom =
			previous && previous.customer === Number(row.customer_id) ? previous.stage : null;
		if (row.from_stage !== expectedFrom) broken++;
		previous = { customer: Number(row.customer_id), stage: row.to_stage };
	}
	return broken;
}
