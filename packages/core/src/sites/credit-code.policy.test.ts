import { describe, expect, it } from 'vitest';
import { creditCodeCheck, isValidCreditCode } from './credit-code.policy.ts';

describe('统一社会信用代码 check character (GB 32100-2015)', () => {
  // Codes as published on the national enterprise credit information system and the organisations' own sites.
  it.each([
    ['914403001922038216', '华为技术有限公司'],
    ['9144030071526726XG', '深圳市腾讯计算机系统有限公司'],
    ['91330100716105852F', '阿里巴巴（中国）网络技术有限公司'],
    ['91110000802100433B', '中国石油天然气股份有限公司'],
    ['91350100M000100Y43', 'the standard’s own example'],
  ])('accepts %s (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
  });

  it.each([
    ['914403001922038217', 'a wrong check character'],
    ['91440300192203821', '17 characters'],
    ['9144030019220382160', '19 characters'],
    ['914403001922038I16', 'I is not in the alphabet'],
    ['91440300192203821o', 'lower case'],
    ['91A403001922038216', 'letters in the administrative division'],
    ['', 'empty'],
  ])('refuses %s (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(false);
  });

  it('computes a check character of 0 when the sum is a multiple of 31', () => {
    // 31 − 0 would be 31: the standard maps it to 0.
    expect(creditCodeCheck('00000000000000000')).toBe('0');
  });
});
