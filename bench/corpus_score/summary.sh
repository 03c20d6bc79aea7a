#!/usr/bin/env bash
# summary.sh: sum score's lines (stdin) per family, split and size: frames, frames called text,
# mean share of cells right, of non-blank cells right, mean ms (CPU) of the first and a steady run.
#
#   gcc -O2 -std=c11 -D_GNU_SOURCE -Isrc -o build/corpus-score bench/corpus_score/score.c \
#       src/text/*.c src/base/*.c src/video/*.c \
#       $(pkg-config --cflags --libs libturbojpeg libjpeg zlib) -lm -lpthread
#   build/corpus-score build/textcorpus | bench/corpus_score/summary.sh
set -eu
awk '{ k = $1 " " $2 " " $3; n[k]++; t[k] += ($5 == "text"); a[k] += $(NF - 3); b[k] += $(NF - 2); f[k] += $(NF - 1); s[k] += $NF }
END { printf "%-12s %-8s %-10s %6s %5s %8s %9s %8s %8s\n", "family", "split", "size", "frames", "text", "cells%", "nonblank%", "first_ms", "steady_ms"
      for (k in n) { split(k, p, " ")
        printf "%-12s %-8s %-10s %6d %5d %8.2f %9.2f %8.1f %8.1f\n", p[1], p[2], p[3], n[k], t[k], a[k] / n[k], b[k] / n[k], f[k] / n[k], s[k] / n[k] } }' | sort
