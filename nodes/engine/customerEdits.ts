import { InputError } from './errors';
import { TAG_LIMITS, type CustomerUpdateInput } from './inputs';
import type { JourneyDefinition } from './journey';
import { LIMITS } from './limits';
import {
	applyDecision,
	decideMove,
	statusLabel,
	type MoveCause,
	type StageState,
	type Step,
} from './movement';

/**
 * Decisions about a customer's own fields, made purely: the store locks the rows, hands the
 * current values here, and writes what comes back.
 */

/** The editable fields of a customer as stored. */
export interface CustomerFields {
	name: string | null;
	email: string | null;
	phone: string | null;
	owner: string | null;
	department: string | null;
	rating: number | null;
	tags: string[];
	properties: Record<string, unknown>;
}

const PLAIN_FIELDS = ['name', 'email', 'phone', 'owner', 'department', 'rating'] as const;

/**
 * Customer → Update applied to the current fields: only what the item gives changes; tags are
 * added, removed or replaced, properties merged (top-level keys) or replaced. Returns the fields
 * after and the names of those that really changed; a result over the limits is the item's error.
 */
export function applyCustomerUpdate(
	before: CustomerFields,
	input: CustomerUpdateInput,
): { after: CustomerFields; changed: string[] } {
	const after: CustomerFields = { ...before };
	const changed: string[] = [];
	for (const field of PLAIN_FIELDS) {
		const value = input[field];
		if (value !== undefined && value !== before[field]) {
			(after as unknown as Record<string, unknown>)[field] = value;
			changed.push(field);
		}
	}
	if (input.tags !== undefined) {
		const given = new Set(input.tags);
		after.tags =
			input.tagMode === 'replace'
				? [...given]
				: input.tagMode === 'remove'
					? before.tags.filter((tag) => !given.has(tag))
					: [...new Set([...before.tags, ...input.tags])];
		if (after.tags.length > TAG_LIMITS.perCustomer) {
			throw new InputError(
				`Tags would give the customer ${after.tags.length} tags; the limit is ${TAG_LIMITS.perCustomer}`,
				'tags',
			);
		}
		if (after.tags.join('\n') !== before.tags.join('\n')) changed.push('tags');
	}
	if (input.properties !== undefined) {
		after.properties =
			input.propertiesMode === 'replace'
				? input.properties
				: { ...before.properties, ...input.properties };
		const json = JSON.stringify(after.properties);
		if (Buffer.byteLength(json) > LIMITS.propertiesBytes) {
			throw new InputError(
				`Properties would be ${(Buffer.byteLength(json) / 1024).toFixed(0)} KB once merged; the limit is ${LIMITS.propertiesBytes / 1024} KB`,
				'properties',
			);
		}
		if (json !== JSON.stringify(before.properties)) changed.push('properties');
	}
	return { after, changed };
}

/**
 * Shares customers out among employees. Round robin deals them in list order; least loaded
 * gives each the employee with the fewest customers so far (current load included), ties going
 * to the earlier in the list. Returns the owner of each customer, in order.
 */
export function shareOut(
	count: number,
	employees: readonly string[],
	method: 'roundRobin' | 'leastLoaded',
	loads: Map<string, number>,
): string[] {
	const load = new Map(employees.map((e) => [e, loads.get(e) ?? 0]));
	const owners: string[] = [];
	for (let i = 0; i < count; i++) {
		let owner = employees[i % employees.length];
		if (method === 'leastLoaded') {
			owner = employees.reduce((best, e) => (load.get(e)! < load.get(best)! ? e : best));
		}
		load.set(owner, load.get(owner)! + 1);
		owners.push(owner);
	}
	return owners;
}

/** The stages a status maps to; none is the Status field's error, naming those that do map. */
export function stagesForStatus(journey: JourneyDefinition, status: string): string[] {
	const stages = journey.stages.filter((stage) => stage.status === status).map((s) => s.key);
	if (stages.length === 0) {
		const mapped = [...new Set(journey.stages.map((s) => s.status).filter((s) => !!s))];
		throw new InputError(
			mapped.length
				? `Status '${status}' is not mapped to a stage of journey '${journey.key}' (statuses with a stage: ${mapped.join(', ')})`
				: `Journey '${journey.key}' maps no status to a stage; set the stage instead`,
			'status',
		);
	}
	return stages;
}

/**
 * Lead status → stage (the other direction of stage → status): a customer already in a stage
 * with this status stays; otherwise they move by hand to the first stage that has it. The
 * reason says the status set it.
 */
export function statusStep(
	journey: JourneyDefinition,
	before: StageState | null,
	status: string,
	cause: Omit<MoveCause, 'reasonKind'>,
): Step {
	const stages = stagesForStatus(journey, status);
	const current = before?.stage ?? null;
	const target = current !== null && stages.includes(current) ? current : stages[0];
	const decision = decideMove(journey, current, target, 'manual');
	decision.explanation = `lead status set to ${statusLabel(journey, status)}: ${decision.explanation}`;
	if (decision.moved && cause.actor) decision.explanation += ` by ${cause.actor}`;
	return applyDecision(journey, before, decision, { ...cause, reasonKind: 'manual' });
}
