import { hostAllowed } from '../../activities/act/allowed-hosts';
import { loadActConfig } from '../../activities/act/config';
import { ActRequestError } from '../../activities/act/errors';
import { DEFAULT_ACT_LIMITS, resolveActLimits } from '../../activities/act/limits';
import { validateActRequest } from '../../activities/act/request';

const valid = { code: 'print(1)', variables: {}, message: '', history: [], runId: 'r1' };

describe('act limits', () => {
  test('defaults apply where a node sets none, and a node may set each limit', () => {
    expect(resolveActLimits(undefined)).toEqual({ timeoutMs: 30_000, memoryMb: 256, outputBytes: 1_000_000 });
    expect(resolveActLimits({ timeoutMs: 5000 })).toEqual({ ...DEFAULT_ACT_LIMITS, timeoutMs: 5000 });
    expect(resolveActLimits({ memoryMb: 512, outputBytes: 2048 })).toEqual({ timeoutMs: 30_000, memoryMb: 512, outputBytes: 2048 });
  });

  test('out-of-range, non-integer and unknown limits are refused naming the field', () => {
    expect(() => resolveActLimits({ timeoutMs: 3_600_000 })).toThrow(/limits\.timeoutMs is 3600000 ms; allowed 100 to 600000/);
    expect(() => resolveActLimits({ memoryMb: 16 })).toThrow(/limits\.memoryMb is 16 MB; allowed 64 to 2048/);
    expect(() => resolveActLimits({ outputBytes: 1.5 })).toThrow(/limits\.outputBytes must be an integer/);
    expect(() => resolveActLimits({ cpu: 1 } as never)).toThrow(/limits\.cpu is not a limit/);
    expect(() => resolveActLimits({ timeoutMs: 0 })).toThrow(ActRequestError);
  });

  test('worker-wide defaults come from the environment and are checked', () => {
    const config = loadActConfig({ PAR_ACT_TIMEOUT_MS: '5000', PAR_ACT_POOL_SIZE: '0', PAR_ACT_REQUIRE_ISOLATION: '0' });
    expect(config.defaults.timeoutMs).toBe(5000);
    expect(config.poolSize).toBe(0);
    expect(config.requireIsolation).toBe(false);
    expect(loadActConfig({}).requireIsolation).toBe(true);
    expect(() => loadActConfig({ PAR_ACT_POOL_SIZE: 'many' })).toThrow(/PAR_ACT_POOL_SIZE=many/);
    expect(() => loadActConfig({ PAR_ACT_MEMORY_MB: '8' })).toThrow(/memoryMb is 8 MB/);
  });
});

describe('act request validation', () => {
  test('a well-formed request passes', () => {
    expect(() => validateActRequest({ ...valid, allowedHosts: ['api.example.com', '127.0.0.1:8080', '*.example.org'], vault: 'docs' })).not.toThrow();
  });

  test.each([
    [{ ...valid, code: 42 }, /code must be a string/],
    [{ ...valid, variables: [] }, /variables must be an object/],
    [{ ...valid, message: null }, /message must be a string/],
    [{ ...valid, history: [{ role: 'user' }] }, /history\[0\] must be/],
    [{ ...valid, runId: '' }, /runId must be a non-empty string/],
    [{ ...valid, allowedHosts: ['http://evil.example/'] }, /allowedHosts\[0\] "http:\/\/evil.example\/" is not a host name/],
    [{ ...valid, code: 'x'.repeat(200_001) }, /code is 200001 characters/],
  ])('%# refused with the field named', (req, message) => {
    expect(() => validateActRequest(req)).toThrow(message);
  });
});

describe('allowed hosts', () => {
  const url = (u: string) => new URL(u);
  test('nothing is allowed by default', () => {
    expect(hostAllowed(url('https://example.com/'), [])).toBe(false);
  });
  test('a bare host allows any port; host:port only that port; *.domain only subdomains', () => {
    expect(hostAllowed(url('https://API.example.com/x'), ['api.example.com'])).toBe(true);
    expect(hostAllowed(url('http://api.example.com:8080/'), ['api.example.com'])).toBe(true);
    expect(hostAllowed(url('http://127.0.0.1:8080/'), ['127.0.0.1:8080'])).toBe(true);
    expect(hostAllowed(url('http://127.0.0.1:8081/'), ['127.0.0.1:8080'])).toBe(false);
    expect(hostAllowed(url('https://example.com/'), ['example.com:443'])).toBe(true);
    expect(hostAllowed(url('https://a.example.org/'), ['*.example.org'])).toBe(true);
    expect(hostAllowed(url('https://example.org/'), ['*.example.org'])).toBe(false);
    expect(hostAllowed(url('https://evilexample.org/'), ['*.example.org'])).toBe(false);
    expect(hostAllowed(url('https://api.example.com.evil.net/'), ['api.example.com'])).toBe(false);
  });
  test('only http and https', () => {
    expect(hostAllowed(url('file:///etc/passwd'), ['localhost'])).toBe(false);
    expect(hostAllowed(url('ftp://example.com/'), ['example.com'])).toBe(false);
  });
});
