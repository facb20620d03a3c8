import type { DecideRequest, DecideResult } from '../../activities/contracts';
import { LOCAL_EXTRACTIVE } from '../../activities/models/model-id';
import { localReads, modelActivities } from '../flow/activities';
import type { ParamReader } from '../flow/params';
import { DEFAULT_MODEL, type RunEngine } from '../flow/run-engine';

/**
 * A structured decision about the current message (recognize, choose, number, extract). A model
 * that may be the offline one (local:extractive, or "default", which the worker resolves) is
 * asked through a local activity, which answers null when the worker's model is remote; a remote
 * model is called through the regular, heartbeating activity.
 */
export async function decide(engine: RunEngine, p: ParamReader, req: Omit<DecideRequest, 'model' | 'message' | 'history'>): Promise<DecideResult> {
  const full: DecideRequest = {
    ...req,
    instruction: engine.render(req.instruction),
    model: engine.model(p),
    message: engine.message,
    history: engine.history(),
  };
  const local = full.model === LOCAL_EXTRACTIVE || full.model === DEFAULT_MODEL ? localReads() : undefined;
  const result = (local ? await local.modelDecideOffline(full) : null) ?? (await modelActivities().modelDecide(full));
  engine.detail({ model: result.model, answer: result.answer, ...(result.reason ? { reason: result.reason.slice(0, 200) } : {}) });
  return result;
}
