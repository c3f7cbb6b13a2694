import { describe, expect, it } from 'vitest';
import { hostAllowed, isLoopback, originAllowed } from '../../../src/main/console/origin.ts';

describe('origin and Host checks', () => {
  const loop = { bindHost: '127.0.0.1', port: 8080 };
  const lan = { bindHost: '192.168.10.5', port: 8080 };

  it('knows loopback names and addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '192.168.10.5', 'station.local', '::']) expect(isLoopback(h)).toBe(false);
  });

  it('on loopback accepts only loopback Host headers with our port (DNS rebinding is refused)', () => {
    expect(hostAllowed('127.0.0.1:8080', loop)).toBe(true);
    expect(hostAllowed('localhost:8080', loop)).toBe(true);
    expect(hostAllowed('[::1]:8080', loop)).toBe(true);
    expect(hostAllowed('127.0.0.1', loop)).toBe(true);
    expect(hostAllowed('attacker.example:8080', loop)).toBe(false);
    expect(hostAllowed('127.0.0.1:9090', loop)).toBe(false);
    expect(hostAllowed(undefined, loop)).toBe(false);
    expect(hostAllowed('', loop)).toBe(false);
    expect(hostAllowed('a b:80', loop)).toBe(false);
  });

  it('bound to the LAN accepts IP literals and the bind name, not other names', () => {
    expect(hostAllowed('192.168.10.5:8080', lan)).toBe(true);
    expect(hostAllowed('10.0.0.7:8080', lan)).toBe(true);
    expect(hostAllowed('attacker.example:8080', lan)).toBe(false);
    expect(hostAllowed('station.local:8080', { bindHost: 'station.local', port: 8080 })).toBe(true);
  });

  it('refuses a cross-origin page and accepts our own page or a client without Origin', () => {
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
    expect(originAllowed('HTTP://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
    expect(originAllowed(undefined, '127.0.0.1:8080')).toBe(true);
    expect(originAllowed('https://evil.example', '127.0.0.1:8080')).toBe(false);
    expect(originAllowed('http://127.0.0.1:8081', '127.0.0.1:8080')).toBe(false);
    expect(originAllowed('null', '127.0.0.1:8080')).toBe(false);
    expect(originAllowed('http://127.0.0.1:8080', undefined)).toBe(false);
  });
});
