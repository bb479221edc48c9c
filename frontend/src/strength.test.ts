import { describe, expect, it } from 'vitest';
import { MIN_ACCEPTED, passphraseStrength } from './strength';

describe('passphraseStrength', () => {
  const cases: Array<[string, number, number]> = [
    // passphrase, min score, max score
    ['', 0, 0],
    ['password', 0, 0],
    ['Password1!', 0, 0],
    ['123456789', 0, 0],
    ['qwertyuiop', 0, 0],
    ['zzzzzzzzzzzzzzzz', 0, 0],
    ['aB3$', 0, 0],
    ['Tr0ub4dor&3', 1, 1],
    ['lowercaseonlyphrase', 2, 4],
    ['correct horse battery staple', 4, 4],
    ['gT7#kp2!Lm9@xQ', 3, 4],
  ];
  for (const [p, min, max] of cases) {
    it(`scores ${JSON.stringify(p)} in ${min}..${max}`, () => {
      const got = passphraseStrength(p).score;
      expect(got).toBeGreaterThanOrEqual(min);
      expect(got).toBeLessThanOrEqual(max);
    });
  }

  it('flags common passwords with a hint', () => {
    expect(passphraseStrength('letmein').hints.join(' ')).toContain('commonly used');
  });

  it('asks for length below 12 characters', () => {
    expect(passphraseStrength('Xy7$Xy8%').hints).toContain('use at least 12 characters');
  });

  it('accepts a long passphrase of random words', () => {
    expect(passphraseStrength('orbit cactus lantern meadow').score).toBeGreaterThanOrEqual(MIN_ACCEPTED);
  });
});
