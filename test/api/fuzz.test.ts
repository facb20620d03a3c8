// A bounded schemathesis run of the API from its OpenAPI document (scripts/fuzz-api.sh), asserting
// no 5xx. Runs only when schemathesis can be installed from PyPI; says so when it cannot.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadOpenApi } from '../../client/api/openapi';

const script = path.join(__dirname, '../../scripts/fuzz-api.sh');
const install = spawnSync('bash', [script, '--install-only'], { encoding: 'utf8', timeout: 300_000 });
const unavailable = install.status === 0 ? undefined : `schemathesis could not be installed from PyPI: ${(install.stderr || String(install.error)).trim().split('\n').slice(-2).join(' ')}`;

describe('schemathesis fuzz of the API', () => {
  test('every operation, valid and invalid inputs: no server errors', () => {
    if (unavailable) throw new Error(unavailable);
    // A fixed seed: CI tries the same inputs every time, so a red run always means a change broke
    // something (run the script without --seed, and with more examples, to explore).
    const run = spawnSync('bash', [script, '--max-examples', '3', '--seed', '20261121'], { encoding: 'utf8', timeout: 400_000 });
    const out = `${run.stdout}\n${run.stderr}`;
    if (run.status !== 0) console.log(out.slice(-6000));
    // Every operation schemathesis read from the document (all of them selected) was exercised.
    const selected = Number(/Operations:\s+(\d+) selected \/ \1 total/.exec(out)?.[1]);
    expect(selected).toBeGreaterThan(Object.keys(loadOpenApi().paths).length);
    expect(out).toMatch(new RegExp(`Tested: ${selected}\\b`));
    expect(out).not.toMatch(/Server error/);
    expect(out).not.toMatch(/^\[api\] /m);
    expect(run.status).toBe(0);
  }, 420_000);
});
