import { BlacklistEntry } from './blacklist/blacklist-entry.entity';
import { Bounce } from './bounces/bounce.entity';
import { ConsentChainHead } from './events/consent-chain-head.entity';
import { ConsentEvent } from './events/consent-event.entity';
import { ConsentState } from './events/consent-state.entity';
import { ConsentNotice } from './purposes/consent-notice.entity';
import { ConsentPurpose } from './purposes/consent-purpose.entity';

/** Every entity of `@custos/consent`, for the host's DataSource. */
export const CONSENT_ENTITIES = [
  ConsentPurpose,
  ConsentNotice,
  ConsentEvent,
  ConsentState,
  ConsentChainHead,
  BlacklistEntry,
  Bounce,
];
