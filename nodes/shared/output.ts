import type { IDataObject } from 'n8n-workflow';
import { stageLabel, statusLabel } from '../engine/movement';
import type { FeedTransition, Store } from '../store/Store';
import type {
	CustomerView,
	EventResult,
	JourneyMembership,
	MoveResult,
	StoredJourney,
	Transition,
} from '../store/types';

/**
 * Every output item shape, in one place, so the five nodes show the same things the same way.
 * Times are ISO text (what n8n's date nodes and people read).
 *
 * Reading order (what fits on screen at the editor's default width comes first): the customer,
 * the stage by name, whether it moved and why; then details; technical fields last. Journeys
 * and stages appear once, by name. Their keys — what a later node's "By key" picker or an
 * expression needs — sit together in one `keys` object at the end, under the same field names
 * (`$json.keys.stage` is the key of `$json.stage`), so no item carries a key/name pair side by
 * side for people to reconcile.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
/** The last day formatted ('2026-11-22T'): a batch's times mostly fall on a few days. */
let lastDay = NaN;
let lastDayText = '';

/**
 * Milliseconds → ISO text, exactly as `Date#toISOString` writes it. Output items carry a time
 * or more each, and `toISOString` made up a good part of a 10,000-item node run; the day is
 * formatted once per day and the time of day from digit tables.
 */
