import {
  COMPUTED_TYPES,
  INDEXABLE_TYPES,
  type PropertyDefinition,
  type PropertySchema,
  type Sensitivity,
} from '../kernel';
import { computedInputs, formulaInputs, parseFormula } from './calculation';
import { propertyErrors, type PropertyChange } from './properties.errors';
import type { CreatePropertyDto, UpdatePropertyDto } from './property.dto';

/** The definition a create request asks for, with the defaults filled in (not yet checked). */
export function newDefinition(input: CreatePropertyDto): PropertyDefinition {
  return {
    name: input.name,
    label: input.label,
    groupName: input.groupName ?? 'custom',
    description: input.description ?? '',
    type: input.type,
    options: input.options ?? [],
    unique: input.unique ?? false,
    required: input.required ?? false,
    standard: false,
    formula: input.formula ?? null,
    scoreRules: input.scoreRules ?? [],
    sensitivity: input.sensitivity
      ? {
          phi: input.sensitivity.phi ?? false,
          highlySensitive: input.sensitivity.highlySensitive ?? false,
          access: input.sensitivity.access ?? 'everyone',
        }
      : null,
    indexed: input.indexed ?? false,
    indexState: null,
    dataCategory: input.dataCategory ?? null,
  };
}

/**
 * The definition after an update (not yet checked): a new type drops the options, formula and
 * score rules the old type had unless the update gives new ones.
 */
export function updatedDefinition(
  current: PropertyDefinition,
  input: UpdatePropertyDto,
): PropertyDefinition {
  return {
    ...current,
    label: input.label ?? current.label,
    groupName: input.groupName ?? current.groupName,
    description: input.description ?? current.description,
    type: input.type ?? current.type,
    options: input.options ?? (input.type && input.type !== 'enumeration' ? [] : current.options),
    required: input.required ?? current.required,
    formula: input.formula ?? (input.type && input.type !== 'calculation' ? null : current.formula),
    scoreRules:
      input.scoreRules ?? (input.type && input.type !== 'score' ? [] : current.scoreRules),
    sensitivity: nextSensitivity(current, input),
    indexed: input.indexed ?? current.indexed,
    dataCategory: input.dataCategory !== undefined ? input.dataCategory : current.dataCategory,
  };
}

/** The sensitivity after an update: its details may change, whether it is sensitive may not. */
export function nextSensitivity(
  current: PropertyDefinition,
  input: UpdatePropertyDto,
): Sensitivity | null {
  if (input.sensitivity === undefined) {
    return current.sensitivity;
  }
  if (input.sensitivity === null || !current.sensitivity) {
    throw propertyErrors.sensitivityFixed();
  }
  return {
    phi: input.sensitivity.phi ?? current.sensitivity.phi,
    highlySensitive: input.sensitivity.highlySensitive ?? current.sensitivity.highlySensitive,
    access: input.sensitivity.access ?? current.sensitivity.access,
  };
}

/**
 * A property read by a calculation's formula or a score's rules cannot be deleted or retyped:
 * the computed property would silently lose its value.
 */
export function refuseIfComputedFrom(
  schema: PropertySchema,
  name: string,
  change: PropertyChange,
): void {
  const users = [...schema.byName.values()]
    .filter((d) => computedInputs(d).includes(name))
    .map((d) => d.name);
  if (users.length > 0) {
    throw propertyErrors.computedFrom(name, change, users);
  }
}

/** Cross-field rules of a definition, each refused with a 422 naming the field. */
export function checkDefinition(definition: PropertyDefinition, schema: PropertySchema): void {
  const computed = COMPUTED_TYPES.has(definition.type);
  if (definition.sensitivity && computed) {
    throw propertyErrors.sensitiveNotAllowed(definition.type);
  }
  if (definition.sensitivity && definition.unique) {
    throw propertyErrors.uniqueNotAllowed(
      'a sensitive property cannot require unique values (they would be compared in clear)',
    );
  }
  if (definition.unique && (computed || definition.type === 'bool')) {
    throw propertyErrors.uniqueNotAllowed(
      `a ${definition.type} property cannot require unique values`,
    );
  }
  if (definition.required && computed) {
    throw propertyErrors.requiredNotAllowed(definition.type);
  }
  checkIndexed(definition);
  checkOptions(definition);
  checkFormula(definition, schema);
  checkScoreRules(definition, schema);
}

function checkIndexed(definition: PropertyDefinition): void {
  if (!definition.indexed) {
    return;
  }
  if (definition.sensitivity) {
    // An index would hold the plaintext; equality on sensitive values goes through the blind index.
    throw propertyErrors.indexNotAllowed(
      'a sensitive property cannot be indexed: its values are searched through their blind index',
    );
  }
  if (!INDEXABLE_TYPES.has(definition.type)) {
    throw propertyErrors.indexNotAllowed(`a ${definition.type} property cannot be indexed`);
  }
}

function checkOptions(definition: PropertyDefinition): void {
  if (definition.type !== 'enumeration') {
    if (definition.options.length > 0) {
      throw propertyErrors.optionsNotAllowed();
    }
    return;
  }
  if (definition.options.length === 0) {
    throw propertyErrors.optionsRequired();
  }
  const values = definition.options.map((o) => o.value);
  const duplicate = values.findIndex((v, i) => values.indexOf(v) !== i);
  if (duplicate >= 0) {
    throw propertyErrors.duplicateOption(duplicate);
  }
}

function checkFormula(definition: PropertyDefinition, schema: PropertySchema): void {
  if (definition.type !== 'calculation') {
    if (definition.formula) {
      throw propertyErrors.formulaNotAllowed();
    }
    return;
  }
  if (!definition.formula) {
    throw propertyErrors.formulaRequired();
  }
  const parsed = parseFormula(definition.formula);
  if ('error' in parsed) {
    throw propertyErrors.invalidFormula(parsed.error);
  }
  for (const input of formulaInputs(parsed.formula)) {
    const used = schema.byName.get(input);
    if (!used || used.type !== 'number') {
      throw propertyErrors.invalidFormula(
        `"${input}" is not a number property of this object type`,
      );
    }
    if (used.sensitivity) {
      throw propertyErrors.invalidFormula(
        `"${input}" is sensitive: a computed value would show it in clear`,
      );
    }
  }
}

function checkScoreRules(definition: PropertyDefinition, schema: PropertySchema): void {
  if (definition.type !== 'score') {
    if (definition.scoreRules.length > 0) {
      throw propertyErrors.scoreRulesNotAllowed();
    }
    return;
  }
  definition.scoreRules.forEach((rule, index) => {
    const tested = schema.byName.get(rule.propertyName);
    if (!tested || rule.propertyName === definition.name) {
      throw propertyErrors.invalidScoreRule(index, 'is not another property of this object type');
    }
    if (tested.sensitivity) {
      throw propertyErrors.invalidScoreRule(index, 'is sensitive: a score would reveal its value');
    }
  });
}
