// @ts-check
// The dependency rule of the architecture (docs/architecture.md): a lib imports only itself and
// the libs to its left, never the server (src/) or the tests (test/) — nor any other folder by a
// relative path; a server feature (src/<feature>) imports another only through its index.ts or
// module; inside the server's CRM, lower layers never import higher features.
import path from 'node:path';

const REPOSITORY = path.dirname(path.dirname(new URL(import.meta.url).pathname));

const LEFT_OF_APPROVALS = ['core', 'audit', 'crypto', 'access', 'identity'];

/** Each lib and the libs it may import (the libs to its left). */
export const LIB_DEPENDENCIES = {
  core: [],
  audit: ['core'],
  crypto: ['core'],
  access: ['core', 'audit', 'crypto'],
  identity: ['core', 'audit', 'crypto', 'access'],
  approvals: LEFT_OF_APPROVALS,
  exports: [...LEFT_OF_APPROVALS, 'approvals'],
  partners: [...LEFT_OF_APPROVALS, 'approvals'],
  consent: [...LEFT_OF_APPROVALS, 'approvals', 'exports'],
  privacy: [...LEFT_OF_APPROVALS, 'approvals', 'exports', 'consent'],
};

/** The CRM's lower layers and the features above them (src/crm/<folder>). */
export const CRM_LAYERS = {
  lower: ['kernel', 'records', 'properties', 'history', 'search', 'sensitive'],
  higher: ['forms', 'imports', 'attachments', 'associations', 'segments', 'mailings', 'exports'],
};

/** @param {import('eslint').Rule.RuleContext} context @param {(source: string, node: import('estree').Node) => void} check */
function eachImport(context, check) {
  /** @param {any} node */
  const visit = (node) => {
    if (node.source && typeof node.source.value === 'string') {
      check(node.source.value, node.source);
    }
  };
  return {
    ImportDeclaration: visit,
    ExportAllDeclaration: visit,
    ExportNamedDeclaration: visit,
    ImportExpression: visit,
  };
}

/** The folder under `base` that a path lies in (its first segment), or undefined outside `base`. */
function folderUnder(base, file) {
  const relative = path.relative(base, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return undefined;
  }
  return relative.split(path.sep)[0];
}

/** @type {import('eslint').Rule.RuleModule} */
const libDependencies = {
  meta: {
    type: 'problem',
    docs: { description: 'A lib imports only the libs to its left, never src/ or test/' },
    schema: [],
  },
  create(context) {
    const lib = folderUnder(path.join(REPOSITORY, 'libs'), context.filename);
    if (lib === undefined) {
      return {};
    }
    const allowed = new Set([lib, ...(LIB_DEPENDENCIES[lib] ?? [])]);
    const libRoot = path.join(REPOSITORY, 'libs', lib);
    return eachImport(context, (source, node) => {
      const imported = /^@custos\/([^/]+)/.exec(source)?.[1];
      if (imported !== undefined && !allowed.has(imported)) {
        context.report({
          node,
          message: `@custos/${lib} may import only ${[...allowed].map((name) => `@custos/${name}`).join(', ')} (the libs to its left), not @custos/${imported}.`,
        });
      }
      if (source.startsWith('.')) {
        const target = path.resolve(path.dirname(context.filename), source);
        if (folderUnder(libRoot, target) === undefined) {
          context.report({
            node,
            message: `A lib imports nothing outside its folder by path (here ${path.relative(REPOSITORY, target)}); the server and tests are never imported, other libs only as @custos/<name>.`,
          });
        }
      }
    });
  },
};

/** @type {import('eslint').Rule.RuleModule} */
const crmLayers = {
  meta: {
    type: 'problem',
    docs: { description: "The CRM's lower layers never import its higher features" },
    schema: [],
  },
  create(context) {
    const crm = path.join(REPOSITORY, 'src', 'crm');
    const layer = folderUnder(crm, context.filename);
    if (layer === undefined || !CRM_LAYERS.lower.includes(layer)) {
      return {};
    }
    return eachImport(context, (source, node) => {
      if (!source.startsWith('.')) {
        return;
      }
      const feature = folderUnder(crm, path.resolve(path.dirname(context.filename), source));
      if (feature !== undefined && CRM_LAYERS.higher.includes(feature)) {
        context.report({
          node,
          message: `src/crm/${layer} is a lower layer and may not import the feature src/crm/${feature}; declare a port in the lower layer that the feature implements.`,
        });
      }
    });
  },
};

/**
 * The entry points of a server feature (src/<feature>) that other features may import: its
 * index.ts (the folder itself) or a module file in its root folder.
 */
function isFeatureEntry(relative) {
  return relative === '' || relative === 'index' || /^[^/\\]+\.module$/.test(relative);
}

/** @type {import('eslint').Rule.RuleModule} */
const featureExports = {
  meta: {
    type: 'problem',
    docs: { description: 'A server feature imports another only through its index.ts or module' },
    schema: [],
  },
  create(context) {
    const src = path.join(REPOSITORY, 'src');
    const relativeFile = path.relative(src, context.filename);
    const feature = folderUnder(src, context.filename);
    // Files in src/ itself (the app module, main.ts) assemble the features.
    if (feature === undefined || !relativeFile.includes(path.sep)) {
      return {};
    }
    return eachImport(context, (source, node) => {
      if (!source.startsWith('.')) {
        return;
      }
      const target = path.resolve(path.dirname(context.filename), source);
      const imported = folderUnder(src, target);
      if (imported === undefined || imported === feature || path.dirname(target) === src) {
        return;
      }
      const inside = path.relative(path.join(src, imported), target.replace(/\.[cm]?[jt]s$/, ''));
      if (!isFeatureEntry(inside)) {
        context.report({
          node,
          message: `src/${feature} may import the feature src/${imported} only through its index.ts or module file, not ${path.relative(REPOSITORY, target)}.`,
        });
      }
    });
  },
};

export const dependencyRule = {
  rules: {
    'lib-dependencies': libDependencies,
    'crm-layers': crmLayers,
    'feature-exports': featureExports,
  },
};