export function iso(millis: number | null | undefined): string | null {
	if (millis === null || millis === undefined) return null;
	const day = Math.floor(millis / DAY_MS);
	// Years before 1970 or after 9999, or a fraction of a millisecond: the exact general way.
	if (day < 0 || day > 2_932_896 || !Number.isInteger(millis)) {
		return new Date(millis).toISOString();
	}
	if (day !== lastDay) {
		lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
		lastDay = day;
	}
	let rest = millis - day * DAY_MS;
	const hours = Math.floor(rest / 3_600_000);
	rest -= hours * 3_600_000;
	const minutes = Math.floor(rest / 60_000);
	rest -= minutes * 60_000;
	const seconds = Math.floor(rest / 1000);
	return `${lastDayText}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}

/** A span in days to one decimal, never rounded up (9.96 days is 9.9, not "10 days" early). */
function tenthsOfDays(ms: number): number {
	return Math.floor((ms / DAY_MS) * 10) / 10;
}

/**
 * Journey, stage and status names by key, as the journeys are stored now; an unknown key names
 * itself.
 */
export class Names {
	private readonly journeys: Map<string, StoredJourney>;

	constructor(journeys: readonly StoredJourney[]) {
		this.journeys = new Map(journeys.map((journey) => [journey.key, journey]));
	}

	static async of(store: Store): Promise<Names> {
		return new Names(await store.listJourneys());
	}

	journey(key: string): string {
		return this.journeys.get(key)?.name ?? key;
	}

	/** A stage removed by a later version of its journey keeps its key as its name. */
	stage(journeyKey: string, stageKey: string | null): string | null {
		const journey = this.journeys.get(journeyKey);
		return journey ? stageLabel(journey.definition, stageKey) : stageKey;
	}

	status(journeyKey: string, statusKey: string | null): string | null {
		const journey = this.journeys.get(journeyKey);
		return journey ? statusLabel(journey.definition, statusKey) : statusKey;
	}
}

/**
 * A move-shaped item (Set Stage, Import, Record Event): what people read, then the operation's
 * own fields (`details`), then the keys.
 */
export function moveJson(result: MoveResult, names: Names, details: IDataObject = {}): IDataObject {
	const journey = result.journey || null;
	return {
		customerId: result.customerId,
		stage: result.stageName,
		moved: result.moved,
		reason: result.reason,
		previousStage: result.previousStageName,
		direction: result.direction,
		status: journey ? names.status(journey, result.status) : result.status,
		journey: journey && names.journey(journey),
		...details,
		keys: {
			journey,
			stage: result.stage,
			previousStage: result.previousStage,
			status: result.status,
		},
	};
}

export function eventJson(result: EventResult, names: Names): IDataObject {
	return moveJson(result, names, {
		duplicate: result.duplicate,
		eventType: result.eventType,
		eventId: result.eventId,
		occurredAt: iso(result.occurredAt),
		ruleId: result.ruleId,
	});
}

function membershipJson(membership: JourneyMembership, now: number): IDataObject {
	return {
		journey: membership.journeyName,
		stage: membership.stageName,
		status: membership.statusName,
		enteredAt: iso(membership.enteredAt),
		daysInStage: tenthsOfDays(now - membership.enteredAt),
		keys: { journey: membership.journey, stage: membership.stage, status: membership.status },
	};
}

export function customerJson(customer: CustomerView, now: number): IDataObject {
	return {
		customerId: customer.customerId,
		name: customer.name,
		journeys: customer.journeys.map((membership) => membershipJson(membership, now)),
		email: customer.email,
		phone: customer.phone,
		owner: customer.owner,
		department: customer.department,
		rating: customer.rating,
		tags: customer.tags,
		lastContactAt: iso(customer.lastContactAt),
		daysSinceContact:
			customer.lastContactAt === null ? null : tenthsOfDays(now - customer.lastContactAt),
		lastEventAt: iso(customer.lastEventAt),
		properties: customer.properties as IDataObject,
		createdAt: iso(customer.createdAt),
		updatedAt: iso(customer.updatedAt),
	};
}

/**
 * One row of a customer's timeline: when, from which stage to which (by name), and why. The
 * store's row id is left out: it orders rows internally and nothing downstream needs it.
 */
export function transitionJson(transition: Transition, names: Names): IDataObject {
	const journey = transition.journey;
	return {
		customerId: transition.customerId,
		occurredAt: iso(transition.occurredAt),
		fromStage: names.stage(journey, transition.fromStage),
		toStage: names.stage(journey, transition.toStage),
		direction: transition.direction,
		reason: transition.reason,
		journey: names.journey(journey),
		eventType: transition.eventType,
		eventId: transition.eventId,
		actor: transition.actor,
		note: transition.note,
		owner: transition.owner,
		department: transition.department,
		eventOccurredAt: iso(transition.eventOccurredAt),
		fromEnteredAt: iso(transition.fromEnteredAt),
		recordedAt: iso(transition.recordedAt),
		reasonKind: transition.reasonKind,
		ruleId: transition.ruleId,
		journeyVersion: transition.journeyVersion,
		keys: { journey, fromStage: transition.fromStage, toStage: transition.toStage },
	};
}

/**
 * One stage change as Stage Trigger delivers it: who, to which stage from which (by name), how
 * and why; the customer as stored now; then times; the transition id (to de-duplicate: a move
 * may be delivered twice after a crash, never with another id) and the keys last.
 */
export function stageChangeJson(transition: FeedTransition, names: Names): IDataObject {
	const journey = transition.journey;
	const { customer } = transition;
	return {
		customerId: transition.customerId,
		name: customer.name,
		toStage: names.stage(journey, transition.toStage),
		fromStage: names.stage(journey, transition.fromStage),
		direction: transition.direction,
		reason: transition.reason,
		journey: names.journey(journey),
		occurredAt: iso(transition.occurredAt),
		customer: {
			id: transition.customerId,
			name: customer.name,
			email: customer.email,
			owner: customer.owner,
			department: customer.department,
			tags: customer.tags,
			rating: customer.rating,
		},
		reasonKind: transition.reasonKind,
		ruleId: transition.ruleId,
		actor: transition.actor,
		note: transition.note,
		eventType: transition.eventType,
		eventId: transition.eventId,
		eventOccurredAt: iso(transition.eventOccurredAt),
		recordedAt: iso(transition.recordedAt),
		transitionId: transition.id,
		keys: { journey, toStage: transition.toStage, fromStage: transition.fromStage },
	};
}

/** A journey: its name first, then what an operation adds (`details`, e.g. the save action). */
export function journeyJson(journey: StoredJourney, details: IDataObject = {}): IDataObject {
	return {
		name: journey.name,
		...details,
		key: journey.key,
		version: journey.version,
		stages: journey.definition.stages.map((s) => ({ name: s.name, key: s.key, kind: s.kind })),
		displayOrder: journey.displayOrder,
		createdAt: iso(journey.createdAt),
		updatedAt: iso(journey.updatedAt),
		definition: journey.definition as unknown as IDataObject,
	};
}
