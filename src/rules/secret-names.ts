/**
 * Which member, parameter and header names hold secrets (the contract's list): token,
 * secret, password, passwd, pwd, apiKey, api_key, authorization, session, cookie,
 * credential, private_key, client_secret, card, cardNumber, pan, cvv, cvc, ssn.
 *
 * Long words count wherever they appear in a name (`accessToken`, `x-session-id`); short
 * ones only as a whole word of it (`card_pan`, `cardNumber`, but not `company` or `className`).
 */
const ANYWHERE = /token|secret|passw|pwd|api_?key|authori[sz]ation|session|cookie|credential|private_?key|jsessionid|phpsessid/;
const WHOLE_WORDS: ReadonlySet<string> = new Set(['card', 'pan', 'cvv', 'cvv2', 'cvc', 'cvc2', 'ssn', 'pin', 'sid', 'auth']);
const WORD_BREAK = /[^a-z0-9]+/;

/** The longest name judged; longer ones are judged by their first characters. */
const MAX_NAME = 128;

/**
 * True when a member, parameter or header named `name` holds a secret.
 * @param extra further names (lower-case) that are secrets exactly: the configured credential headers
 */
export function isSecretName(name: string, extra?: ReadonlySet<string>): boolean {
  const clipped = name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
  // camelCase → camel_case, then lower-case: `cardNumber` → `card_number`.
  const lower = clipped.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (extra?.has(lower) === true || extra?.has(clipped.toLowerCase()) === true) return true;
  const compact = lower.replace(/-/g, '_');
  if (ANYWHERE.test(compact)) return true;
  for (const word of compact.split(WORD_BREAK)) if (WHOLE_WORDS.has(word)) return true;
  return false;
}
