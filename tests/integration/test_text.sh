#!/usr/bin/env bash
# Text mode over the real OpenSSH client: `screen --text` reads the demo
# target's BIOS-like screen back as exactly the characters of its own text
# buffer (tests/helpers/demo_text prints them), and so does the console in
# text mode in an 80x26 tmux, with the target's cursor; `wait` sees text
# typed on the target, honours --regex and --timeout, and refuses bad
# usage; a picture that is not text (ffmpeg's testsrc) is refused by both,
# and the console's auto mode shows it as art. --text-font: a VGA BIOS ROM, Debian's PSF
# console fonts (a console screen drawn in one is read exactly only with it), bad fonts.
. "$(dirname "$0")/lib.sh"

# The clock ticks between the two readings: its digits are masked.
mask_clock() { sed -E 's/\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]/[hh:mm:ss]/; s/\[[A-Z][a-z]{2} [0-9]{2}\/[0-9]{2}\/[0-9]{4}\]/[date]/'; }

start_sshkvm || exit 1
wait_until 20 captured
kssh screen --text >"$T/screen.txt"
check screen_text_exit_0 test $? -eq 0
"$HELPERS/demo_text" >"$T/truth.txt"
check screen_text_25_lines test "$(wc -l <"$T/screen.txt")" -eq 25
if cmp -s <(mask_clock <"$T/screen.txt") <(mask_clock <"$T/truth.txt"); then
  pass screen_text_equals_demo_text_buffer
else
  fail screen_text_equals_demo_text_buffer "$(diff <(mask_clock <"$T/truth.txt") <(mask_clock <"$T/screen.txt") | head -10)"
fi
check screen_text_box_drawing grep -q '^┌─────' "$T/screen.txt"

# statusline_has SOCKET TEXT: the last line of tmux SOCKET's pane shows TEXT.
statusline_has() { tmux -L "$1" capture-pane -p | tail -1 | grep -q -- "$2"; }
# cursor_is SOCKET WANT: tmux's "cursor_flag cursor_x cursor_y" (as many of them as WANT names).
cursor_is() {
  local f
  f=$(tmux -L "$1" display -p '#{cursor_flag} #{cursor_x} #{cursor_y}')
  [ "${f:0:${#2}}" = "$2" ]
}

# The console in text mode (SetEnv SSHKVM_MODE=text): an 80x26 terminal shows the
# screen character for character, the status line says so; editing a field shows the
# target's cursor where the target draws it.
tmux -L "tx$$" new-session -d -x 80 -y 26 \
  "ssh ${SSH_OPTS[*]} -t -o SetEnv=SSHKVM_MODE=text -i $T/id -p $SSH_PORT kvm@127.0.0.1"
wait_until 20 statusline_has "tx$$" 'text 80x25'
tmux -L "tx$$" capture-pane -p | head -25 | sed 's/ *$//' >"$T/pane.txt"
if cmp -s <(mask_clock <"$T/pane.txt") <(mask_clock <"$T/truth.txt"); then
  pass console_text_equals_demo_text_buffer
else
  fail console_text_equals_demo_text_buffer "$(diff <(mask_clock <"$T/truth.txt") <(mask_clock <"$T/pane.txt") | head -10)"
fi
check console_text_status grep -q 'text 80x25' <<<"$(tmux -L "tx$$" capture-pane -p | tail -1)"
check console_no_cursor_without_one test "$(tmux -L "tx$$" display -p '#{cursor_flag}')" = 0
kssh key down down enter
wait_until 10 cursor_is "tx$$" 1
# The field is row 12 (1-based), its text starts after "[" at column 29: "demo-pc" then the cursor.
check console_cursor_shown test "$(tmux -L "tx$$" display -p '#{cursor_flag} #{cursor_x} #{cursor_y}')" = "1 37 11"
kssh key escape
wait_until 10 cursor_is "tx$$" 0
check console_cursor_hidden_after_edit test "$(tmux -L "tx$$" display -p '#{cursor_flag}')" = 0
# Smaller than the text screen: art, and the status line says why.
tmux -L "tx$$" resize-window -x 70 -y 20
wait_until 10 statusline_has "tx$$" 'text: the terminal is smaller than the text screen'
check console_text_too_small_says_so grep -q 'text: the terminal is smaller than the text screen' \
  <<<"$(tmux -L "tx$$" capture-pane -p | tail -1)"
