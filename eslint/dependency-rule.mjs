// @ts-check
// The dependency rule of the architecture (docs/architecture.md): a lib imports only itself and
// the libs to its left, never the server (src/) or the tests (test/) — nor any other folder by a
// relative path; a server feature (src/<feature>) and a CRM folder (src/crm/<folder>) import
// another only through its index.ts or module; a CRM folder imports only folders of lower
// layers (CRM_LAYERS), so no import runs back up and the folders have no cycle.
import { statSync } from 'node:fs';
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

/**
 * The layers of the server's CRM (src/crm/<folder>), lowest first. A folder imports only folders
 * of the layers before its own: never a folder of its layer (those are independent of each
 * other) nor of a later one, so the folders have no cycle. A lower folder that must hear from a
 * higher one declares a port (an interface and an injection token or a registry) that the higher
 * one implements. The files in src/crm itself (`crm.module.ts`) assemble the folders: no folder
 * imports them. Specs may import any folder (a feature next to the port it meets a layer at).
 */
export const CRM_LAYERS = [
  ['kernel'],
  ['properties'],
  ['sensitive'],
  ['history'],
  ['records'],
  ['search'],
  ['associations', 'attachments', 'imports', 'segments', 'consent'],
  ['forms'],
  ['exports', 'mailings'],
  ['testing'],
];

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

/** The position of a CRM folder in {@link CRM_LAYERS}, or -1 when no layer holds it. */
function layerOf(folder) {
  return CRM_LAYERS.findIndex((layer) => layer.includes(folder));
}

/** Whether a path names a file: as given, or as a TypeScript import names one (without `.ts`). */
function isFile(target) {
  return [target, `${target}.ts`].some(
    (file) => statSync(file, { throwIfNoEntry: false })?.isFile() ?? false,
  );
}

/** @type {import('eslint').Rule.RuleModule} */
const crmLayers = {
  meta: {
    type: 'problem',
    docs: { description: 'A CRM folder imports only the folders of lower layers (CRM_LAYERS)' },
    schema: [],
  },
  create(context) {
    const crm = path.join(REPOSITORY, 'src', 'crm');
    const relativeFile = path.relative(crm, context.filename);
    // Files outside the CRM, and the CRM's own files that assemble its folders.
    if (relativeFile.startsWith('..') || !relativeFile.includes(path.sep)) {
      return {};
    }
    const folder = relativeFile.split(path.sep)[0];
    const layer = layerOf(folder);
    if (layer === -1) {
      return {
        Program(node) {
          context.report({
            node,
            message: `src/crm/${folder} is in no layer of CRM_LAYERS (eslint/dependency-rule.mjs): add it to the layer it belongs to.`,
          });
        },
      };
    }
    return eachImport(context, (source, node) => {
      if (!source.startsWith('.')) {
        return;
      }
      const target = path.resolve(path.dirname(context.filename), source);
      const imported = folderUnder(crm, target);
      if (imported === undefined || imported === folder) {
        return;
      }
      const importedLayer = layerOf(imported);
      if (!path.relative(crm, target).includes(path.sep) && isFile(target)) {
        context.report({
          node,
          message: `src/crm/${imported} assembles the CRM's folders; src/crm/${folder} may not import it.`,
        });
      } else if (importedLayer === -1) {
        context.report({
          node,
          message: `src/crm/${imported} is in no layer of CRM_LAYERS (eslint/dependency-rule.mjs): add it to the layer it belongs to.`,
        });
      } else if (importedLayer === layer) {
        context.report({
          node,
          message: `src/crm/${folder} may not import src/crm/${imported}: folders of one layer are independent (CRM_LAYERS).`,
        });
      } else if (importedLayer > layer) {
        context.report({
          node,
          message: `src/crm/${folder} may not import src/crm/${imported}, a higher layer (CRM_LAYERS); declare a port in src/crm/${folder} that src/crm/${imported} implements.`,
        });
      }
    });
  },
};

/**
 * The part of the server a path lies in, as its folder under src/: a CRM folder (`crm/records`)
 * or a feature (`operator`, and `crm` for the files in src/crm itself); undefined outside src/
 * and for the files in src/ itself.
 */
function serverPartOf(src, file) {
  const relative = path.relative(src, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return undefined;
  }
  const [feature, next, ...rest] = relative.split(path.sep);
  if (next === undefined) {
    return undefined;
  }
  if (feature === 'crm' && (rest.length > 0 || !isFile(path.join(src, feature, next)))) {
    return path.join(feature, next);
  }
  return feature;
}

/**
 * The entry points of a part of the server that other parts may import: its index.ts (the folder
 * itself) or a module file in its root folder.
 */
function isEntry(relative) {
  return relative === '' || relative === 'index' || /^[^/\\]+\.module$/.test(relative);
}

/** @type {import('eslint').Rule.RuleModule} */
const featureExports = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'A server feature or CRM folder imports another only through its index.ts or module',
    },
    schema: [],
  },
  create(context) {
    const src = path.join(REPOSITORY, 'src');
    const part = serverPartOf(src, context.filename);
    // Files in src/ itself (the app module, main.ts) assemble the features.
    if (part === undefined) {
      return {};
    }
    return eachImport(context, (source, node) => {
      if (!source.startsWith('.')) {
        return;
      }
      const target = path.resolve(path.dirname(context.filename), source);
      const imported = serverPartOf(src, target);
      if (imported === undefined || imported === part) {
        return;
      }
      const inside = path.relative(path.join(src, imported), target.replace(/\.[cm]?[jt]s$/, ''));
      if (!isEntry(inside)) {
        context.report({
          node,
          message: `src/${part} may import src/${imported} only through its index.ts or module file, not ${path.relative(REPOSITORY, target)}.`,
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
