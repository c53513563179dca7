// The compiled workflow entry, bundled by the worker at start-up.
import { fileURLToPath } from 'node:url';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
