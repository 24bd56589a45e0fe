import { describe, expect, it } from 'vitest';
import { isPrivateAddress, webhookTargetProblem } from './webhook-target.policy.ts';

describe('webhook target policy (SSRF)', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.0.0.8', true],
    ['172.31.255.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd12:3456::1', true],
    ['::ffff:10.0.0.1', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2400:3200::1', false],
    ['hooks.example.org', false],
  ])('%s private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it.each([
    ['https://hooks.example.org/x', false, null],
    ['http://hooks.example.org/x', false, null],
    ['http://127.0.0.1/x', false, 'PRIVATE_ADDRESS'],
    ['http://127.0.0.1/x', true, null],
    ['http://localhost:3000/', false, 'PRIVATE_ADDRESS'],
    ['http://printer.local/', false, 'PRIVATE_ADDRESS'],
    ['http://[::1]/', false, 'PRIVATE_ADDRESS'],
    ['file:///etc/passwd', true, 'SCHEME'],
    ['gopher://x/', true, 'SCHEME'],
    ['https://a:b@hooks.example.org/', true, 'CREDENTIALS'],
    ['not a url', true, 'MALFORMED'],
  ])('%s (private allowed: %s) → %s', (url, allow, problem) => {
    expect(webhookTargetProblem(url, allow)).toBe(problem);
  });
});
