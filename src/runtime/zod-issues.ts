/** How a YAML config file's validation problem is said: the path of the bad key and what was wrong there. */
import type { z } from 'zod';

/** `rules[3].threshold.above` for ['rules', 3, 'threshold', 'above']. */
export function zodPathText(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`)).join('');
}

/** One issue in words a person fixing the file understands: "expected a number", "unknown key \"abov\"", "required". */
export function describeZodIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const names: Record<string, string> = { number: 'a number', string: 'a string', boolean: 'true or false', object: 'a mapping', array: 'a list', record: 'a mapping' };
      return /received undefined$/.test(issue.message) ? 'required' : `expected ${names[issue.expected] ?? issue.expected}`;
    }
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}
