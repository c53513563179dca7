#!/usr/bin/env node
// The `rollouts` command runs the compiled client (npm run build).
import '../dist/client/main.js';
