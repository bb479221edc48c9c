// Passphrase strength hint: length, character classes, and a check against
// common passwords and keyboard/alphabet runs. It is a hint, not a guarantee;
// the KDF does the real work. No external library, no network.

export type Score = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  score: Score;
  label: string;
  hints: string[];
}

export const LABELS = ['very weak', 'weak', 'fair', 'strong', 'very strong'] as const;

/** The weakest score Create accepts. */
export const MIN_ACCEPTED: Score = 2;

// The most common leaked passwords (lowercase); variants with trailing digits
// or symbols are caught by stripping them first.
const COMMON = new Set([
  '123456', '123456789', '12345678', '12345', '1234567', '1234567890', 'password', 'password1',
  'qwerty', 'qwerty123', 'qwertyuiop', 'abc123', '111111', '000000', 'iloveyou', 'admin',
  'administrator', 'welcome', 'letmein', 'monkey', 'dragon', 'football', 'baseball', 'sunshine',
  'princess', 'master', 'shadow', 'superman', 'michael', 'jennifer', 'trustno1', 'starwars',
  'passw0rd', 'p@ssw0rd', 'p@ssword', 'secret', 'changeme', 'default', 'login', 'root', 'toor',
  'azerty', 'asdfgh', 'asdfghjkl', 'zxcvbn', 'zxcvbnm', '1q2w3e4r', '1qaz2wsx', 'qazwsx',
  'hello', 'freedom', 'whatever', 'ninja', 'mustang', 'access', 'flower', 'hottie', 'loveme',
  'charlie', 'donald', 'batman', 'pokemon', 'computer', 'internet', 'summer', 'winter',
  'spring', 'autumn', 'company', 'sharedvault', 'vault', 'devops', 'jira', 'azure', 'atlassian',
  'microsoft', 'google', 'linux', 'windows', 'test', 'testing', 'guest', 'user', 'pass',
  'passphrase', 'correcthorsebatterystaple', 'letmein123', 'welcome1', 'qwerty1', 'password123',
]);

const RUNS = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

function isCommon(p: string): boolean {
  const lower = p.toLowerCase();
  const bare = lower.replace(/[\d\W_]+$/u, '').replace(/^[\d\W_]+/u, '');
  return COMMON.has(lower) || (bare.length > 0 && COMMON.has(bare));
}

// True when the whole passphrase is one repeated character or a straight run
// of a keyboard row / the alphabet / digits (forwards or backwards).
function isTrivialPattern(p: string): boolean {
  const lower = p.toLowerCase();
  if (/^(.)\1*$/u.test(lower)) return true;
  if (lower.length < 4) return false;
  return RUNS.some((run) => run.includes(lower) || [...run].reverse().join('').includes(lower));
}

function classes(p: string): { count: number; pool: number } {
  let pool = 0;
  let count = 0;
  const add = (re: RegExp, size: number) => {
    if (re.test(p)) {
      pool += size;
      count++;
    }
  };
  add(/[a-z]/u, 26);
  add(/[A-Z]/u, 26);
  add(/[0-9]/u, 10);
  add(/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/u, 33);
  add(/[^\x00-\x7f]/u, 100);
  return { count, pool };
}

export function passphraseStrength(p: string): Strength {
  const length = [...p].length;
  const hints: string[] = [];
  if (length === 0) return { score: 0, label: LABELS[0], hints: ['enter a passphrase'] };

  if (isCommon(p)) {
    return { score: 0, label: LABELS[0], hints: ['this is a commonly used password: choose another'] };
  }
  if (isTrivialPattern(p)) {
    return { score: 0, label: LABELS[0], hints: ['avoid repeated characters and keyboard runs'] };
  }

  const { count, pool } = classes(p);
  // Distinct characters bound the real alphabet: "aaaaaaaaaaaaaab" is not 15 random letters.
  const distinct = new Set(p).size;
  const bits = Math.min(length, distinct * 2) * Math.log2(Math.max(pool, 2));

  let score: Score = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  if (length < 8) score = Math.min(score, 0) as Score;
  else if (length < 12) score = Math.min(score, 1) as Score;

  if (length < 12) hints.push('use at least 12 characters');
  if (count < 3 && length < 20) hints.push('add capitals, digits or symbols, or use four or more random words');
  return { score, label: LABELS[score], hints };
}
