/** The details tree's node type, shared by details.ts and analysis-tree.ts. */
import type { Lang } from '../i18n/catalog.js';

/**
 * A line of the details tree; `diagram` subtrees are teaching aids shown only with meanings on.
 * `localized` (when set) gives the line's text in the chosen language instead of `label`.
 */
export interface TreeNode { label: string; field?: string; children?: TreeNode[]; diagram?: boolean; localized?: (lang: Lang) => string }
