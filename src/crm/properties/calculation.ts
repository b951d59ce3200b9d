import type { PropertyDefinition, PropertyValue, ScoreRule } from '../kernel';

/** A parsed calculation formula: arithmetic over number properties. */
export type Formula =
  | { kind: 'number'; value: number }
  | { kind: 'property'; name: string }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Formula; right: Formula }
  | { kind: 'negate'; operand: Formula };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*)|([-+*/()]))/y;

/**
 * Parses `amount * probability / 100`-style formulas (numbers, property names, + - * /,
 * parentheses). Returns the error message instead of throwing, for validation at definition time.
 */
export function parseFormula(source: string): { formula: Formula } | { error: string } {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) {
      break;
    }
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) {
      return { error: `unexpected character at position ${position + 1}` };
    }
    tokens.push(match[1] ?? match[2] ?? match[3]);
    position = TOKEN.lastIndex;
  }
  let index = 0;
  const peek = () => tokens[index];
  const expression = (): Formula => {
    let left = term();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[index++] as '+' | '-';
      left = { kind: 'binary', op, left, right: term() };
    }
    return left;
  };
  const term = (): Formula => {
    let left = factor();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[index++] as '*' | '/';
      left = { kind: 'binary', op, left, right: factor() };
    }
    return left;
  };
  const factor = (): Formula => {
    const token = tokens[index++];
    if (token === undefined) {
      throw new Error('the formula ends too early');
    }
    if (token === '-') {
      return { kind: 'negate', operand: factor() };
    }
    if (token === '(') {
      const inner = expression();
      if (tokens[index++] !== ')') {
        throw new Error('a parenthesis is not closed');
      }
      return inner;
    }
    if (/^\d/.test(token)) {
      return { kind: 'number', value: Number(token) };
    }
    if (/^[a-z]/.test(token)) {
      return { kind: 'property', name: token };
    }
    throw new Error(`unexpected "${token}"`);
  };
  try {
    if (tokens.length === 0) {
      return { error: 'the formula is empty' };
    }
    const formula = expression();
    if (index < tokens.length) {
      return { error: `unexpected "${tokens[index]}"` };
    }
    return { formula };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The property names a formula reads. */
export function formulaInputs(formula: Formula): string[] {
  switch (formula.kind) {
    case 'number':
      return [];
    case 'property':
      return [formula.name];
    case 'negate':
      return formulaInputs(formula.operand);
    case 'binary':
      return [...formulaInputs(formula.left), ...formulaInputs(formula.right)];
  }
}

/**
 * The properties a computed property's value is derived from directly: a calculation's formula
 * inputs, a score's rule properties; none for other types (or a formula that does not parse).
 */
export function computedInputs(definition: PropertyDefinition): string[] {
  switch (definition.type) {
    case 'calculation': {
      const parsed = definition.formula ? parseFormula(definition.formula) : null;
      return parsed && 'formula' in parsed ? formulaInputs(parsed.formula) : [];
    }
    case 'score':
      return definition.scoreRules.map((rule) => rule.propertyName);
    case 'string':
    case 'number':
    case 'bool':
    case 'date':
    case 'datetime':
    case 'enumeration':
    case 'file':
      return [];
  }
}

/**
 * Evaluates a formula; a missing input, a division by zero or a result too large for a number
 * (never stored: JSON has no Infinity) yields `null` (no value).
 */
export function evaluateFormula(
  formula: Formula,
  values: Record<string, PropertyValue>,
): number | null {
  switch (formula.kind) {
    case 'number':
      return formula.value;
    case 'property': {
      const value = values[formula.name];
      return typeof value === 'number' ? value : null;
    }
    case 'negate': {
      const operand = evaluateFormula(formula.operand, values);
      return operand === null ? null : -operand;
    }
    case 'binary': {
      const left = evaluateFormula(formula.left, values);
      const right = evaluateFormula(formula.right, values);
      if (left === null || right === null) {
        return null;
      }
      const result =
        formula.op === '+'
          ? left + right
          : formula.op === '-'
            ? left - right
            : formula.op === '*'
              ? left * right
              : right === 0
                ? null
                : left / right;
      return result !== null && Number.isFinite(result) ? result : null;
    }
  }
}

/** The sum of the points of the rules the record matches. */
export function evaluateScore(
  rules: readonly ScoreRule[],
  values: Record<string, PropertyValue>,
): number {
  let score = 0;
  for (const rule of rules) {
    const value = values[rule.propertyName] ?? null;
    let matches: boolean;
    switch (rule.operator) {
      case 'has_property':
        matches = value !== null && value !== '';
        break;
      case 'eq':
        matches = value === rule.value;
        break;
      case 'neq':
        matches = value !== rule.value;
        break;
      case 'gt':
        matches = typeof value === 'number' && typeof rule.value === 'number' && value > rule.value;
        break;
      case 'lt':
        matches = typeof value === 'number' && typeof rule.value === 'number' && value < rule.value;
        break;
    }
    if (matches) {
      score += rule.points;
    }
  }
  return score;
}