tmux -L "tx$$" kill-server

# With a pty the lines end in CR LF, as the client's terminal wants.
kssh -tt screen --text >"$T/screen_tty.txt" 2>/dev/null
check screen_text_pty_crlf test "$(grep -c $'\r$' "$T/screen_tty.txt")" -eq 25

# Type into System Name, then wait for it; the matching line is printed.
kssh key down down enter && kssh type 'typed-by-ssh' && kssh key enter
out=$(kssh wait typed-by-ssh --timeout 10); rc=$?
check wait_seen_exit_0 test "$rc" -eq 0
check wait_prints_line grep -q 'System Name .*\[demo-pctyped-by-ssh\]' <<<"$out"
echo "  wait printed: $out"
# ssh joins the words: wait 'System Name' works unquoted too.
kssh wait System Name --timeout 10 >/dev/null
check wait_words_joined test $? -eq 0
kssh wait --regex 'Name +\[demo-pc[a-z-]+\]' --timeout 10 >/dev/null
check wait_regex_exit_0 test $? -eq 0

start=$(date +%s%N)
err=$(kssh wait 'Press F2 to enter setup' --timeout 1.5 2>&1); rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check wait_timeout_exit_1 test "$rc" -eq 1
check wait_timeout_named grep -q "did not appear within 1.5 s" <<<"$err"
check wait_timeout_waited test "$ms" -ge 1400

