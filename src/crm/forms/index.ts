/**
 * Forms and their submissions.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { FormService } from './form.service';
export { FORMS_ENTITIES, FormsModule } from './forms.module';
