// Search attributes the orchestrate workflow keeps current, so runs can be found by phase and
// by whether they wait on a person (`baton list --waiting`). Pure definitions.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BatonPhase = defineSearchAttributeKey('BatonPhase', SearchAttributeType.KEYWORD);
export const BatonWaiting = defineSearchAttributeKey('BatonWaiting', SearchAttributeType.BOOL);

/** Name → type, as `temporal operator search-attribute create` takes them. */
export const SEARCH_ATTRIBUTES = { BatonPhase: 'Keyword', BatonWaiting: 'Bool' } as const;
