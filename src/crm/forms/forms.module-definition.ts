import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';

/** Options of {@link FormsModule} (given to `forRoot`). */
export class FormsModuleOptions {
  /** Submissions accepted per client IP per window, over all forms; more get 429. Default 10. */
  maxSubmissionsPerIp?: number;
  /** Length of the throttling window in seconds. Default 60. */
  submissionWindowSeconds?: number;
}

export const {
  ConfigurableModuleClass: FormsConfigurableModule,
  MODULE_OPTIONS_TOKEN: FORMS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<FormsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras(
    // The host's configured AttachmentsModule: file fields are stored as attachments of the record.
    { attachments: undefined as DynamicModule | undefined },
    (definition, extras) => {
      if (!extras.attachments) {
        throw new Error(
          "FormsModule.forRoot needs `attachments`: the host's AttachmentsModule.forRoot(...) (the same module object the host imports), which stores the files of file fields.",
        );
      }
      return { ...definition, imports: [...(definition.imports ?? []), extras.attachments] };
    },
  )
  .build();