err=$(kssh wait --regex 'a(' 2>&1); rc=$?
check wait_bad_regex_exit_2 test "$rc" -eq 2
check wait_bad_regex_named grep -q "bad --regex" <<<"$err"
# The patterns that pinned a core (back-references) or would fill memory (nested counts) are
# refused before anything is compiled, in a moment, with exit 2. Quoted once more for the remote
# command line, which is split as sh splits it (a bare \3 would arrive as 3).
for re in '( *)( *)( *)\3\2\1X' '((.{100}){100}){100}X' "$(printf 'a%.0s' $(seq 600))"; do
  start=$(date +%s%N)
  err=$(kssh wait --regex "'$re'" --timeout 5 2>&1); rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  n=${#re}
  check "wait_regex_refused_${n}_exit_2" test "$rc" -eq 2
  check "wait_regex_refused_${n}_quick" test "$ms" -lt $((3000 * SLOW))
  check "wait_regex_refused_${n}_named" grep -q "bad --regex" <<<"$err"
done
check wait_regex_backref_named grep -q "back-references" <<<"$(kssh wait --regex "'(a)\1'" 2>&1)"
kssh wait --regex "'Name {1,20}\[demo-pc[a-z-]{0,20}\]'" --timeout 10 >/dev/null
check wait_regex_small_counts_ok test $? -eq 0
kssh wait --timeout 0 x >/dev/null 2>&1
check wait_bad_timeout_exit_2 test $? -eq 2
kssh wait >/dev/null 2>&1
check wait_nothing_exit_2 test $? -eq 2
kssh screen --text --cols 80 >/dev/null 2>&1
check screen_text_other_option_exit_2 test $? -eq 2
check help_lists_wait grep -q '^  wait ' <<<"$(kssh help)"
check help_lists_screen_text grep -q 'screen --text' <<<"$(kssh help)"
stop_sshkvm

# --text-font: a VGA BIOS ROM is taken (the demo still reads exactly); a file that is no
# font stops the start, naming it.
start_sshkvm --text-font /usr/share/seabios/vgabios-stdvga.bin || exit 1
wait_until 20 captured
kssh screen --text >"$T/screen_rom.txt"
check text_font_rom_screen_text cmp -s <(mask_clock <"$T/screen_rom.txt") <(mask_clock <"$T/truth.txt")
stop_sshkvm
echo "not a font" >"$T/bad.font"
err=$(timeout 10 "$BIN" --text-font "$T/bad.font" --hostkeys "$T/hk-bad" --http-listen off \
  --ssh-listen "127.0.0.1:$(free_port)" 2>&1); rc=$?
check text_font_bad_file_exit_nonzero test "$rc" -ne 0 -a "$rc" -ne 124
check text_font_bad_file_named grep -q -- "--text-font: $T/bad.font: neither a raw 8x16 font" <<<"$err"
# At most 8 files: a ninth stops the start.
head -c 4096 /dev/zero >"$T/raw.font"
err=$(timeout 10 "$BIN" --text-font "$(printf "$T/raw.font,%.0s" $(seq 8))$T/raw.font" \
  --hostkeys "$T/hk-bad" --http-listen off --ssh-listen "127.0.0.1:$(free_port)" 2>&1); rc=$?
check text_font_nine_files_exit_nonzero test "$rc" -ne 0 -a "$rc" -ne 124
check text_font_nine_files_named grep -qF -- "--text-font: more than 8 font files" <<<"$err"

# More glyphs of a height than a recogniser holds (1024, the built-in 259 included): five raw 8x16
# fonts of noise, every glyph new; the log says how many were left out.
for i in 1 2 3 4 5; do head -c 4096 /dev/urandom >"$T/noise$i.font"; done
err=$(timeout 2 "$BIN" --text-font "$T/noise1.font,$T/noise2.font,$T/noise3.font,$T/noise4.font,$T/noise5.font" \
  --hostkeys "$T/hk-bad" --http-listen off --ssh-listen "127.0.0.1:$(free_port)" 2>&1)
check text_font_room_said grep -Eq "text fonts: [0-9]+ glyphs of 8x16 left out, the recogniser holds 1024" <<<"$err"

# --text-font with Debian's console fonts (console-setup-linux): a Linux console drawn in
# Lat15-Terminus16 (by tests/helpers/psf_screen.py, the test's own PSF reader) through
# JPEG quality 75 is read exactly with the font given, and not without it; fonts may be
# repeated and listed, and each is named in the log.
FONTS=/usr/share/consolefonts
# font_screen_exact NAME MJPEG WANT ARGS...: sshkvm reading MJPEG with ARGS prints WANT for
# screen --text (checks NAME_exit_0 and NAME_exact); sshkvm is left running.
font_screen_exact() {
  local name=$1 mjpeg=$2 want=$3
  shift 3
  start_sshkvm --video "file:$mjpeg" "$@" || exit 1
  wait_until 20 captured
  kssh screen --text >"$T/$name.got"
  check "${name}_exit_0" test $? -eq 0
  if cmp -s "$T/$name.got" "$want"; then
    pass "${name}_exact"
  else
    fail "${name}_exact" "$(diff "$want" "$T/$name.got" | head -10)"
  fi
}
if [ -r "$FONTS/Lat15-Terminus16.psf.gz" ]; then
  cat >"$T/console.txt" <<'TEXT'
Debian GNU/Linux 12 kvm-target tty1

kvm-target login: root
Password:
Linux kvm-target 6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 x86_64
root@kvm-target:~# ls -l /srv
total 24
drwxr-xr-x  2 root root 4096 Nov 20 09:14 backups
-rw-r--r--  1 root root 3310 Nov 22 08:03 résumé-über-año.txt
root@kvm-target:~# dmesg | tail -2
[    3.141592] EXT4-fs (sda1): mounted filesystem with ordered data mode.
[  905.662810] usb 1-1.2: new high-speed USB device number 5 using xhci_hcd
┌──────────┐ $((6*7)) ~/a_b|c&&d<e>f`g'"h;@%^=+{0..9}
└──────────┘ QWERTYUIOPASDFGHJKLZXCVBNM qwertyuiopasdfghjklzxcvbnm
root@kvm-target:~#
TEXT
  # screen --text prints 25 lines: the text's 15 and 10 empty ones.
  { cat "$T/console.txt"; for _ in $(seq 10); do echo; done; } >"$T/console_want.txt"
  python3 "$ROOT/tests/helpers/psf_screen.py" "$FONTS/Lat15-Terminus16.psf.gz" "$T/console.txt" \
    "$T/console.ppm" && cjpeg -quality 75 "$T/console.ppm" >"$T/console.mjpeg"
  check psf_screen_drawn test -s "$T/console.mjpeg"
  font_screen_exact text_font_psf_screen "$T/console.mjpeg" "$T/console_want.txt" \
    --text-font "$FONTS/Lat15-Terminus16.psf.gz" \
    --text-font "$FONTS/Uni2-VGA8.psf.gz,$FONTS/Lat15-VGA14.psf.gz"
  check text_font_psf_logged grep -q "text font $FONTS/Lat15-Terminus16.psf.gz: PSF1 (gzip), 8x16, 214 of 256 CP437 glyphs" "$T/sshkvm.log"
  check text_font_psf_list_logged grep -q "text font $FONTS/Lat15-VGA14.psf.gz: PSF1 (gzip), 8x14" "$T/sshkvm.log"
  check text_font_psf_repeat_logged grep -q "text font $FONTS/Uni2-VGA8.psf.gz: PSF1 (gzip), 8x8" "$T/sshkvm.log"
  check text_font_room_enough_silent bash -c "! grep -q 'left out' '$T/sshkvm.log'"
  # Eight of Debian's 8x16 console fonts at once fit (README).
  eight=""
  for f in Lat15-Terminus16 Uni2-Fixed16 Lat15-TerminusBold16 Lat15-TerminusBoldVGA16 Lat15-VGA16 \
    CyrAsia-Terminus16 Lat15-Fixed16 Uni2-VGA16; do eight="$eight,$FONTS/$f.psf.gz"; done
  err=$(timeout 2 "$BIN" --text-font "${eight#,}" --hostkeys "$T/hk-bad" --http-listen off \
    --ssh-listen "127.0.0.1:$(free_port)" 2>&1)
  check text_font_room_eight_fonts bash -c "grep -q 'Uni2-VGA16.psf.gz: PSF1' <<<\"\$1\" && ! grep -q 'left out' <<<\"\$1\"" _ "$err"
  # screen --mode text reads with the same fonts: its 15 text lines, colours and padding stripped.
  kssh screen --mode text --cols 80 --rows 26 | sed 's/\x1b\[[0-9;]*m//g; s/ *$//' | head -15 \
    >"$T/console_view.txt"
  if cmp -s "$T/console_view.txt" "$T/console.txt"; then
    pass text_font_psf_screen_mode_text
  else
    fail text_font_psf_screen_mode_text "$(diff "$T/console.txt" "$T/console_view.txt" | head -10)"
  fi
  stop_sshkvm
  # Without the font the same screen is misread in most of its lines.
  start_sshkvm --video "file:$T/console.mjpeg" || exit 1
  wait_until 20 captured
  kssh screen --text >"$T/console_plain.txt"
  bad=$(diff "$T/console_want.txt" "$T/console_plain.txt" | grep -c '^>')
  echo "  Lat15-Terminus16 console at q75: $bad of 15 text lines misread without --text-font"
  check text_font_psf_needed test "$bad" -ge 10
  stop_sshkvm
  # A config file's fonts and the command line's add up.
  printf 'text-font = %s\n' "$FONTS/Lat15-Terminus16.psf.gz" >"$T/fonts.conf"
  start_sshkvm --config "$T/fonts.conf" --text-font "$FONTS/Uni2-Fixed16.psf.gz" || exit 1
  check text_font_config_and_args_both test "$(grep -c "text font $FONTS/" "$T/sshkvm.log")" -eq 2
  stop_sshkvm
  # Sizes the recogniser does not read stop the start, naming the file.
  err=$(timeout 10 "$BIN" --text-font "$FONTS/Lat15-TerminusBold32x16.psf.gz" --hostkeys "$T/hk-bad" \
    --http-listen off --ssh-listen "127.0.0.1:$(free_port)" 2>&1); rc=$?
  check text_font_psf_32_exit_nonzero test "$rc" -ne 0 -a "$rc" -ne 124
  check text_font_psf_32_named grep -qF -- "--text-font: $FONTS/Lat15-TerminusBold32x16.psf.gz: PSF2 glyphs are 16x32; text screens are read in 8x8, 8x14 or 8x16" <<<"$err"
  # Linux's framebuffer console on a 1920x1080 mode: 240x67 cells of 8x16 in Debian's default
  # font (Uni2-Fixed16), no --text-font, JPEG q75. screen --text, --json, wait and the console's
  # text view read the whole frame: read at 1440x810, as they were, the cells shrank to 6x12
  # and the screen was "not text".
  # fbcon_screen NAME FONT WxH LINES ARGS...: console.txt drawn by fbcon in FONT at WxH, JPEG
  # q75, read by sshkvm started with ARGS: screen --text exits 0 (NAME_screen_text_exit_0),
  # prints LINES lines (NAME_LINES_lines) and the text's 15 first (NAME_exact); left running.
  fbcon_screen() {
    local name=$1 font=$2 size=$3 lines=$4
    shift 4
    python3 "$ROOT/tests/helpers/psf_screen.py" --fbcon "$size" "$FONTS/$font.psf.gz" \
      "$T/console.txt" "$T/$name.ppm" && cjpeg -quality 75 "$T/$name.ppm" >"$T/$name.mjpeg"
    start_sshkvm --video "file:$T/$name.mjpeg" "$@" || exit 1
    wait_until 20 captured
    kssh screen --text >"$T/$name.txt"
    check "${name}_screen_text_exit_0" test $? -eq 0
    check "${name}_${lines}_lines" test "$(wc -l <"$T/$name.txt")" -eq "$lines"
    if cmp -s <(head -15 "$T/$name.txt" | sed 's/ *$//') "$T/console.txt"; then
      pass "${name}_exact"
    else
      fail "${name}_exact" "$(diff "$T/console.txt" <(head -15 "$T/$name.txt" | sed 's/ *$//') | head -10)"
    fi
  }
  fbcon_screen fbcon_1080p Uni2-Fixed16 1920x1080 67
  check fbcon_1080p_json_grid grep -q '"cols":240,"rows":67' <<<"$(kssh screen --text --json | tr -d ' ')"
  check fbcon_1080p_wait kssh wait --timeout 5 'root@kvm-target:~# dmesg'
  tmux -L "tf$$" new-session -d -x 240 -y 68 \
    "ssh ${SSH_OPTS[*]} -t -o SetEnv=SSHKVM_MODE=text -i $T/id -p $SSH_PORT kvm@127.0.0.1"
  wait_until 20 statusline_has "tf$$" 'text 240x67'
  check fbcon_1080p_console_text statusline_has "tf$$" 'text 240x67'
  if cmp -s <(tmux -L "tf$$" capture-pane -p | head -15 | sed 's/ *$//') "$T/console.txt"; then
    pass fbcon_1080p_console_text_exact
  else
    fail fbcon_1080p_console_text_exact "$(diff "$T/console.txt" <(tmux -L "tf$$" capture-pane -p | head -15 | sed 's/ *$//') | head -10)"
  fi
  # Each command and the console session read with a recogniser of its own; only the first
  # searched the picture for its geometry, the others started from what it found (the server's
  # textshare): before, each of the four searched (hundreds of ms a command on a Pi).
  st=$(kssh status)
  check fbcon_1080p_searched_once grep -q '"text":{"searches":1,"found":1}' <<<"$st"
  tmux -L "tf$$" kill-server
  # In an 80x24 terminal the 240x67 screen is shown as art, and the status line keeps saying why
  # on every frame, while the screen is read as text only every 250 ms of capture (it was read
  # on every frame drawn).
  st=$(kssh status)
  reads0=$(grep -o '"text_reads":[0-9]*' <<<"$st" | cut -d: -f2)
  art0=$(grep -o '"text_art":[0-9]*' <<<"$st" | cut -d: -f2)
  tmux -L "ts$$" new-session -d -x 80 -y 24 \
    "ssh ${SSH_OPTS[*]} -t -o SetEnv=SSHKVM_MODE=text -i $T/id -p $SSH_PORT kvm@127.0.0.1"
  wait_until 20 statusline_has "ts$$" 'smaller than the text screen'
  small_notes=0
  for _ in 1 2 3 4 5 6; do
    sleep 0.5
    statusline_has "ts$$" 'smaller than the text screen, showing art (240x67' &&
      small_notes=$((small_notes + 1))
  done
  check fbcon_1080p_small_terminal_says_why test "$small_notes" -eq 6
  st=$(kssh status)
  reads=$(($(grep -o '"text_reads":[0-9]*' <<<"$st" | cut -d: -f2) - reads0))
  art=$(($(grep -o '"text_art":[0-9]*' <<<"$st" | cut -d: -f2) - art0))
  echo "  a 240x67 screen in an 80x24 terminal: $reads text reads for $art frames drawn as art"
  check fbcon_1080p_small_terminal_read_seldom test "$reads" -ge 1 -a "$reads" -lt "$art"
  tmux -L "ts$$" kill-server
  stop_sshkvm
  # The system's console fonts, read at start (--text-font-dir, default /usr/share/consolefonts):
  # a console in Fixed18 (8x18 cells, no built-in table) at 1680x1050 through JPEG q75 is read
  # exactly with no option given, and misread with --text-font-dir none; the log says what was
  # read; a folder given that is not there stops the start, naming it.
  fbcon_screen font_dir_fixed18 Lat15-Fixed18 1680x1050 58
  check font_dir_wait kssh wait --timeout 5 'root@kvm-target:~# dmesg'
  check font_dir_logged grep -Eq "text fonts: [0-9]+ console fonts in $FONTS \([0-9]+ files passed over\), [0-9]+ new to the recogniser" "$T/sshkvm.log"
  stop_sshkvm
  start_sshkvm --video "file:$T/font_dir_fixed18.mjpeg" --text-font-dir none || exit 1
  wait_until 20 captured
  kssh screen --text >"$T/fixed18_none.txt"
  bad=$(diff <(head -15 "$T/fixed18_none.txt" | sed 's/ *$//') "$T/console.txt" | grep -c '^>')
  echo "  Fixed18 console at q75: $bad of 15 text lines misread with --text-font-dir none"
  check font_dir_none_misreads test "$bad" -ge 10
  check font_dir_none_not_logged bash -c "! grep -q 'console fonts in' '$T/sshkvm.log'"
  stop_sshkvm
  err=$(timeout 10 "$BIN" --text-font-dir "$T/no-such-fonts" --hostkeys "$T/hk-bad" --http-listen off \
    --ssh-listen "127.0.0.1:$(free_port)" 2>&1); rc=$?
  check font_dir_missing_exit_nonzero test "$rc" -ne 0 -a "$rc" -ne 124
  check font_dir_missing_named grep -qF -- "--text-font-dir: $T/no-such-fonts: No such file or directory" <<<"$err"
else
  echo "SKIP text_font_psf: no $FONTS (apt-get install console-setup-linux)"
fi
# A malformed PSF: a PSF2 header whose glyphs run past the end of the (gzip) file.
printf '\x72\xb5\x4a\x86\0\0\0\0\x20\0\0\0\x01\0\0\0\0\x01\0\0\x10\0\0\0\x10\0\0\0\x08\0\0\0' | gzip >"$T/short.psf.gz"
err=$(timeout 10 "$BIN" --text-font "$T/short.psf.gz" --hostkeys "$T/hk-bad" --http-listen off \
  --ssh-listen "127.0.0.1:$(free_port)" 2>&1); rc=$?
check text_font_bad_psf_exit_nonzero test "$rc" -ne 0 -a "$rc" -ne 124
check text_font_bad_psf_named grep -qF -- "--text-font: $T/short.psf.gz: 256 glyphs of 16 bytes need 4128 bytes; the font has 32" <<<"$err"

# --text-font with GRUB's Unifont (grub-common's unicode.pf2): a GRUB menu as gfxterm draws
# it at 640x480 (by tests/helpers/pf2_screen.py, the test's own PF2 reader), its first entry
# highlighted, through JPEG quality 75, is read exactly as 80x30 with the font given.
GRUB_FONT=/usr/share/grub/unicode.pf2
if [ -r "$GRUB_FONT" ]; then
  {
    echo
    echo "                            GNU GRUB  version 2.06-13+deb12u1"
    echo
    echo " ┌────────────────────────────────────────────────────────────────────────────┐"
    for entry in "*Debian GNU/Linux" " Advanced options for Debian GNU/Linux" \
      " Memory test (memtest86+x64.efi)" " Memory test (memtest86+x64.efi, serial console)" \
      " UEFI Firmware Settings"; do
      printf ' │%-76s│\n' "$entry"
    done
    for _ in $(seq 13); do printf ' │%76s│\n' ""; done
    echo " └────────────────────────────────────────────────────────────────────────────┘"
    echo
    echo "     Use the ↑ and ↓ keys to select which entry is highlighted."
    echo "     Press enter to boot the selected OS, \`e' to edit the commands"
    echo "     before booting or \`c' for a command-line."
    echo "     The highlighted entry will be executed automatically in 5s."
  } >"$T/grub.txt"
  # screen --text prints 30 lines without trailing blanks: the menu's 28 and 2 empty ones.
  { sed 's/ *$//' "$T/grub.txt"; echo; echo; } >"$T/grub_want.txt"
  python3 "$ROOT/tests/helpers/pf2_screen.py" "$GRUB_FONT" "$T/grub.txt" "$T/grub.ppm" 4 &&
    cjpeg -quality 75 "$T/grub.ppm" >"$T/grub.mjpeg"
  check pf2_screen_drawn test -s "$T/grub.mjpeg"
  font_screen_exact text_font_pf2_screen "$T/grub.mjpeg" "$T/grub_want.txt" --text-font "$GRUB_FONT"
  check text_font_pf2_logged grep -q "text font $GRUB_FONT: PF2, 8x16, 256 of 256 CP437 glyphs" "$T/sshkvm.log"
  stop_sshkvm
  # Without it the menu is read the same: GRUB's unicode.pf2 glyphs are built in
  # (src/text/fontgrub.c, a cell shape of the grids found in graphics modes).
  font_screen_exact text_font_pf2_builtin "$T/grub.mjpeg" "$T/grub_want.txt"
  stop_sshkvm
else
  echo "SKIP text_font_pf2: no $GRUB_FONT (apt-get install grub-common)"
fi
# A malformed PF2: its character index runs past the end of the file.
printf 'FILE\0\0\0\x04PFF2CHIX\0\0\0\x12\0\0\0\x41\0\0\0\0\x20' >"$T/short.pf2"
err=$(timeout 10 "$BIN" --text-font "$T/short.pf2" --hostkeys "$T/hk-bad" --http-listen off \
  --ssh-listen "127.0.0.1:$(free_port)" 2>&1); rc=$?
check text_font_bad_pf2_exit_nonzero test "$rc" -ne 0 -a "$rc" -ne 124
check text_font_bad_pf2_named grep -qF -- "--text-font: $T/short.pf2: PF2 section CHIX of 18 bytes at byte 12 runs past the font's 29 bytes" <<<"$err"

# Not text: a moving test pattern.
make_mjpeg "$T/in.mjpeg" 30
start_sshkvm --video "file:$T/in.mjpeg" || exit 1
# auto shows art for it; text says it is not text.
tmux -L "tg$$" new-session -d -x 80 -y 26 \
  "ssh ${SSH_OPTS[*]} -t -o SetEnv=SSHKVM_MODE=auto -i $T/id -p $SSH_PORT kvm@127.0.0.1"
for _ in $(seq 50); do tmux -L "tg$$" capture-pane -p | grep -q 'sshkvm |' && break; sleep 0.1; done
sleep 1.5
status=$(tmux -L "tg$$" capture-pane -p | tail -1)
check console_auto_graphics_is_art bash -c "! grep -q 'text' <<<'$status'"
check console_auto_graphics_drawn test "$(tmux -L "tg$$" capture-pane -p -e | head -25 | grep -o $'\033\\[' | wc -l)" -gt 200
tmux -L "tg$$" kill-server
tmux -L "th$$" new-session -d -x 80 -y 26 \
  "ssh ${SSH_OPTS[*]} -t -o SetEnv=SSHKVM_MODE=text -i $T/id -p $SSH_PORT kvm@127.0.0.1"
wait_until 20 statusline_has "th$$" 'text: the screen is not text, showing art'
check console_text_graphics_says_not_text grep -q 'text: the screen is not text, showing art' \
  <<<"$(tmux -L "th$$" capture-pane -p | tail -1)"
tmux -L "th$$" kill-server
st=$(kssh status)
check status_counts_text_views grep -q '"text_frames":[0-9]*,"text_art":[1-9]' <<<"$st"
# A screen that is not text is read only every 250 ms of capture, its frames between drawn as art
# (every frame drawn was read before: as many reads as frames).
reads=$(grep -o '"text_reads":[0-9]*' <<<"$st" | cut -d: -f2)
art=$(grep -o '"text_art":[0-9]*' <<<"$st" | cut -d: -f2)
echo "  graphics in the text and auto views: $reads text reads for $art frames drawn as art"
check graphics_read_seldom test "${reads:-0}" -ge 1 -a "${reads:-0}" -lt "${art:-0}"
err=$(kssh screen --text 2>&1); rc=$?
check graphics_screen_text_exit_1 test "$rc" -eq 1
check graphics_screen_text_says_why grep -q "the screen is not text" <<<"$err"
err=$(kssh wait anything --timeout 1 2>&1); rc=$?
check graphics_wait_exit_1 test "$rc" -eq 1
check graphics_wait_says_no_text grep -q "no frame was a text screen" <<<"$err"
finish
