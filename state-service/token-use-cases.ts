import type { Principal } from '../shared/auth/principal.js';
import type { IssuedTokenView, NewToken, TokenService } from '../shared/auth/token-service.js';
import type { TokenSummary } from '../shared/auth/token-store.js';
import {
  assertMayAdminister,
  assertMayList,
  decideIssue,
  mayAdminister,
} from './domain/token-administration.js';

/**
 * Token administration as the caller may do it (the rules are
 * `domain/token-administration.ts`'s): each use case decides on the stored
 * token before it changes anything. A token's role and domains never change
 * after issue, so the check and the change cannot disagree.
 */
export class TokenUseCases {
  constructor(private readonly tokens: TokenService) {}

  async list(caller: Principal): Promise<TokenSummary[]> {
    assertMayList(caller);
    return (await this.tokens.list()).filter((token) => mayAdminister(caller, token));
  }

  issue(caller: Principal, request: NewToken): Promise<IssuedTokenView> {
    return this.tokens.issue(request, decideIssue(caller, request));
  }

  async rotate(caller: Principal, id: string): Promise<IssuedTokenView> {
    assertMayAdminister(caller, await this.target(caller, id));
    return this.tokens.rotate(id);
  }

  async revoke(caller: Principal, id: string): Promise<TokenSummary> {
    assertMayAdminister(caller, await this.target(caller, id));
    return this.tokens.revoke(id);
  }

  /** The token acted on; a caller who administers no token at all is refused before it learns whether it exists. */
  private target(caller: Principal, id: string): Promise<TokenSummary> {
    assertMayList(caller);
    return this.tokens.summary(id);
  }
}
