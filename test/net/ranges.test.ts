/**
 * test/net/ranges: RFC 1918 and RFC 6598 space, at their edges.
 */
import { describe, expect, it } from 'vitest';
import { isNotInternetRoutable, isRfc1918 } from '../../src/net/ranges.ts';
import { parseIp } from '../../src/net/ipv4.ts';

const ip = (t: string): number => parseIp(t) as number;

describe('special ranges', () => {
  it('RFC 1918: 10/8, 172.16/12, 192.168/16, edges included', () => {
    for (const a of ['10.0.0.0', '10.255.255.255', '172.16.0.0', '172.31.255.255', '192.168.0.0', '192.168.255.255']) expect(isRfc1918(ip(a))).toBe(true);
    for (const a of ['9.255.255.255', '11.0.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0', '100.64.0.1']) expect(isRfc1918(ip(a))).toBe(false);
  });
  it('RFC 6598 shared space is not internet-routable either', () => {
    expect(isNotInternetRoutable(ip('100.64.0.0'))).toBe(true);
    expect(isNotInternetRoutable(ip('100.127.255.255'))).toBe(true);
    expect(isNotInternetRoutable(ip('100.128.0.0'))).toBe(false);
    expect(isNotInternetRoutable(ip('10.1.2.3'))).toBe(true);
    expect(isNotInternetRoutable(ip('8.8.8.8'))).toBe(false);
  });
});
