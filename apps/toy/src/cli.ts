#!/usr/bin/env node
import { runCli, trainCli } from '@mtl/kit';
import { toyApp, toyCommand } from './toy-app.js';

runCli('toy', (argv) => trainCli({ app: toyApp, command: toyCommand(), argv }));
