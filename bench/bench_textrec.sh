#!/usr/bin/env bash
# Text mode (issue 8), measured in one run on the same frames:
#  1. build/bench/textrec: on the QEMU captures in tests/data/text (SeaBIOS, GRUB, a
#     Linux console with colours, a whiptail-like installer), at 720x400 and stretched to
#     1280x720 and 1920x1080, through JPEG at quality 50, 75 and 90: the share of cells
#     whose character, foreground and background are all right, and ms per frame;
#  2. Tesseract (tesseract-ocr, one thread, --psm 6) on the same frames at quality 75
#     (TESS_QUALITIES="50 75 90" for all): its character accuracy and seconds per frame,
#     beside ours computed the same way (reading order, whitespace ignored; all visible
#     characters, and letters and digits only, where OCR is at its best).
# make bench runs it (bench/run.sh); it installs tesseract-ocr (scripts/deps.sh bench) and
# builds build/bench/textrec itself. docs/benchmarks-text.md has a run.
# BENCH_SMOKE=1: one timed run a frame and Tesseract on one frame, in a few seconds (make
# test's check that it runs); exits non-zero when any step fails or measures nothing.
set -u
cd "$(dirname "$0")/.."
scripts/deps.sh bench || exit 1
make -s build/bench/textrec >/dev/null || exit 1
D=build/bench-data/text
rm -rf "$D" && mkdir -p "$D"

echo "-- sshkvm's recogniser (warm: the mode known from the last frame; cold: searched)"
build/bench/textrec --write "$D" ${REPS:+--reps "$REPS"} || exit 1

echo
echo "-- the same frames: sshkvm vs Tesseract $(tesseract --version 2>/dev/null | head -1 | awk '{print $2}')"
printf '%-8s %-9s %4s  %-17s %-17s %9s\n' screen size q "sshkvm vis/alnum" "tesseract vis/alnum" "tess s"
sum_ours=0 sum_tess=0 sum_s=0 n=0
for f in "$D"/*.ppm; do
  base=${f%.ppm}
  name=$(basename "$base")
  screen=${name%%-*}
  q=${name##*-q}
  case " ${TESS_QUALITIES:-75} " in *" $q "*) ;; *) continue ;; esac
  size=${name#*-}; size=${size%-q*}
  start=$(date +%s%N)
  OMP_THREAD_LIMIT=1 tesseract "$f" "$base.tess" --psm 6 >/dev/null 2>&1 || { echo "tesseract failed on $f"; exit 1; }
  secs=$(echo "scale=2; ($(date +%s%N) - $start) / 1000000000" | bc)
  read -r ov oa < <(python3 bench/textscreens/ocr_score.py "$D/$screen.truth.txt" "$base.ours.txt")
  read -r tv ta < <(python3 bench/textscreens/ocr_score.py "$D/$screen.truth.txt" "$base.tess.txt")
  if [ -z "${oa:-}" ] || [ -z "${ta:-}" ]; then echo "no score for $base"; exit 1; fi
  printf '%-8s %-9s %4s  %7.2f%% %7.2f%%  %7.2f%% %7.2f%%  %9.2f\n' "$screen" "$size" "$q" \
    "$(echo "$ov * 100" | bc)" "$(echo "$oa * 100" | bc)" "$(echo "$tv * 100" | bc)" "$(echo "$ta * 100" | bc)" "$secs"
  sum_ours=$(echo "$sum_ours + $ov" | bc); sum_tess=$(echo "$sum_tess + $tv" | bc)
  sum_s=$(echo "$sum_s + $secs" | bc); n=$((n + 1))
  [ "${BENCH_SMOKE:-}" = 1 ] && break
done
[ "$n" -gt 0 ] || { echo "no frame for Tesseract"; exit 1; }
printf 'mean over %d frames: sshkvm %.2f%% visible characters, Tesseract %.2f%% at %.2f s a frame\n' "$n" \
  "$(echo "$sum_ours * 100 / $n" | bc -l)" "$(echo "$sum_tess * 100 / $n" | bc -l)" "$(echo "$sum_s / $n" | bc -l)"
