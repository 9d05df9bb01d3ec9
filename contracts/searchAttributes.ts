// Custom search attributes that let runs be filtered in the Temporal UI and `temporal workflow list`.
// Workflow-safe: only @temporalio/common, so both workflows and setup code import it.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const MusicProvider = defineSearchAttributeKey('MusicProvider', SearchAttributeType.KEYWORD);
export const MusicAlbum = defineSearchAttributeKey('MusicAlbum', SearchAttributeType.KEYWORD);
export const MusicStep = defineSearchAttributeKey('MusicStep', SearchAttributeType.KEYWORD);
export const MusicState = defineSearchAttributeKey('MusicState', SearchAttributeType.KEYWORD);

/** Every custom attribute, by name, as the dev server (`--search-attribute NAME=Keyword`) and the operator service want them. */
export const MUSIC_SEARCH_ATTRIBUTES = [MusicProvider, MusicAlbum, MusicStep, MusicState] as const;
