#!/usr/bin/env bash
# Text mode on real screens nobody here drew or tuned on (issue 18), in one run on the same frames:
#  1. bench/corpus/gen.py makes (once; cached under build/textcorpus) the corpus: SeaBIOS and
#     Linux vgacon under three VGA ROMs (80x25, 80x50), OVMF's UEFI shell and setup pages at
#     five GOP resolutions, each frame's truth read from the guest and checked against the
#     lossless screendump, each as JPEG q50/q75/q90, native and scaled to 1280x720 and
#     1920x1080, 4:2:0 and 4:2:2 (build/textcorpus/README.md says the format and the split);
#  2. build/bench/textcorpus: the recogniser with no font given, per split (tune, held out),
#     family, size and quality: the share of cells whose character is right, of cells with
#     ink whose character is right, of cells whose colours are right, and ms a frame cold
#     (mode searched, the first frame of a new geometry) and warm (mode known);
#  3. Tesseract (one thread, --psm 6) on q75 4:2:0 frames, native and 1920x1080, beside ours
#     scored the same way (bench/textscreens/ocr_score.py: reading order, whitespace ignored),
#     per split and family: the first TESS_FRAMES (default 2; "all" for every frame) of each.
# make bench runs it (bench/run.sh). A cold generation takes minutes under TCG (see
# docs/benchmarks-text.md); later runs reuse it. BENCH_SMOKE=1 (test_bench_smoke): the corpus
# is the one SeaBIOS frame (generated into build/textcorpus-smoke when missing, a few seconds),
# one warm run a frame and Tesseract on one frame; exits non-zero when any step fails or
# measures nothing. SET=fresh: the same on the second held-out set, in build/textcorpus-fresh
# (bench/corpus/gen.py's FRESH_*: other panel sizes, console fonts and a VGA ROM, every frame
# held out); SET=fresh3 on the third, in build/textcorpus-fresh3 (fbcon in the console fonts
# read at run time).
set -u
cd "$(dirname "$0")/.."
scripts/deps.sh bench || exit 1
make -s build/bench/textcorpus >/dev/null || exit 1
PY=/usr/bin/python3 # Debian's, where python3-numpy and python3-pyte are
if [ "${BENCH_SMOKE:-}" = 1 ]; then
  C=build/textcorpus-smoke
  ONLY=vga-seabios-stdvga $PY bench/corpus/gen.py "$PWD/$C" vga >/dev/null || exit 1
else
  C=${CORPUS:-build/textcorpus${SET:+-$SET}}
  start=$(date +%s)
  $PY bench/corpus/gen.py "$PWD/$C" ${FAMILIES:-} || exit 1
  echo "corpus ready in $(($(date +%s) - start)) s"
fi
[ -s "$C/MANIFEST" ] || { echo "no corpus in $C"; exit 1; }
O=build/bench-data/textcorpus
rm -rf "$O" && mkdir -p "$O"

echo "-- sshkvm's recogniser, no --text-font"
build/bench/textcorpus --corpus "$C" --write "$O" ${REPS:+--reps "$REPS"} || exit 1

echo
echo "-- q75 4:2:0, the same frames: sshkvm vs Tesseract $(tesseract --version 2>/dev/null | head -1 | awk '{print $2}')"
echo "   (visible characters in reading order, whitespace ignored; mean over the frames)"
printf '%-8s %-11s %-9s %6s %8s %8s %8s\n' split family size frames sshkvm tesseract "tess s"
declare -A n ours tess secs seen
keys=()
while read -r name family _font split _rest; do
  case "$name" in '#'*|'') continue ;; esac
  seen[$split.$family]=$((${seen[$split.$family]:-0} + 1))
  [ "${TESS_FRAMES:-2}" = all ] || [ "${seen[$split.$family]}" -le "${TESS_FRAMES:-2}" ] || continue
  for size in native 1920x1080; do
    jpg="$C/jpeg/$name-$size-q75-420.jpg"
    [ -f "$jpg" ] || { echo "missing $jpg"; exit 1; }
    t0=$(date +%s%N)
    OMP_THREAD_LIMIT=1 tesseract "$jpg" "$O/$name-$size.tess" --psm 6 >/dev/null 2>&1 || {
      echo "tesseract failed on $jpg"; exit 1; }
    s=$(echo "scale=3; ($(date +%s%N) - $t0) / 1000000000" | bc)
    read -r ov _ < <($PY bench/textscreens/ocr_score.py "$C/$name.txt" "$O/$name-$size.ours.txt")
    read -r tv _ < <($PY bench/textscreens/ocr_score.py "$C/$name.txt" "$O/$name-$size.tess.txt")
    [ -n "${ov:-}" ] && [ -n "${tv:-}" ] || { echo "no score for $name $size"; exit 1; }
    k="$split $family $size"
    [ -n "${n[$k]:-}" ] || { keys+=("$k"); n[$k]=0; ours[$k]=0; tess[$k]=0; secs[$k]=0; }
    n[$k]=$((n[$k] + 1))
    ours[$k]=$(echo "${ours[$k]} + $ov" | bc)
    tess[$k]=$(echo "${tess[$k]} + $tv" | bc)
    secs[$k]=$(echo "${secs[$k]} + $s" | bc)
    [ "${BENCH_SMOKE:-}" = 1 ] && break 2
  done
done <"$C/MANIFEST"
[ ${#keys[@]} -gt 0 ] || { echo "no frame for Tesseract"; exit 1; }
for k in "${keys[@]}"; do
  read -r sp fa sz <<<"$k"
  printf '%-8s %-11s %-9s %6d %7.2f%% %7.2f%% %8.2f\n' "$sp" "$fa" "$sz" "${n[$k]}" \
    "$(echo "${ours[$k]} * 100 / ${n[$k]}" | bc -l)" "$(echo "${tess[$k]} * 100 / ${n[$k]}" | bc -l)" \
    "$(echo "${secs[$k]} / ${n[$k]}" | bc -l)"
done
