import type { DecideRequest, DecideResult } from '../../activities/contracts';
import { modelActivities } from '../flow/activities';
import type { ParamReader } from '../flow/params';
import type { RunEngine } from '../flow/run-engine';

/** A structured decision about the current message (recognize, choose, number, extract). */
export async function decide(engine: RunEngine, p: ParamReader, req: Omit<DecideRequest, 'model' | 'message' | 'history'>): Promise<DecideResult> {
  const result = await modelActivities().modelDecide({
    ...req,
    instruction: engine.render(req.instruction),
    model: engine.model(p),
    message: engine.message,
    history: engine.history(),
  });
  engine.detail({ model: result.model, answer: result.answer, ...(result.reason ? { reason: result.reason.slice(0, 200) } : {}) });
  return result;
}
