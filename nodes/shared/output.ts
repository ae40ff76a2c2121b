import type { IDataObject } from 'n8n-workflow';
import type {
	CustomerView,
	EventResult,
	MoveResult,
	StoredJourney,
	Transition,
} from '../store/types';

/**
 * Every output item shape, in one place, so the five nodes show the same things the same way.
 * Times are ISO text (what n8n's date nodes and people read).
 */

/** Milliseconds → ISO text. */
export function iso(millis: number | null | undefined): string | null {
	return millis === null || millis === undefined ? null : new Date(millis).toISOString();
}

const DAY = 24 * 60 * 60 * 1000;

/** The fields every move-shaped output item has, in the order people read them. */
export function moveJson(result: MoveResult): IDataObject {
	return {
		customerId: result.customerId,
		journey: result.journey,
		previousStage: result.previousStage,
		previousStageName: result.previousStageName,
		stage: result.stage,
		stageName: result.stageName,
		status: result.status,
		moved: result.moved,
		direction: result.direction,
		reason: result.reason,
	};
}

export function eventJson(result: EventResult): IDataObject {
	return {
		...moveJson(result),
		duplicate: result.duplicate,
		eventType: result.eventType,
		eventId: result.eventId,
		ruleId: result.ruleId,
		occurredAt: iso(result.occurredAt),
	};
}

export function customerJson(customer: CustomerView, now: number): IDataObject {
	return {
		...customer,
		lastContactAt: iso(customer.lastContactAt),
		lastEventAt: iso(customer.lastEventAt),
		createdAt: iso(customer.createdAt),
		updatedAt: iso(customer.updatedAt),
		journeys: customer.journeys.map((m) => ({
			...m,
			enteredAt: iso(m.enteredAt),
			daysInStage: Math.floor(((now - m.enteredAt) / DAY) * 10) / 10,
		})),
	};
}

/** One row of a customer's timeline. */
export function transitionJson(transition: Transition): IDataObject {
	return {
		...transition,
		occurredAt: iso(transition.occurredAt),
		eventOccurredAt: iso(transition.eventOccurredAt),
		fromEnteredAt: iso(transition.fromEnteredAt),
		recordedAt: iso(transition.recordedAt),
	};
}

export function journeyJson(journey: StoredJourney): IDataObject {
	return {
		key: journey.key,
		name: journey.name,
		version: journey.version,
		displayOrder: journey.displayOrder,
		stages: journey.definition.stages.map((s) => ({ key: s.key, name: s.name, kind: s.kind })),
		definition: journey.definition as unknown as IDataObject,
		createdAt: iso(journey.createdAt),
		updatedAt: iso(journey.updatedAt),
	};
}
