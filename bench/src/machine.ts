import { cpus, loadavg } from 'node:os';
import { tf } from '@mtl/core';

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  tfjs: string;
  torch?: string;
  /** 1-minute load average when the run ended: other work on the machine inflates absolute times. */
  loadAverage: number;
  date: string;
}

export function machineInfo(torch?: string): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    node: process.version,
    tfjs: tf.version['tfjs-core'] ?? 'unknown',
    torch,
    loadAverage: loadavg()[0]!,
    date: new Date().toISOString(),
  };
}
