import { DEFAULT_NOW } from '../../dev/fakes/dataset';

/** The generated library is dated relative to this instant; every run judges it then. */
export const BENCH_NOW_S = DEFAULT_NOW;
