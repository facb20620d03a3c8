import type { DecideRequest, DecideResult } from '../../activities/contracts';
import { LOCAL_EXTRACTIVE } from '../../activities/models/model-id';
import { localReads, modelActivities } from '../flow/activities';
import { awaiting, type Eventually } from '../flow/eventually';
import type { ParamReader } from '../flow/params';
import { DEFAULT_MODEL, type RunEngine } from '../flow/run-engine';

/**
 * A structured decision about the current message (recognize, choose, number, extract). A model
 * that may be the offline one (local:extractive, or "default", which the worker resolves) is
 * asked through a local activity, which answers null when the worker's model is remote; a remote
 * model is called through the regular, heartbeating activity. The offline model decides on the
 * message alone, so the local call leaves the conversation out of its input.
 */
export function decide(engine: RunEngine, p: ParamReader, req: Omit<DecideRequest, 'model' | 'message' | 'history'>): Eventually<DecideResult> {
  const full: DecideRequest = {
    ...req,
    instruction: engine.render(req.instruction),
    model: engine.model(p),
    message: engine.message,
    history: engine.history(),
  };
  const done = (result: DecideResult): DecideResult => {
    engine.detail({ model: result.model, answer: result.answer, ...(result.reason ? { reason: result.reason.slice(0, 200) } : {}) });
    return result;
  };
  const remote = () => awaiting(modelActivities().modelDecide(full), done);
  const local = full.model === LOCAL_EXTRACTIVE || full.model === DEFAULT_MODEL ? localReads() : undefined;
  if (!local) return remote();
  return awaiting(local.modelDecideOffline({ ...full, history: undefined }), (offline) => (offline ? done(offline) : remote()));
}
