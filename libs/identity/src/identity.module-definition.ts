import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Verification of bearer tokens issued by an external OpenID Connect provider. */
export interface OidcOptions {
  /** Expected `iss` claim, e.g. `https://login.example.com/`. */
  issuer: string;
  /** Expected `aud` claim (the client id registered for Custos). */
  audience: string;
  /** URL of the provider's JSON Web Key Set. */
  jwksUrl: string;
  /** Accepted signature algorithms. Default `['RS256', 'ES256', 'PS256']`; symmetric and `none` are never accepted. */
  algorithms?: string[];
  /** Claim holding the user's email, matched against Custos logins. Default `email`. */
  emailClaim?: string;
}

/** Limits on failed password sign-ins, counted in fixed windows. */
export interface LoginThrottleOptions {
  /** Failures allowed per login email per window. Default 5. */
  maxFailuresPerEmail?: number;
  /** Failures allowed per client IP per window. Default 20. */
  maxFailuresPerIp?: number;
  /** Window length in seconds. Default 900 (15 minutes). */
  windowSeconds?: number;
}

/** Options of {@link IdentityModule}. */
export interface IdentityModuleOptions {
  /** HMAC key (at least 32 bytes) for access tokens issued at login. Required. */
  tokenSigningKey: Buffer;
  /** Lifetime of access tokens in seconds. Default 900 (15 minutes). */
  tokenTtlSeconds?: number;
  /** Accept OIDC bearer tokens from this provider. Default: not accepted. */
  oidc?: OidcOptions;
  loginThrottle?: LoginThrottleOptions;
}

export const {
  ConfigurableModuleClass: IdentityConfigurableModule,
  MODULE_OPTIONS_TOKEN: IDENTITY_MODULE_OPTIONS,
  OPTIONS_TYPE: IDENTITY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: IDENTITY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<IdentityModuleOptions>()
  .setClassMethodName('forRoot')
  // Global by default, so that IdentityHttpModule and the host's modules reach its services.
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
