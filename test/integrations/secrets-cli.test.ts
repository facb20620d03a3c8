import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPar } from '../helpers/cli';

test('par secrets set writes a 0600 file, list shows names (never values), rm removes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-secrets-cli-'));
  const env = { PAR_DATA_DIR: dir, PAR_SECRET_FROM_ENV: 'env-value' };
  const set = await runPar(['secrets', 'set', 'SMTP_PASSWORD'], env, 's3cret-pass\n');
  expect(set.code).toBe(0);
  const file = path.join(dir, 'secrets.json');
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ SMTP_PASSWORD: 's3cret-pass' });
  const list = await runPar(['secrets', 'list', '--json'], env);
  expect(JSON.parse(list.stdout)).toEqual({ names: ['FROM_ENV', 'SMTP_PASSWORD'] });
  expect(list.stdout).not.toContain('s3cret-pass');
  const bad = await runPar(['secrets', 'set', 'not-a-name'], env, 'x');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/"not-a-name" is not a secret name/);
  expect((await runPar(['secrets', 'rm', 'SMTP_PASSWORD'], env)).code).toBe(0);
  expect(JSON.parse((await runPar(['secrets', 'list', '--json'], env)).stdout)).toEqual({ names: ['FROM_ENV'] });
});
