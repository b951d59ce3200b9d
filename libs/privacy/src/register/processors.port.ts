/** A processor acting for the account (Art. 28), e.g. a partner firm whose staff help run it. */
export interface ProcessorView {
  name: string;
  /** What kind of processor (`partner_firm`). */
  kind: string;
}

/** Who processes the account's data on its behalf: the host answers (with partners, the firms). */
export interface PrivacyProcessors {
  processorsOf(accountId: string): Promise<ProcessorView[]>;
}

export const PRIVACY_PROCESSORS = Symbol('PRIVACY_PROCESSORS');
