/**
 * A privilege that is not tied to a record (Dynamics 365 "miscellaneous privileges"), such as
 * `manage_users`. Super admins hold all of them; roles (from `@custos/access`) and API-key scopes
 * grant subsets. The vocabulary is open: each lib, and the host, defines its own with
 * {@link definePrivileges}; a route requiring a name nobody defined stops the app at start.
 */
export type TaskPrivilege = string;

const PRIVILEGE_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Every task privilege defined so far, in order of definition. A live list: DTO validation
 * (`@IsIn(TASK_PRIVILEGES)`), OpenAPI enums and "super admins hold all" read it when they run, by
 * which time every lib and the host have defined theirs.
 */
const defined: TaskPrivilege[] = [];
export const TASK_PRIVILEGES: readonly TaskPrivilege[] = defined;

/**
 * OpenAPI schema of a list of task privileges, for `@ApiProperty({ ...TASK_PRIVILEGE_LIST_SCHEMA })`.
 * Its enum is the live list, read when the document is built (an `enum` option would be read
 * when the DTO class is defined, possibly before the host defines its privileges).
 */
export const TASK_PRIVILEGE_LIST_SCHEMA = {
  type: 'array',
  items: { type: 'string', enum: defined },
} as const;

/**
 * Adds `names` to the task privileges and returns them unchanged, typed, for the definer's own
 * union: `export const MY_PRIVILEGES = definePrivileges(['manage_widgets'] as const)`. Call it at
 * the top level of a module that the lib's index and its users import. Defining a name twice
 * (two libs, or a module loaded twice) is harmless.
 */
export function definePrivileges<const Names extends readonly string[]>(names: Names): Names {
  for (const name of names) {
    if (!PRIVILEGE_NAME.test(name)) {
      throw new Error(`Task privilege "${name}" must be snake_case (a-z, 0-9 and _).`);
    }
    if (!defined.includes(name)) {
      defined.push(name);
    }
  }
  return names;
}

/** Whether `value` is a defined task privilege. */
export function isTaskPrivilege(value: unknown): boolean {
  return typeof value === 'string' && TASK_PRIVILEGES.includes(value);
}
