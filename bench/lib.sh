# bench/lib.sh: what the shell benchmarks share (sourced, not run: bench/run.sh
# runs bench_*.sh only).
# median: the median of the numbers on standard input, one a line (the upper
# of the middle two for an even count).
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
