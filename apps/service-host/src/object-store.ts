/** The service's ObjectStore from its config: createObjectStore now lives in @coin/platform (worker pods pick theirs the same way). */
export { createObjectStore } from '@coin/platform';
