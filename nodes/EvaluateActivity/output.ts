import type { IDataObject } from 'n8n-workflow';
import type { ActivityEvaluation, ActivityRun, NotEvaluatedCustomer } from '../store/activity';
import { scopeText, type Scope } from '../engine/inputs';
import { iso } from '../shared/output';

/**
 * One customer's evaluation as an item: what people read first (level, score, stage), then
 * the stage moves with their reasons, the counts behind the score, and the keys.
 */
export function evaluationJson(run: ActivityRun, result: ActivityEvaluation): IDataObject {
	return {
		customerId: result.customerId,
		owner: result.owner,
		level: result.levelName,
		previousLevel: result.previousLevelName,
		levelChanged: result.level !== result.previousLevel,
		levelDropped: result.levelDropped,
		score: result.score,
		previousScore: result.previousScore,
		stage: result.stageName,
		moved: result.moved,
		moves: result.moves.map((move) => ({
			from: move.fromName,
			to: move.toName,
			direction: move.direction,
			reason: move.reason,
			ruleId: move.ruleId,
			at: iso(move.at),
		})),
		eventCount: result.eventCount,
		countsByType: result.countsByType,
		windowDays: result.windowDays,
		journey: run.journeyName,
		evaluatedAt: iso(result.evaluatedAt),
		keys: {
			journey: result.journey,
			stage: result.stage,
			previousStage: result.previousStage,
			level: result.level,
			previousLevel: result.previousLevel,
		},
	};
}

/** Why a customer named in an input item was not evaluated, for that item's error. */
export function notEvaluatedMessage(
	journeyName: string,
	missing: NotEvaluatedCustomer,
	scope: Scope,
): string {
	const id = `Customer ID '${missing.customerId}'`;
	switch (missing.reason) {
		case 'unknown':
			return `${id}: no such customer; record an event for them or import them first`;
		case 'notInJourney':
			return `${id}: not in journey '${journeyName}'; record an event for them in it or set their stage first`;
		case 'outOfScope':
			return `${id}: outside the scope this node looks at (${scope.kind === 'all' ? 'all' : scopeText(scope, ': ')})`;
	}
}
