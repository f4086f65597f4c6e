import * as migration_20261203_062317_initial from './20261203_062317_initial';

export const migrations = [
  {
    up: migration_20261203_062317_initial.up,
    down: migration_20261203_062317_initial.down,
    name: '20261203_062317_initial'
  },
];
